"""The intake workflow: store what a person sent, then hand it to staff without losing or doubling it.

A submission and the emails it causes are stored in one transaction (one outbox row per email).
After commit, a Celery task is queued with the inquiry's id only (no health details in the broker).
The task sends each outbox row under a row lock and marks it sent; a beat sweep sends whatever is
still pending a few minutes later (Redis or the worker was down). Emails carry the reference, never
symptoms. Logs carry ids and references, never what the person wrote.
"""

import logging
import smtplib
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic import site as identity
from clinic.models import Office

from .models import Inquiry, Note, OutboxMessage, Subscriber, overdue_before
from .triage import suggest_patient_type

logger = logging.getLogger(__name__)

NEWSLETTER_CONFIRM_SALT = "intake.newsletter.confirm"
NEWSLETTER_UNSUBSCRIBE_SALT = "intake.newsletter.unsubscribe"
NEWSLETTER_CONFIRM_MAX_AGE = timedelta(days=7)
# A new confirmation email for the same address at most this often, so the form cannot mail-bomb.
NEWSLETTER_RESEND_AFTER = timedelta(hours=1)

# The emails each kind of inquiry causes.
INQUIRY_MESSAGES = [OutboxMessage.Kind.STAFF_NOTIFICATION, OutboxMessage.Kind.PATIENT_CONFIRMATION]


class DeliveryFailed(Exception):
    """Sending an outbox message failed; the error is recorded on the row and it stays pending."""


# --- Submitting --------------------------------------------------------------------------------


def submit_inquiry(
    *,
    kind: str,
    submission_token: uuid.UUID,
    answers: dict[str, Any],
    image: ContentFile | None = None,
) -> tuple[Inquiry, bool]:
    """Store an inquiry and its outbox rows; queue the hand-off after commit.

    `answers` are Inquiry field values from a validated form; `image` is an already re-encoded
    file (intake.forms.clean_report_image). Returns (inquiry, created). Safe to rerun with the same
    `submission_token`: a double click or a resubmitted POST returns the inquiry stored the first
    time and stores and sends nothing more.
    """
    existing = Inquiry.objects.filter(submission_token=submission_token).first()
    if existing is not None:
        return existing, False
    try:
        return _store_inquiry(kind=kind, submission_token=submission_token, answers=answers, image=image), True
    except IntegrityError:
        # Two requests with the same token raced; the other one stored it.
        existing = Inquiry.objects.filter(submission_token=submission_token).first()
        if existing is None:
            raise
        return existing, False


@transaction.atomic
def _store_inquiry(
    *, kind: str, submission_token: uuid.UUID, answers: dict[str, Any], image: ContentFile | None
) -> Inquiry:
    inquiry = Inquiry(kind=kind, submission_token=submission_token, **answers)
    if kind == Inquiry.Kind.CANDIDATE:
        suggestion = suggest_patient_type(
            onset=inquiry.onset,
            duration=inquiry.duration,
            treatments_tried=inquiry.treatments_tried,
            replacement_recommended=inquiry.replacement_recommended,
            instability=inquiry.instability,
            description=inquiry.message,
        )
        inquiry.suggested_type = suggestion.patient_type
        inquiry.suggestion_reasons = list(suggestion.reasons)
    if image is not None:
        inquiry.image.save(image.name, image, save=False)
    inquiry.save()
    # The reference needs the id, so it is set in the same transaction right after the insert.
    inquiry.reference = f"KN-{timezone.localtime(inquiry.submitted_at).year}-{inquiry.pk:06d}"
    inquiry.save(update_fields=["reference"])
    OutboxMessage.objects.bulk_create([OutboxMessage(inquiry=inquiry, kind=k) for k in INQUIRY_MESSAGES])
    logger.info("intake: stored %s %s", inquiry.kind, inquiry.reference, extra={"reference": inquiry.reference})
    transaction.on_commit(partial(enqueue, "deliver_inquiry", inquiry.pk))
    return inquiry


def enqueue(task_name: str, object_id: int) -> None:
    """Queue the intake.tasks task `task_name` with an id. Never raises: if the broker is down the row stays pending and
    the beat sweep (sweep_handoffs) sends it later, so the person's request still succeeds."""
    from . import tasks  # imported here: the tasks module imports this one

    try:
        getattr(tasks, task_name).apply_async(args=[object_id])
    except Exception as exc:  # the broker may fail in many ways; none may fail the request
        logger.warning(
            "intake: could not queue %s for %s (%s); the hand-off sweep will send it",
            task_name,
            object_id,
            type(exc).__name__,
        )


