"""Delivering: send an inquiry's outbox rows (and the newsletter's) once each, and queue that work.

The task sends each outbox row under a row lock and marks it sent; a beat sweep sends whatever is
still pending a few minutes later (Redis or the worker was down). Logs carry ids and references,
never what the person wrote.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from intake.models import OutboxMessage

from .emails import build_email

logger = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """Sending an outbox message failed; the error is recorded on the row and it stays pending."""


def enqueue(task, object_id: int) -> None:
    """Queue `task` (an intake.tasks task object) with an id; called after commit. Never raises: if
    the broker is down the row stays pending and the beat sweep (sweep_handoffs) sends it later, so
    the person's request still succeeds."""
    try:
        task.apply_async(args=[object_id])
    except Exception as exc:  # the broker may fail in many ways; none may fail the request
        logger.warning(
            "intake: could not queue %s for %s (%s); the hand-off sweep will send it",
            task.name.rpartition(".")[2],
            object_id,
            type(exc).__name__,
        )


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
