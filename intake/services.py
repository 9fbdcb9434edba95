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
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic import site as identity
from clinic.models import Office

from .models import Inquiry, OutboxMessage, Subscriber
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
    logger.info("intake: stored %s %s", inquiry.kind, inquiry.reference)
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
            )
        else:
            message.status = OutboxMessage.Status.SENT
            message.sent_at = now
            message.last_error = ""
            logger.info("intake: sent outbox message %s (%s)", message.pk, message.kind)
        message.save(update_fields=["attempts", "last_attempt_at", "last_error", "status", "sent_at"])
    if error is not None:
        raise DeliveryFailed(str(message)) from error
    return True


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
        context.update(
            confirm_url=settings.SITE_URL + newsletter_confirm_path(subscriber),
            unsubscribe_url=settings.SITE_URL + newsletter_unsubscribe_path(subscriber),
        )
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