# --- Delivering --------------------------------------------------------------------------------


def deliver_inquiry(*, inquiry_id: int) -> int:
    """Send every pending email of one inquiry. Returns how many were sent now.

    Safe to rerun, also concurrently: each message is sent under its row lock and marked sent, so
    it goes out once. Raises DeliveryFailed if any message failed (recorded on its row).
    """
    sent = 0
    failures = []
    ids = OutboxMessage.objects.filter(inquiry_id=inquiry_id, status=OutboxMessage.Status.PENDING).values_list(
        "pk", flat=True
    )
    for message_id in list(ids):
        try:
            sent += deliver_message(message_id=message_id)
        except DeliveryFailed as exc:
            failures.append(exc)
    if failures:
        raise DeliveryFailed(f"{len(failures)} message(s) of inquiry {inquiry_id} failed") from failures[0]
    return sent


def deliver_message(*, message_id: int) -> bool:
    """Send one outbox message if it is still pending and nobody else is sending it.

    Returns True if it was sent now, False if it was already sent, given up, or locked by another
    worker. On failure records the error and attempt on the row (status "failed" after
    INTAKE_HANDOFF_MAX_ATTEMPTS, or at once on a permanent SMTP refusal) and raises DeliveryFailed.
    Safe to rerun.
    """
    error = None
    with transaction.atomic():
        # The lock is held while the email is sent: a second task or sweep skips the row instead of
        # sending it again. SQLite has no row locks, but it runs one writer at a time anyway.
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("inquiry__office", "subscriber")
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return False
        now = timezone.now()
        message.attempts += 1
        message.last_attempt_at = now
        try:
            build_email(message).send()
        except Exception as exc:  # SMTP, network, time limit: recorded for staff, retried later
            error = exc
            message.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if message.attempts >= settings.INTAKE_HANDOFF_MAX_ATTEMPTS or is_permanent_failure(exc):
                message.status = OutboxMessage.Status.FAILED
            logger.warning(
                "intake: sending outbox message %s (%s) failed on attempt %s: %s",
                message.pk,
                message.kind,
                message.attempts,
                type(exc).__name__,
                extra={"reference": _reference(message)},
            )
        else:
            message.status = OutboxMessage.Status.SENT
            message.sent_at = now
            message.last_error = ""
            logger.info(
                "intake: sent outbox message %s (%s)",
                message.pk,
                message.kind,
                extra={"reference": _reference(message)},
            )
        message.save(update_fields=["attempts", "last_attempt_at", "last_error", "status", "sent_at"])
    if error is not None:
        raise DeliveryFailed(str(message)) from error
    return True


def _reference(message: OutboxMessage) -> str | None:
    """The inquiry reference for a log line (never the person's details); None for the newsletter."""
    return message.inquiry.reference if message.inquiry_id else None


