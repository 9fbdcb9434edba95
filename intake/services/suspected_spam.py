"""Suspected spam: inquiries a soft spam check held back (intake.spam). They are stored, but not
handed to staff as new: staff release them in admin ("Suspected spam"), which hands them over as
usual, or delete them; purge_inquiries (services.retention) removes the ones nobody released
within INTAKE_SUSPECTED_SPAM_DAYS."""

import logging

from django.db import transaction
from django.utils import timezone

from intake.models import Inquiry

from .deadlines import sla_deadline
from .submission import hand_over

logger = logging.getLogger(__name__)


@transaction.atomic
def release_inquiry(*, inquiry: Inquiry, by) -> bool:
    """Hand a held inquiry over as if it had passed the checks: it joins the new inquiries (its
    age counted from now) and its emails are sent. Returns False if it was not held (a rerun)."""
    now = timezone.now()
    _, due_at = sla_deadline(inquiry.office, now)  # its SLA counted from now too
    updated = Inquiry.objects.filter(pk=inquiry.pk, held_as_spam=True).update(
        held_as_spam=False, submitted_at=now, due_at=due_at
    )
    if not updated:
        return False
    inquiry.refresh_from_db()
    hand_over(inquiry)
    logger.info("intake: %s released from suspected spam by user %s", inquiry.reference, getattr(by, "pk", None))
    return True
