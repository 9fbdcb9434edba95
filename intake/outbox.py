"""The emails to send (the transactional outbox) and the staff's reply templates.

Imported by intake.models, so Django finds them with the app's other models.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from intake import crypto


class OutboxMessage(models.Model):
    """One email to send, stored in the same transaction as what it is about (transactional outbox).

    A Celery task sends it and marks it sent while holding a row lock, so a retried or duplicated
    task, or a beat sweep, never sends it twice. Its id makes the email's Message-ID.
    """

    class Kind(models.TextChoices):
        STAFF_NOTIFICATION = "staff_notification", "Staff notification"
        PATIENT_CONFIRMATION = "patient_confirmation", "Confirmation to the patient"
        NEWSLETTER_CONFIRMATION = "newsletter_confirmation", "Newsletter confirmation link"
        REPLY = "reply", "Reply to the patient"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    inquiry = models.ForeignKey(
        "intake.Inquiry", null=True, blank=True, on_delete=models.CASCADE, related_name="outbox"
    )
    subscriber = models.ForeignKey(
        "intake.Subscriber", null=True, blank=True, on_delete=models.CASCADE, related_name="outbox"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # The exception's class and message (SMTP or connection errors; never the email's content).
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    # A reply (services.send_reply): the text staff sent, encrypted like the health details (it may
    # answer them); the template it started from; the reply form's one-time token, so a form
    # submitted twice stores (and sends) one email. Blank and null for the other kinds.
    subject = crypto.EncryptedTextField(blank=True)
    body = crypto.EncryptedTextField(blank=True)
    template = models.ForeignKey(
        "intake.ReplyTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # One hand-off email of each kind an inquiry; replies, as many as staff send.
            models.UniqueConstraint(
                fields=["inquiry", "kind"],
                condition=Q(inquiry__isnull=False) & ~Q(kind="reply"),
                name="unique_outbox_per_inquiry_kind",
            ),
            models.CheckConstraint(
                condition=Q(inquiry__isnull=True) | Q(subscriber__isnull=True), name="outbox_has_one_subject"
            ),
            models.CheckConstraint(
                condition=~Q(kind="reply") | Q(inquiry__isnull=False, token__isnull=False),
                name="outbox_reply_has_inquiry_and_token",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def handoff_state(self) -> str:
        """pending, sent, failing (pending with an error) or failed."""
        if self.status == self.Status.PENDING and self.last_error:
            return "failing"
        return self.status


class ReplyTemplate(models.Model):
    """A reply staff may start from when they email a patient from the inquiry's page.

    The subject and body may hold the placeholders {first_name}, {reference}, {office} and {phone},
    filled by simple replacement (services.replies.render_reply), never by str.format.
    """

    name = models.CharField(max_length=100, unique=True, help_text="What staff choose, e.g. “We tried to call you”.")
    subject = models.CharField(max_length=150)
    body = models.TextField(
        help_text="Plain text. Placeholders: {first_name}, {reference}, {office}, {phone} (the office's phone; "
        "for “either office”, the first office's). No health details or medical claims."
    )
    active = models.BooleanField(default=True, help_text="Offered on the reply page.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        from intake.services.replies import unknown_placeholders

        errors = {}
        for field in ("subject", "body"):
            unknown = unknown_placeholders(getattr(self, field))
            if unknown:
                errors[field] = f"Unknown placeholder(s): {', '.join(unknown)}. Use {{first_name}}, {{reference}}, "
                errors[field] += "{office} or {phone}."
        if errors:
            raise ValidationError(errors)
