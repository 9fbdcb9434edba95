"""Removing inquiries: one by a superuser, or what is past retention (purge_inquiries): closed
inquiries, suspected spam and newsletter sign-ups never confirmed."""

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from intake.models import Inquiry, PurgeRun, Subscriber

logger = logging.getLogger(__name__)


def _delete_files(names: list[str]) -> None:
    storage = Inquiry._meta.get_field("image").storage
    for name in names:
        with contextlib.suppress(FileNotFoundError):  # already gone: a rerun, or removed by hand
            storage.delete(name)


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
    spam: int = 0
    unconfirmed_subscribers: int = 0
    run: PurgeRun | None = None

    def counts(self) -> dict[str, int]:
        return {
            "inquiries": len(self.references),
            "images": self.images,
            "orphan_files": self.orphan_files,
            "spam": self.spam,
            "unconfirmed_subscribers": self.unconfirmed_subscribers,
        }


def suspected_spam_due(cutoff):
    """Inquiries held as suspected spam (Inquiry.held_as_spam) since before `cutoff`: nobody
    released them (a release hands the inquiry over and restarts its submitted_at)."""
    return Inquiry.objects.filter(held_as_spam=True, submitted_at__lt=cutoff).order_by("pk")


def _due(statuses, cutoff):
    return (
        Inquiry.objects.filter(status__in=statuses)
        .alias(closed_at=Coalesce("status_changed_at", "submitted_at"))
        .filter(closed_at__lt=cutoff)
        .order_by("pk")
    )


def purge_inquiries(
    *, older_than: timedelta, now=None, dry_run: bool = False, spam_older_than: timedelta | None = None
) -> PurgeReport:
    """Delete closed inquiries (status "closed" or "not a candidate", Inquiry.CLOSED_STATUSES)
    whose last status move is older than `older_than` (the submission time if never moved), with
    their notes, outbox rows and image files; inquiries held as suspected spam that nobody
    released within `spam_older_than` (default INTAKE_SUSPECTED_SPAM_DAYS) likewise; newsletter sign-ups never confirmed
    within SUBSCRIBER_CONFIRM_DAYS, with their outbox rows; then image files under inquiries/ that
    no inquiry refers to and that are as old (left by an interrupted earlier run). A real run
    records its counts, and nothing else, as a PurgeRun.

    Audit entries are kept: they carry no health details (AUDITED_FIELDS and record_event), and
    who saw what is worth keeping longer than the inquiry. Safe to rerun: a second run finds
    nothing more. Batches of 500, each its own transaction, so a large purge does not hold locks.
    """
    now = now or timezone.now()
    cutoff = now - older_than
    spam_cutoff = now - (spam_older_than or timedelta(days=settings.INTAKE_SUSPECTED_SPAM_DAYS))
    subscriber_cutoff = now - timedelta(days=settings.SUBSCRIBER_CONFIRM_DAYS)
    report = PurgeReport()
    due = _due(Inquiry.CLOSED_STATUSES, cutoff)
    spam = suspected_spam_due(spam_cutoff)
    unconfirmed = Subscriber.objects.filter(status=Subscriber.Status.PENDING, created_at__lt=subscriber_cutoff)
    if dry_run:
        for reference, image in due.values_list("reference", "image"):
            report.references.append(reference)
            report.images += bool(image)
        report.spam = spam.count()
        report.unconfirmed_subscribers = unconfirmed.count()
        return report
    started = timezone.now()
    _delete_in_batches(due, report)
    report.spam = _delete_in_batches(spam, report, listed=False)
    report.unconfirmed_subscribers = unconfirmed.delete()[1].get("intake.Subscriber", 0)
    report.orphan_files = _purge_orphan_files(cutoff=cutoff)
    report.run = PurgeRun.objects.create(started_at=started, finished_at=timezone.now(), counts=report.counts())
    logger.info("intake: purge removed %s", report.counts())
    return report


def _delete_in_batches(due, report: PurgeReport, *, listed: bool = True) -> int:
    """Delete the inquiries of `due` 500 at a time, their files after each commit. Returns how many."""
    removed = 0
    while True:
        with transaction.atomic():
            batch = list(due.select_for_update().values_list("pk", "reference", "image")[:500])
            if not batch:
                return removed
            Inquiry.objects.filter(pk__in=[pk for pk, _, _ in batch]).delete()
            images = [image for _, _, image in batch if image]
            transaction.on_commit(partial(_delete_files, images))
        if listed:
            report.references += [reference for _, reference, _ in batch]
        removed += len(batch)
        report.images += len(images)


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
