from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import metrics, pagecache
        from .models import ClosedDay, Office, OpeningHours

        metrics.register()
        pagecache.retire_on_writes(Office, OpeningHours, ClosedDay)
        # Once per `migrate` (sent for each app; this app's is enough).
        post_migrate.connect(pagecache.retire_after_migrate, sender=self, dispatch_uid="pagecache:migrate")
