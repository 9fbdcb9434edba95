from django.apps import AppConfig

# The inquiry fields the audit log records in its "what changed" diff: the triage workflow only.
# Never what the patient wrote (free text, answers, contact details): audit entries outlive the
# inquiry (purge_inquiries keeps them as the record of who saw and changed what), so they must not
# carry health details. Views, image views, notes added and exports are recorded as events without
# content (intake.services.record_event).
AUDITED_FIELDS = ["status", "assignee", "priority"]


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Inquiries"

    def ready(self):
        from auditlog.registry import auditlog

        from . import checks  # noqa: F401  (registers the system checks)
        from .models import Inquiry

        auditlog.register(Inquiry, include_fields=AUDITED_FIELDS)

        from clinic import health

        from .services.delivery import failed_count

        health.DETAILS["failed_emails"] = failed_count

        # New inquiries' due times follow the office hours and closed days, wherever they change.
        from django.db.models.signals import post_delete, post_save

        from clinic.models import ClosedDay, Office, OpeningHours

        from .services.deadlines import on_hours_changed

        for model in (Office, OpeningHours, ClosedDay):
            uid = f"intake:due-times:{model._meta.label}"
            post_save.connect(on_hours_changed, sender=model, dispatch_uid=f"{uid}:save")
            post_delete.connect(on_hours_changed, sender=model, dispatch_uid=f"{uid}:delete")
