from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from intake import crypto
from intake.queries import InquiryQuerySet
from intake.storage import private_storage  # noqa: F401 (migrations name intake.models.private_storage)


def phone_digits(phone: str) -> str:
    """The digits of a phone number, so "(239) 555-0103" is found by searching "2395550103"."""
    return "".join(ch for ch in phone if ch.isdigit())


class Inquiry(models.Model):
    """Something a person sent through one of the public forms, for staff to answer.

    The candidacy answers, the question and the appointment request share one table, so triage
    (status, assignee, notes, filters, export) works on every kind alike; fields a kind does not ask
    for stay blank.
    """

    class Kind(models.TextChoices):
        CANDIDATE = "candidate", "Candidacy form"
        QUESTION = "question", "Question"
        APPOINTMENT = "appointment", "Appointment request"

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_REVIEW = "in_review", "In review"
        CONTACTED = "contacted", "Contacted"
        SCHEDULED = "scheduled", "Scheduled"
        NOT_A_CANDIDATE = "not_a_candidate", "Not a candidate"
        CLOSED = "closed", "Closed"

    class ContactMethod(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        EITHER = "either", "Either"

    class Knee(models.TextChoices):
        LEFT = "left", "Left"
        RIGHT = "right", "Right"
        BOTH = "both", "Both"

    class Duration(models.TextChoices):
        UNDER_3_MONTHS = "lt3m", "Less than 3 months"
        UNDER_1_YEAR = "3to12m", "3 to 12 months"
        UNDER_5_YEARS = "1to5y", "1 to 5 years"
        OVER_5_YEARS = "gt5y", "More than 5 years"

    class Onset(models.TextChoices):
        RECENT_INJURY = "recent_injury", "A recent injury"
        OLD_INJURY = "old_injury", "An old injury that never healed"
        WEAR = "wear", "Wear over the years"
        NOT_SURE = "not_sure", "I am not sure"

    class Treatment(models.TextChoices):
        NSAIDS = "nsaids", "NSAIDs (anti-inflammatory medication)"
        CORTISONE = "cortisone", "Cortisone injections"
        HYALURONIC_ACID = "hyaluronic_acid", "Hyaluronic acid injections"
        PHYSICAL_THERAPY = "physical_therapy", "Physical therapy"
        PROLOTHERAPY = "prolotherapy", "Dextrose Prolotherapy"
        PRP = "prp", "Platelet Rich Plasma (PRP)"
        STEM_CELLS = "stem_cells", "Stem cells"
        SURGERY = "surgery", "Arthroscopy or other knee surgery"

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_SURE = "not_sure", "Not sure"

    class PainMedication(models.TextChoices):
        NONE = "none", "None"
        SOMETIMES = "sometimes", "Now and then"
        DAILY = "daily", "Every day"

    class Helped(models.TextChoices):
        YES = "yes", "Yes"
        FOR_A_WHILE = "for_a_while", "For a while"
        NO = "no", "No"

    class Activity(models.TextChoices):
        LOW = "low", "Mostly sitting, or little walking"
        MODERATE = "moderate", "On my feet much of the day, or walking and light exercise"
        HIGH = "high", "Sport, running, or physically demanding work"

    class PatientStatus(models.TextChoices):
        NEW = "new", "New patient"
        CURRENT = "current", "Current patient"

    class Priority(models.IntegerChoices):
        NORMAL = 1, "Normal"
        HIGH = 2, "High"
        URGENT = 3, "Urgent"

    # Triage is over for these: they leave the open counts and purge_inquiries may remove them.
    CLOSED_STATUSES = (Status.CLOSED, Status.NOT_A_CANDIDATE)

    kind = models.CharField(max_length=12, choices=Kind.choices)
    # KN-<year>-<id>, set with the insert (services.submit_inquiry); null until then (unique "" would collide).
    reference = models.CharField(max_length=20, unique=True, null=True, editable=False)  # noqa: DJ001
    # The hidden one-time token of the form the person filled: a resubmitted POST stores nothing new.
    submission_token = models.UUIDField(unique=True, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    submitted_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # When it is due: TRIAGE_SLA_HOURS of the office's open hours after submitted_at (clinic.hours),
    # set by submit_inquiry and moved for new inquiries when hours change (services.deadlines).
    due_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    # The first contact attempt logged (services.log_contact_attempt), set once.
    first_contacted_at = models.DateTimeField(null=True, blank=True, editable=False)

    # About you (every kind)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    # phone_digits(phone), stored by submit_inquiry for the admin's search by digits alone.
    phone_digits = models.CharField(max_length=30, blank=True, editable=False)
    preferred_contact = models.CharField(max_length=10, choices=ContactMethod.choices, blank=True)
    # Null means "either office, or remote"; PROTECT keeps the choice readable if an office is removed.
    office = models.ForeignKey(
        "clinic.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="inquiries"
    )
    consent_to_contact = models.BooleanField(default=False)
    # The privacy notice the person agreed to (clinic.privacy), and when; set by submit_inquiry.
    privacy_notice_version = models.CharField(max_length=20, blank=True, editable=False)
    privacy_agreed_at = models.DateTimeField(null=True, blank=True, editable=False)
    out_of_network_acknowledged = models.BooleanField(default=False)
    # The free text: the knee description, the question, or the reason for the appointment.
    # It and every health answer below are encrypted at rest (crypto.Encrypted*: docs/privacy.md);
    # contact details stay plain so staff can search them.
    message = crypto.EncryptedTextField(blank=True)
    callback_window = models.CharField(max_length=100, blank=True)

    # The candidacy form
    knees = crypto.EncryptedCharField(max_length=5, choices=Knee.choices, blank=True)
    left_pain = crypto.EncryptedPositiveSmallIntegerField("left knee pain (0-10)", null=True, blank=True)
    left_pain_time = crypto.EncryptedPositiveSmallIntegerField("left knee hurts, % of the time", null=True, blank=True)
    right_pain = crypto.EncryptedPositiveSmallIntegerField("right knee pain (0-10)", null=True, blank=True)
    right_pain_time = crypto.EncryptedPositiveSmallIntegerField(
        "right knee hurts, % of the time", null=True, blank=True
    )
    duration = crypto.EncryptedCharField("how long", max_length=8, choices=Duration.choices, blank=True)
    onset = crypto.EncryptedCharField("how it started", max_length=15, choices=Onset.choices, blank=True)
    treatments_tried = crypto.EncryptedJSONField(default=list, blank=True)
    replacement_recommended = crypto.EncryptedCharField(max_length=10, choices=Answer.choices, blank=True)
    sleep_interrupted = crypto.EncryptedBooleanField(default=False)
    instability = crypto.EncryptedBooleanField("knee gives way / feels unstable", default=False)
    swelling = crypto.EncryptedBooleanField(default=False)
    activities_given_up = crypto.EncryptedTextField(blank=True)
    # From the clinic's candidate checklist
    ligament_or_tendon_pain = crypto.EncryptedBooleanField(default=False)
    clicking = crypto.EncryptedBooleanField("clicking or popping", default=False)
    worse_with_activity = crypto.EncryptedBooleanField(default=False)
    better_with_rest = crypto.EncryptedBooleanField(default=False)
    pain_medication = crypto.EncryptedCharField(max_length=10, choices=PainMedication.choices, blank=True)
    otherwise_healthy = crypto.EncryptedCharField(max_length=10, choices=Answer.choices, blank=True)
    # What each treatment tried did ({treatment value: Helped value}), from the guide's questions.
    treatment_outcomes = crypto.EncryptedJSONField(default=dict, blank=True)
    pain_worsening = crypto.EncryptedCharField("pain getting worse", max_length=10, choices=Answer.choices, blank=True)
    activity_level = crypto.EncryptedCharField("how active", max_length=10, choices=Activity.choices, blank=True)
    image = models.FileField(storage=private_storage, upload_to="inquiries/%Y/%m/", blank=True)

    # The question form: the article it was asked from, if any
    article = models.ForeignKey(
        "articles.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="inquiries"
    )

    # The appointment form
    patient_status = models.CharField(max_length=10, choices=PatientStatus.choices, blank=True)
    preferred_days = models.JSONField(default=list, blank=True)
    preferred_times = models.JSONField(default=list, blank=True)

    # Staff-only hint from intake.rubric.suggest_patient_type; never shown to the patient.
    suggested_type = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(1, "Type 1"), (2, "Type 2"), (3, "Type 3")]
    )
    suggestion_reasons = crypto.EncryptedJSONField(default=list, blank=True)

    # Held back by a soft spam check (intake.spam): stored, not handed to staff as new until a
    # person releases it in admin ("Suspected spam"); purged after INTAKE_SUSPECTED_SPAM_DAYS.
    held_as_spam = models.BooleanField("suspected spam", default=False, db_index=True)
    spam_reasons = models.JSONField(default=list, blank=True)

    # Triage, written only by the services (move_inquiry, assign_inquiry, set_priority); the audit
    # log records each change with the signed-in user and the time.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_inquiries",
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # The last status move: purge_inquiries counts the retention period from the move to "closed".
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = InquiryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "inquiries"
        ordering = ["-submitted_at"]
        permissions = [
            ("export_inquiries", "Can export inquiries as CSV"),
            ("export_health_details", "Can include health details in the CSV export"),
            ("view_reports", "Can view the triage reports"),
        ]

    def __str__(self):
        return self.reference or f"inquiry {self.pk}"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def office_display(self) -> str:
        return self.office.label if self.office_id else "Either office, or remote"

    def get_admin_url(self) -> str:
        return reverse("admin:intake_inquiry_change", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.NEW and self.due_at is not None and self.due_at < timezone.now()

    def handoff_summary(self) -> tuple[str, str]:
        """(state, detail) of the inquiry's emails: sent, pending, failing or failed, with the first
        failure's kind, attempt and error. Reads self.outbox.all(), so a list that prefetched
        "outbox" costs no query a row. Shown in the admin and read by scripts/chaos.py."""
        rows = list(self.outbox.all())
        states = [row.handoff_state for row in rows]
        for state in ("failed", "failing"):
            if state in states:
                row = rows[states.index(state)]
                return state, f"{row.get_kind_display()}: attempt {row.attempts}, {row.last_error}"
        return ("pending" if "pending" in states else "sent"), ""


class HeldManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(held_as_spam=True)


class SuspectedSpam(Inquiry):
    """The inquiries held back as suspected spam, listed apart in admin to release or delete."""

    objects = HeldManager()

    class Meta:
        proxy = True
        verbose_name = "suspected spam"
        verbose_name_plural = "suspected spam"


class Note(models.Model):
    """A staff note on an inquiry (a call made, a message left). Append-only: services.add_note
    writes it once; nobody edits or deletes one (the admin offers neither)."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="notes")
    # SET_NULL: a departed colleague's account can be removed; the note stays, as "former staff".
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField("note")
    created_at = models.DateTimeField("when", default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        # Not the inquiry's reference: the notes inline lists every note, one query each.
        return f"Note {self.pk}"


class ContactAttempt(models.Model):
    """One try at reaching the person (a call, an email, a text) and how it went. Append-only:
    services.log_contact_attempt writes it once; "contacted" needs at least one."""

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        TEXT = "text", "Text message"

    class Outcome(models.TextChoices):
        REACHED = "reached", "Reached them"
        VOICEMAIL = "voicemail", "Left a voicemail"
        NO_ANSWER = "no_answer", "No answer"
        WRONG_NUMBER = "wrong_number", "Wrong number"
        # Written by services.send_reply (a reply from a template, through the outbox).
        EMAILED = "emailed", "Sent an email"

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="contact_attempts")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    note = models.TextField(blank=True)
    next_step = models.CharField("next step", max_length=200, blank=True)
    # SET_NULL: the attempt stays when a departed colleague's account is removed ("former staff").
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"Contact attempt {self.pk}"


class Subscriber(models.Model):
    """An e-newsletter address, confirmed by a link sent to it (double opt-in)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    # Stored lower-cased by services.request_subscription, so one address is one row.
    email = models.EmailField(unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # The privacy notice in effect when the address last asked to subscribe (clinic.privacy).
    privacy_notice_version = models.CharField(max_length=20, blank=True, editable=False)
    privacy_agreed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.email


# In their own modules: the emails to send (the outbox) and the staff's reply templates; the
# records of privacy work (a purge run, a person's request).
from intake.outbox import OutboxMessage, ReplyTemplate  # noqa: E402
from intake.records import PurgeRun, SubjectRequest  # noqa: E402

__all__ = ["Inquiry", "Note", "OutboxMessage", "PurgeRun", "ReplyTemplate", "Subscriber", "SubjectRequest"]
