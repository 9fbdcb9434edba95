"""Contact attempts: a call, email or text to the person, how it went, and what happens next.

A reached person moves the inquiry to "contacted"; staff.move_inquiry refuses "contacted" until an
attempt is logged, so the SLA cannot be met without trying to reach anyone.
"""

import logging

from django.db import transaction

from intake.models import ContactAttempt, Inquiry

from .audit import EVENT_ATTEMPT_LOGGED, record_event
from .staff import TriageRefused, _locked, move_inquiry

logger = logging.getLogger(__name__)


@transaction.atomic
def log_contact_attempt(
    *,
    inquiry: Inquiry,
    channel: str,
    outcome: str,
    by,
    note: str = "",
    next_step: str = "",
    detail: dict | None = None,
) -> ContactAttempt:
    """Record one attempt by `by` at reaching the person (ContactAttempt.Channel, .Outcome), with an
    audit entry ("contact attempt logged", the outcome; never the note). If they were reached and the
    inquiry is new or in review, it moves to "contacted" (updated in place). `detail` adds to the
    audit entry (ids and staff wording only: send_reply names its template there).

    Not idempotent: each call is one more attempt. Raises TriageRefused, changing nothing, for an
    unknown channel or outcome.
    """
    if channel not in ContactAttempt.Channel.values:
        raise TriageRefused(f"Unknown contact channel {channel!r}.")
    if outcome not in ContactAttempt.Outcome.values:
        raise TriageRefused(f"Unknown contact outcome {outcome!r}.")
    current = _locked(inquiry)
    attempt = ContactAttempt.objects.create(
        inquiry=current, channel=channel, outcome=outcome, note=note.strip(), next_step=next_step.strip(), by=by
    )
    if current.first_contacted_at is None:  # the time to first contact, set once (the row is locked)
        current.first_contacted_at = inquiry.first_contacted_at = attempt.at
        Inquiry.objects.filter(pk=current.pk).update(first_contacted_at=attempt.at)
    record_event(
        inquiry=current,
        by=by,
        event=EVENT_ATTEMPT_LOGGED,
        detail={**(detail or {}), "attempt": attempt.pk, "outcome": outcome},
    )
    logger.info("intake: %s contact attempt (%s) by user %s", current.reference, outcome, getattr(by, "pk", None))
    if status_after_attempt(current.status, outcome) != current.status:
        move_inquiry(inquiry=inquiry, to=Inquiry.Status.CONTACTED, by=by)
    return attempt


def status_after_attempt(status: str, outcome: str | None) -> str:
    """The status an inquiry has after an attempt with `outcome` (None: no attempt) is logged:
    reaching the person moves a new or in-review inquiry to contacted (a scheduled one stays
    scheduled: moving it back means the visit was called off, which staff decide)."""
    if outcome == ContactAttempt.Outcome.REACHED and status in (Inquiry.Status.NEW, Inquiry.Status.IN_REVIEW):
        return Inquiry.Status.CONTACTED
    return status
