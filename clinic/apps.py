from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from . import pagecache
        from .models import Office

        pagecache.retire_on_writes(Office)