def is_permanent_failure(exc: Exception) -> bool:
    """The mail server refused for good (an SMTP 5xx reply, e.g. 550 no such mailbox): retrying
    cannot help, so the message is marked failed at once for staff to see. 4xx replies (421 busy)
    and network errors are temporary and retried."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(code >= 500 for code, _ in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return isinstance(exc, smtplib.SMTPResponseException) and isinstance(code, int) and 500 <= code < 600


def sweep_handoffs(*, limit: int = 200) -> int:
    """Send the outbox messages still pending INTAKE_HANDOFF_SWEEP_AFTER seconds after they were
    stored (and as long after their last attempt). Returns how many were sent.

    Run by Celery beat. Safe to run twice at once: each row is sent under a skip-locked row lock.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.INTAKE_HANDOFF_SWEEP_AFTER)
    due = (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, created_at__lte=cutoff)
        .exclude(last_attempt_at__gt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for message_id in list(due):
        try:
            sent += deliver_message(message_id=message_id)
        except DeliveryFailed:
            continue  # recorded on the row; the next sweep tries again
    if sent:
        logger.info("intake: hand-off sweep sent %s message(s)", sent)
    return sent


@transaction.atomic
def retry_handoff(*, inquiry: Inquiry) -> int:
    """Put an inquiry's given-up messages back to pending and queue the hand-off (staff action).

    Returns how many messages were reset. Safe to rerun.
    """
    count = inquiry.outbox.filter(status=OutboxMessage.Status.FAILED).update(
        status=OutboxMessage.Status.PENDING, attempts=0
    )
    transaction.on_commit(partial(enqueue, "deliver_inquiry", inquiry.pk))
    return count


# --- The emails --------------------------------------------------------------------------------


def message_id_header(message: OutboxMessage) -> str:
    """A Message-ID fixed by the outbox row: a duplicate send shows up as the same id twice."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<outbox-{message.pk}.{message.kind}@{domain}>"


def build_email(message: OutboxMessage) -> EmailMessage:
    """The email for an outbox row. Bodies come from templates/intake/email/ and carry references
    and links only, never symptoms or other health details."""
    context = {
        "clinic_name": identity.CLINIC_NAME,
        "disclaimer": identity.DISCLAIMER,
        "site_url": settings.SITE_URL,
        "offices": list(Office.objects.all()),
    }
    headers = {"Message-ID": message_id_header(message)}
    if message.kind == OutboxMessage.Kind.STAFF_NOTIFICATION:
        inquiry = message.inquiry
        context.update(inquiry=inquiry, admin_url=settings.SITE_URL + inquiry.get_admin_url())
        subject = f"New {inquiry.get_kind_display().lower()} {inquiry.reference}"
        to = list(settings.STAFF_NOTIFY_EMAILS)
        template = "intake/email/staff_notification.txt"
    elif message.kind == OutboxMessage.Kind.PATIENT_CONFIRMATION:
        inquiry = message.inquiry
        context.update(inquiry=inquiry)
        subject = f"We received your message ({inquiry.reference})"
        to = [inquiry.email]
        template = "intake/email/patient_confirmation.txt"
    else:
        subscriber = message.subscriber
        unsubscribe_url = settings.SITE_URL + newsletter_unsubscribe_path(subscriber)
        context.update(
            confirm_url=settings.SITE_URL + newsletter_confirm_path(subscriber), unsubscribe_url=unsubscribe_url
        )
        # RFC 8058: mail clients show their own "Unsubscribe" and POST to the link in one click.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        subject = f"Please confirm your {identity.CLINIC_NAME} e-newsletter subscription"
        to = [subscriber.email]
        template = "intake/email/newsletter_confirmation.txt"
    body = render_to_string(template, context)
    return EmailMessage(subject=subject, body=body, to=to, headers=headers)


# --- The e-newsletter --------------------------------------------------------------------------


@transaction.atomic
def request_subscription(*, email: str) -> None:
    """Start the double opt-in for `email`: store it as pending and queue a confirmation link.

    Reveals nothing: the caller shows the same page whether the address was new, pending, already
    subscribed or unsubscribed. An already confirmed address gets no email; a pending one gets at
    most one confirmation email per NEWSLETTER_RESEND_AFTER. Safe to rerun.
    """
    subscriber, _ = Subscriber.objects.select_for_update().get_or_create(email=email.strip().lower())
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.PENDING
        subscriber.save(update_fields=["status"])
    recent = subscriber.outbox.filter(created_at__gt=timezone.now() - NEWSLETTER_RESEND_AFTER).exists()
    if recent:
        return
    message = OutboxMessage.objects.create(subscriber=subscriber, kind=OutboxMessage.Kind.NEWSLETTER_CONFIRMATION)
    transaction.on_commit(partial(enqueue, "deliver_outbox_message", message.pk))


def newsletter_confirm_path(subscriber: Subscriber) -> str:
    token = signing.dumps([subscriber.pk, subscriber.email], salt=NEWSLETTER_CONFIRM_SALT)
    return reverse("intake:newsletter_confirm", args=[token])


def newsletter_unsubscribe_path(subscriber: Subscriber) -> str:
    token = signing.dumps([subscriber.pk, subscriber.email], salt=NEWSLETTER_UNSUBSCRIBE_SALT)
    return reverse("intake:newsletter_unsubscribe", args=[token])


def subscriber_from_token(token: str, *, purpose: str) -> Subscriber | None:
    """The subscriber a signed link names, or None if the link is forged, altered or expired.

    `purpose` is "confirm" (valid NEWSLETTER_CONFIRM_MAX_AGE) or "unsubscribe" (valid forever).
    """
    try:
        if purpose == "confirm":
            pk, email = signing.loads(token, salt=NEWSLETTER_CONFIRM_SALT, max_age=NEWSLETTER_CONFIRM_MAX_AGE)
        else:
            pk, email = signing.loads(token, salt=NEWSLETTER_UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Subscriber.objects.filter(pk=pk, email=email).first()


@transaction.atomic
def confirm_subscription(*, subscriber: Subscriber) -> None:
    """Mark the address subscribed (a confirmed link). Safe to rerun."""
    if subscriber.status != Subscriber.Status.CONFIRMED:
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])


@transaction.atomic
def unsubscribe(*, subscriber: Subscriber) -> None:
    """Stop sending to the address. Safe to rerun."""
    if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])


# --- Triage ------------------------------------------------------------------------------------
#
# Staff work inquiries through these functions only (the admin's form, buttons and bulk actions
# call them). Each change is saved with its own update_fields, so django-auditlog records exactly
# what changed, with the signed-in user (AuditlogMiddleware) and the time. Events that change no
# field (a page or image viewed, a note added, an export) are recorded by record_event.

# The state machine: from each status, the statuses staff may move an inquiry to.
S = Inquiry.Status
ALLOWED_MOVES: dict[str, tuple[str, ...]] = {
    S.NEW: (S.IN_REVIEW, S.CONTACTED, S.NOT_A_CANDIDATE, S.CLOSED),
    S.IN_REVIEW: (S.CONTACTED, S.NOT_A_CANDIDATE, S.CLOSED),
    S.CONTACTED: (S.SCHEDULED, S.NOT_A_CANDIDATE, S.CLOSED),
    # A visit can be called off (back to contacted) or the person turns out not to fit.
    S.SCHEDULED: (S.CONTACTED, S.NOT_A_CANDIDATE, S.CLOSED),
    # Reopening goes through review again.
    S.NOT_A_CANDIDATE: (S.IN_REVIEW,),
    S.CLOSED: (S.IN_REVIEW,),
}
del S


class TriageRefused(Exception):
    """A triage change that is not allowed (a move the state machine forbids, an assignee who may
    not work inquiries, an empty note). Nothing was changed; the message says why, for staff."""


def allowed_moves(status: str) -> tuple[str, ...]:
    return ALLOWED_MOVES.get(status, ())


def triage_staff():
    """Users who may be assigned inquiries: active staff allowed to change them."""
    can_change = Permission.objects.filter(codename="change_inquiry", content_type__app_label="intake")
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions__in=can_change) | Q(user_permissions__in=can_change))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _locked(inquiry: Inquiry) -> Inquiry:
    """The inquiry's current row, locked until the transaction ends, so two staff members' changes
    are applied one after the other against what the other left."""
    return Inquiry.objects.select_for_update().get(pk=inquiry.pk)


@transaction.atomic
def move_inquiry(*, inquiry: Inquiry, to: str, by) -> Inquiry:
    """Move `inquiry` to status `to`, if the state machine (ALLOWED_MOVES) allows it from the status
    it has now. Records who and when (status_changed_by/at, and the audit log). Updates `inquiry`
    in place and returns it.

    Raises TriageRefused, changing nothing, for a move not allowed, including to the status it
    already has: a rerun is refused, never applied twice.
    """
    current = _locked(inquiry)
    if to not in allowed_moves(current.status):
        if to == current.status:
            raise TriageRefused(f"{current.reference} is already {current.get_status_display().lower()}.")
        target = Inquiry.Status(to).label if to in Inquiry.Status.values else to
        raise TriageRefused(
            f"{current.reference} cannot move from {current.get_status_display().lower()} to {str(target).lower()}."
        )
    current.status = to
    current.status_changed_at = timezone.now()
    current.status_changed_by = by
    current.save(update_fields=["status", "status_changed_at", "status_changed_by"])
    logger.info("intake: %s moved to %s by user %s", current.reference, to, getattr(by, "pk", None))
    inquiry.status, inquiry.status_changed_at, inquiry.status_changed_by = to, current.status_changed_at, by
    return inquiry


@transaction.atomic
def assign_inquiry(*, inquiry: Inquiry, assignee, by) -> bool:
    """Assign `inquiry` to `assignee` (a user from triage_staff()), or to nobody with None.

    Returns False if it was already theirs (nothing recorded): safe to rerun. Raises TriageRefused
    if `assignee` may not work inquiries.
    """
    if assignee is not None and not triage_staff().filter(pk=assignee.pk).exists():
        raise TriageRefused(f"{assignee} cannot be assigned inquiries (not active triage staff).")
    current = _locked(inquiry)
    if current.assignee_id == (assignee.pk if assignee else None):
        inquiry.assignee = assignee
        return False
    current.assignee = assignee
    current.save(update_fields=["assignee"])
    logger.info("intake: %s assigned to user %s by user %s", current.reference, current.assignee_id, by.pk)
    inquiry.assignee = assignee
    return True


@transaction.atomic
def set_priority(*, inquiry: Inquiry, priority: int, by) -> bool:
    """Set the inquiry's priority (Inquiry.Priority). Returns False if unchanged. Safe to rerun."""
    if priority not in Inquiry.Priority.values:
        raise TriageRefused(f"Unknown priority {priority!r}.")
    current = _locked(inquiry)
    if current.priority == priority:
        return False
    current.priority = priority
    current.save(update_fields=["priority"])
    inquiry.priority = priority
    return True


@transaction.atomic
def add_note(*, inquiry: Inquiry, text: str, by) -> Note:
    """Append a note by `by` to the inquiry, and record "note added" in its audit trail (the
    event, never the text). Notes are never changed afterwards. Not idempotent: each call adds
    a note. Raises TriageRefused for an empty note."""
    text = text.strip()
    if not text:
        raise TriageRefused("A note cannot be empty.")
    note = Note.objects.create(inquiry=inquiry, author=by, text=text)
    record_event(inquiry=inquiry, by=by, event=EVENT_NOTE_ADDED, detail={"note": note.pk})
    return note


# Events in the audit trail that change no field. The labels are what staff read.
EVENT_VIEWED = "viewed"
EVENT_IMAGE_VIEWED = "image_viewed"
EVENT_THUMBNAIL_VIEWED = "thumbnail_viewed"
EVENT_NOTE_ADDED = "note_added"
EVENT_EXPORTED = "exported"
EVENT_LABELS = {
    EVENT_VIEWED: "Opened the inquiry",
    EVENT_IMAGE_VIEWED: "Downloaded the image",
    EVENT_THUMBNAIL_VIEWED: "Saw the image (thumbnail)",
    EVENT_NOTE_ADDED: "Added a note",
    EVENT_EXPORTED: "Exported it to CSV",
}


def _event_entry(inquiry: Inquiry, *, by, event: str, detail: dict | None):
    action = LogEntry.Action.UPDATE if event == EVENT_NOTE_ADDED else LogEntry.Action.ACCESS
    return LogEntry(
        content_type=ContentType.objects.get_for_model(Inquiry),
        object_pk=str(inquiry.pk),
        object_id=inquiry.pk,
        object_repr=str(inquiry),
        action=action,
        actor=by,
        actor_email=getattr(by, "email", None),
        additional_data={"event": event, **(detail or {})},
    )


def record_event(*, inquiry: Inquiry, by, event: str, detail: dict | None = None):
    """Write one audit entry for an event on an inquiry that changes none of its fields (see
    EVENT_LABELS), by user `by`, now. `detail` must hold ids only, never what anyone wrote.
    Not idempotent: each call is one more entry, as each view is one more view."""
    entry = _event_entry(inquiry, by=by, event=event, detail=detail)
    entry.save()
    return entry


def record_events(*, inquiries, by, event: str) -> int:
    """record_event for many inquiries in one insert (a CSV export). Returns how many."""
    entries = [_event_entry(inquiry, by=by, event=event, detail=None) for inquiry in inquiries]
    LogEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)


