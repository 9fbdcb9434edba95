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
from django.db.models import F
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
    worker. On failure records the error and attempt on the row and raises DeliveryFailed. The row
    is marked "failed" at once only when the server refused its recipient (is_permanent_failure);
    a failure of the server itself (connection, 4xx, authentication, sender or policy 5xx) keeps it
    pending and retried until it is INTAKE_HANDOFF_GIVE_UP_SECONDS old (a day by default).
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
            if is_permanent_failure(exc) or now - message.created_at >= give_up_after():
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


def failed_count() -> int:
    """How many emails are marked failed (given up or refused), for the admin home and /healthz."""
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count()


def _reference(message: OutboxMessage) -> str | None:
    """The inquiry reference for a log line (never the person's details); None for the newsletter."""
    return message.inquiry.reference if message.inquiry_id else None


def give_up_after() -> timedelta:
    """How long after it was stored a message still failing is marked failed (at least a day)."""
    return timedelta(seconds=settings.INTAKE_HANDOFF_GIVE_UP_SECONDS)


def is_permanent_failure(exc: Exception) -> bool:
    """The mail server refused this message's recipient for good (550/551/553 on RCPT TO, which
    smtplib raises as SMTPRecipientsRefused): retrying cannot help, so the message is marked failed
    at once for staff to see. Anything else is the server's trouble, not the address's, however
    it is worded: connection errors, 4xx, and 5xx replies to AUTH, MAIL FROM or DATA (530, 535,
    553, 554) mean every message would fail alike and may work a minute later, so they are retried."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(code >= 500 for code, _ in exc.recipients.values())
    return False


def _due(attempts: int, last_attempt_at, now) -> bool:
    """Whether a failing message has waited its backoff: INTAKE_RETRY_BASE_DELAY doubling per
    attempt up to INTAKE_RETRY_MAX_DELAY (and at least the sweep's own delay)."""
    if last_attempt_at is None:
        return True
    base, cap = settings.INTAKE_RETRY_BASE_DELAY, settings.INTAKE_RETRY_MAX_DELAY
    wait = max(settings.INTAKE_HANDOFF_SWEEP_AFTER, min(cap, base * 2 ** min(attempts, 20)))
    return now - last_attempt_at >= timedelta(seconds=wait)


def sweep_handoffs(*, limit: int = 200) -> int:
    """Send the outbox messages still pending INTAKE_HANDOFF_SWEEP_AFTER seconds after they were
    stored, each once its backoff since the last attempt has passed. Returns how many were sent.

    Run by Celery beat. Stops at the first failure of the server itself (the others would fail
    alike; the next sweep tries again), so a day-long outage costs one attempt a sweep. Safe to run
    twice at once: each row is sent under a skip-locked row lock.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.INTAKE_HANDOFF_SWEEP_AFTER)
    pending = (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, created_at__lte=cutoff)
        .exclude(last_attempt_at__gt=cutoff)
        # Least recently tried first: one message that keeps failing cannot hold up the others.
        .order_by(F("last_attempt_at").asc(nulls_first=True), "created_at")
        .values_list("pk", "attempts", "last_attempt_at")
    )
    due = [pk for pk, attempts, last in pending.iterator() if _due(attempts, last, now)][:limit]
    sent = 0
    for message_id in due:
        try:
            sent += deliver_message(message_id=message_id)
        except DeliveryFailed as exc:
            if not is_permanent_failure(exc.__cause__):
                break  # the server's trouble: the next sweep tries again
    if sent:
        logger.info("intake: hand-off sweep sent %s message(s)", sent)
    return sent
