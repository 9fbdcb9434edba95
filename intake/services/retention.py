"""Removing inquiries: one by a superuser, or the closed ones past retention (purge_inquiries)."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from intake.models import Inquiry

logger = logging.getLogger(__name__)


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