def audit_trail(*, inquiry: Inquiry, limit: int | None = None):
    """The inquiry's audit entries, newest first, with their actors (one query)."""
    entries = LogEntry.objects.get_for_object(inquiry).select_related("actor").order_by("-timestamp", "-pk")
    return entries[:limit] if limit else entries


# --- Removing inquiries ------------------------------------------------------------------------


def _delete_files(names: list[str]) -> None:
    storage = Inquiry._meta.get_field("image").storage
    for name in names:
        try:
            storage.delete(name)
        except FileNotFoundError:
            pass  # already gone: a rerun, or removed by hand


@transaction.atomic
def delete_inquiry(*, inquiry: Inquiry, by) -> None:
    """Delete an inquiry with its notes and outbox rows, and its image file once the deletion is
    committed. The audit log records the deletion (who, when; no health details). The admin
    allows it to superusers only. Safe to rerun on an inquiry already deleted (does nothing)."""
    image = inquiry.image.name
    deleted, _ = Inquiry.objects.filter(pk=inquiry.pk).delete()
    if deleted and image:
        transaction.on_commit(partial(_delete_files, [image]))
    logger.info("intake: %s deleted by user %s", inquiry.reference, getattr(by, "pk", None))


@dataclass
class PurgeReport:
    references: list[str] = field(default_factory=list)
    images: int = 0
    orphan_files: int = 0


