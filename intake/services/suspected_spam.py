"""Suspected spam: inquiries a soft spam check held back (intake.spam). They are stored, but not
handed to staff as new: staff release them in admin ("Suspected spam"), which hands them over as
usual, or delete them; purge_suspected_spam removes the ones nobody released after
INTAKE_SUSPECTED_SPAM_DAYS."""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from intake.models import Inquiry

from .retention import _delete_files
from .submission import hand_over

logger = logging.getLogger(__name__)


@transaction.atomic
def release_inquiry(*, inquiry: Inquiry, by) -> bool:
    """Hand a held inquiry over as if it had passed the checks: it joins the new inquiries (its
    age counted from now) and its emails are sent. Returns False if it was not held (a rerun)."""
    updated = Inquiry.objects.filter(pk=inquiry.pk, held_as_spam=True).update(
        held_as_spam=False, submitted_at=timezone.now()
    )
    if not updated:
        return False
    inquiry.refresh_from_db()
    hand_over(inquiry)
    logger.info("intake: %s released from suspected spam by user %s", inquiry.reference, getattr(by, "pk", None))
    return True


def purge_suspected_spam(*, now=None, dry_run: bool = False) -> list[str]:
    """Delete held inquiries older than INTAKE_SUSPECTED_SPAM_DAYS, with their image files.
    Returns their references. Safe to rerun."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.INTAKE_SUSPECTED_SPAM_DAYS)
    due = Inquiry.objects.filter(held_as_spam=True, submitted_at__lt=cutoff)
    rows = list(due.values_list("pk", "reference", "image"))
    if not dry_run and rows:
        with transaction.atomic():
            Inquiry.objects.filter(pk__in=[pk for pk, _, _ in rows], held_as_spam=True).delete()
            transaction.on_commit(partial(_delete_files, [image for _, _, image in rows if image]))
    return [reference for _, reference, _ in rows]
