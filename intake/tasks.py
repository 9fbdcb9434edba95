"""Celery tasks of the intake hand-off. Thin: they take an id and call one service.

Every task is safe to run twice or concurrently: the services send each outbox row under a row lock
and mark it sent. Arguments are ids only, so no health detail ever reaches the broker, and results
are ignored (no result backend). Which module imports which: intake/services/__init__.py.
"""

import random
from collections.abc import Callable

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from clinic.locks import once_per, release

from .services import delivery, digest, uploads


def _backoff(retries: int) -> int:
    """Exponential backoff between retries, capped (INTAKE_RETRY_BASE_DELAY, INTAKE_RETRY_MAX_DELAY:
    30 s doubling up to 600 s by default), plus a little jitter. The broker's visibility timeout
    (settings) must stay longer than the cap plus the task time limit."""
    base = settings.INTAKE_RETRY_BASE_DELAY
    return min(settings.INTAKE_RETRY_MAX_DELAY, base * 2**retries) + random.randint(0, min(10, base))


def _send_or_retry(task, send: Callable[..., object], **ids: int) -> None:
    """Run a delivery service; on SMTP, connection or database errors retry the task with backoff.
    Run in process (the embedded default) it does not retry in the request: the failure is recorded
    on the outbox row, staff see it, and the sweep or the admin's "retry" action sends it later."""
    try:
        send(**ids)
    except (delivery.DeliveryFailed, DatabaseError) as exc:
        if task.request.is_eager:
            return
        raise task.retry(exc=exc, countdown=_backoff(task.request.retries)) from exc


@shared_task(bind=True, max_retries=8, ignore_result=True)
def deliver_inquiry(self, inquiry_id: int) -> None:
    """Send the staff notification and the patient confirmation of one inquiry."""
    _send_or_retry(self, delivery.deliver_inquiry, inquiry_id=inquiry_id)


@shared_task(bind=True, max_retries=8, ignore_result=True)
def deliver_outbox_message(self, message_id: int) -> None:
    """Send one outbox message (the e-newsletter confirmation link, a staff reply to a patient).
    Retries like deliver_inquiry."""
    _send_or_retry(self, delivery.deliver_message, message_id=message_id)


@shared_task(ignore_result=True)
def sweep_handoffs() -> int:
    """Celery beat, every minute: send whatever was stored but not handed over a few minutes ago
    (Redis or the worker was down at submit time, or the task gave up). Safe to overlap."""
    return delivery.sweep_handoffs()


@shared_task(ignore_result=True)
def sweep_orphan_images() -> int:
    """Celery beat, hourly: remove picture files no inquiry refers to (left by a crash)."""
    return uploads.sweep_orphan_images()


DIGEST_JOB = "triage-digest"


@shared_task(bind=True, max_retries=5, ignore_result=True)
def send_triage_digest(self) -> None:
    """Celery beat, daily: email the triage inbox how many inquiries are new and overdue (counts and
    a link only). Sent once a day however many beats run (clinic.locks.once_per: a retry of this task
    keeps its claim, another beat's task finds it taken); retries with backoff if the SMTP server
    fails, and frees the day's claim when it gives up."""
    if not once_per(DIGEST_JOB, owner=self.request.id or "eager"):
        return
    try:
        digest.send_triage_digest()
    except OSError as exc:  # smtplib's errors and connection failures alike
        if self.request.is_eager or self.request.retries >= self.max_retries:
            release(DIGEST_JOB)
            raise
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