def purge_inquiries(*, older_than: timedelta, now=None, dry_run: bool = False) -> PurgeReport:
    """Delete closed inquiries (status "closed" or "not a candidate", Inquiry.CLOSED_STATUSES)
    whose last status move is older than `older_than` (the submission time if never moved), with
    their notes, outbox rows and image files; then image files under inquiries/ that no inquiry
    refers to and that are as old (left by an interrupted earlier run).

    Audit entries are kept: they carry no health details (AUDITED_FIELDS and record_event), and
    who saw what is worth keeping longer than the inquiry. Safe to rerun: a second run finds
    nothing more. Batches of 500, each its own transaction, so a large purge does not hold locks.
    """
    now = now or timezone.now()
    cutoff = now - older_than
    report = PurgeReport()
    due = (
        Inquiry.objects.filter(status__in=Inquiry.CLOSED_STATUSES)
        .alias(closed_at=Coalesce("status_changed_at", "submitted_at"))
        .filter(closed_at__lt=cutoff)
        .order_by("pk")
    )
    if dry_run:
        for reference, image in due.values_list("reference", "image"):
            report.references.append(reference)
            report.images += bool(image)
        return report
    while True:
        with transaction.atomic():
            batch = list(due.select_for_update().values_list("pk", "reference", "image")[:500])
            if not batch:
                break
            Inquiry.objects.filter(pk__in=[pk for pk, _, _ in batch]).delete()
            images = [image for _, _, image in batch if image]
            transaction.on_commit(partial(_delete_files, images))
        report.references += [reference for _, reference, _ in batch]
        report.images += len(images)
    report.orphan_files = _purge_orphan_files(cutoff=cutoff)
    return report


