from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Inquiries"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
