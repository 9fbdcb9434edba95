"""Run a job once per period however many processes try (e.g. two Celery beats both scheduling the
daily digest). The lock is a database row with a unique (key, period): it holds across processes
and hosts, outlives a Redis restart, and works on SQLite as on PostgreSQL."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import RunClaim


def once_per(key: str, period: date | None = None, *, owner: str) -> bool:
    """True if `owner` may run job `key` for `period` (today in UTC by default): it is the first to
    ask, or it asked before (a retry of the same Celery task keeps its id, so pass that as `owner`).
    False if another owner already claimed it: skip the job."""
    period = period or timezone.now().date()
    try:
        with transaction.atomic():
            RunClaim.objects.create(key=key, period=period, owner=owner)
        return True
    except IntegrityError:
        return RunClaim.objects.filter(key=key, period=period, owner=owner).exists()


def release(key: str, period: date | None = None) -> None:
    """Forget the claim (the job failed for good), so a later attempt for the period may run it."""
    RunClaim.objects.filter(key=key, period=period or timezone.now().date()).delete()