def _purge_orphan_files(*, cutoff) -> int:
    storage = Inquiry._meta.get_field("image").storage
    root = Path(storage.location) / "inquiries"
    if not root.is_dir():
        return 0
    known = set(Inquiry.objects.exclude(image="").values_list("image", flat=True))
    removed = 0
    for path in root.rglob("*"):
        name = path.relative_to(storage.location).as_posix()
        if path.is_file() and name not in known and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


# --- Counts and the daily digest ---------------------------------------------------------------


def triage_counts(*, user=None, now=None) -> dict[str, int]:
    """new (all new), new_today (new, received since midnight clinic time), new_overdue (new for
    longer than TRIAGE_SLA_HOURS) and mine_open (assigned to `user`, not closed). One query."""
    now = now or timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    new = Q(status=Inquiry.Status.NEW)
    counts = {
        "new": Count("pk", filter=new),
        "new_today": Count("pk", filter=new & Q(submitted_at__gte=midnight)),
        "new_overdue": Count("pk", filter=new & Q(submitted_at__lt=overdue_before(now))),
    }
    if user is not None:
        counts["mine_open"] = Count("pk", filter=Q(assignee=user) & ~Q(status__in=Inquiry.CLOSED_STATUSES))
    result = Inquiry.objects.aggregate(**counts)
    result.setdefault("mine_open", 0)
    return result


def send_triage_digest(*, now=None) -> dict[str, int]:
    """Email STAFF_NOTIFY_EMAILS the counts of new and overdue inquiries with a link to the list:
    counts only, no names or health details. Sent every day, also when nothing is waiting (a
    quiet digest still shows the system works). Raises on an SMTP error (the task retries).
    A rerun sends the digest again."""
    counts = triage_counts(now=now)
    context = {
        "clinic_name": identity.CLINIC_NAME,
        "counts": counts,
        "sla_hours": settings.TRIAGE_SLA_HOURS,
        "new_url": settings.SITE_URL + reverse("admin:intake_inquiry_changelist") + "?status=new",
        "overdue_url": settings.SITE_URL + reverse("admin:intake_inquiry_changelist") + "?overdue=yes",
    }
    subject = f"Inquiries waiting: {counts['new']} new, {counts['new_overdue']} overdue"
    body = render_to_string("intake/email/triage_digest.txt", context)
    EmailMessage(subject=subject, body=body, to=list(settings.STAFF_NOTIFY_EMAILS)).send()
    logger.info("intake: triage digest sent (%s new, %s overdue)", counts["new"], counts["new_overdue"])
    return counts
