"""Records of privacy work that outlive what they are about: counts, never health details.

- PurgeRun: one run of purge_inquiries (the retention purge), with how many of each it removed;
- SubjectRequest: a person's data exported or erased on their request, by whom and when.
Imported by intake.models, so Django finds them with the app's other models.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class PurgeRun(models.Model):
    """What one retention purge removed: counts only (no references, names or health details)."""

    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # {"inquiries": n, "images": n, "orphan_files": n, "spam": n, "unconfirmed_subscribers": n}
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"Purge of {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"


class SubjectRequest(models.Model):
    """A person's request for their data, as staff handled it (intake.services.subject_requests).

    Holds no contact or health details: a keyed digest of the email or phone searched (to answer
    "did you erase my data?" when the person asks again), how many records of each kind, and the
    inquiries' references (numbers such as KN-2026-000123, which say nothing about the person).
    """

    class Action(models.TextChoices):
        EXPORT = "export", "Exported (copy given)"
        ERASE = "erase", "Erased"

    action = models.CharField(max_length=10, choices=Action.choices)
    handled_at = models.DateTimeField(default=timezone.now, db_index=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    identifier_digest = models.CharField(max_length=64, db_index=True, editable=False)
    counts = models.JSONField(default=dict)
    references = models.JSONField(default=list)

    class Meta:
        ordering = ["-handled_at"]
        permissions = [("handle_subject_requests", "Can find, export and erase a person's data")]

    def __str__(self):
        return f"{self.get_action_display()} {timezone.localtime(self.handled_at):%Y-%m-%d %H:%M}"
