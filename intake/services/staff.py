"""The staff workflow (triage): status moves, assignment, priority, notes, retrying a hand-off.

Staff work inquiries through these functions only (the admin's form, buttons and bulk actions
call them). Each change is saved with its own update_fields, so django-auditlog records exactly
what changed, with the signed-in user (AuditlogMiddleware) and the time. Events that change no
field (a note added) are recorded by audit.record_event.
"""

import logging
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from intake import tasks
from intake.models import Inquiry, Note, OutboxMessage

from .audit import EVENT_NOTE_ADDED, record_event
from .delivery import enqueue

logger = logging.getLogger(__name__)

# The state machine: from each status, the statuses staff may move an inquiry to.
S = Inquiry.Status
ALLOWED_MOVES: dict[str, tuple[str, ...]] = {
    S.NEW: (S.IN_REVIEW, S.CONTACTED, S.NOT_A_CANDIDATE, S.CLOSED),
    S.IN_REVIEW: (S.CONTACTED, S.NOT_A_CANDIDATE, S.CLOSED),
    S.CONTACTED: (S.SCHEDULED, S.NOT_A_CANDIDATE, S.CLOSED),
    # A visit can be called off (back to contacted) or the person turns out not to fit.
    S.SCHEDULED: (S.CONTACTED, S.NOT_A_CANDIDATE, S.CLOSED),
    # Reopening goes through review again.
    S.NOT_A_CANDIDATE: (S.IN_REVIEW,),
    S.CLOSED: (S.IN_REVIEW,),
}
del S


class TriageRefused(Exception):
    """A triage change that is not allowed (a move the state machine forbids, an assignee who may
    not work inquiries, an empty note). Nothing was changed; the message says why, for staff."""


def allowed_moves(status: str) -> tuple[str, ...]:
    return ALLOWED_MOVES.get(status, ())


def move_refusal(inquiry: Inquiry, to: str, *, status: str, has_attempt: bool) -> str | None:
    """Why `inquiry` cannot move from `status` to `to`, in words for staff, or None if it may: the
    state machine (ALLOWED_MOVES), and "contacted" only after a logged contact attempt."""
    label = dict(Inquiry.Status.choices)
    if to not in allowed_moves(status):
        if to == status:
            return f"{inquiry.reference} is already {label[status].lower()}."
        return f"{inquiry.reference} cannot move from {label[status].lower()} to {str(label.get(to, to)).lower()}."
    if to == Inquiry.Status.CONTACTED and not has_attempt:
        return f"{inquiry.reference} cannot be marked contacted before a contact attempt is logged."
    return None


def triage_staff():
    """Users who may be assigned inquiries: active staff allowed to change them."""
    can_change = Permission.objects.filter(codename="change_inquiry", content_type__app_label="intake")
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions__in=can_change) | Q(user_permissions__in=can_change))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _locked(inquiry: Inquiry) -> Inquiry:
    """The inquiry's current row, locked until the transaction ends, so two staff members' changes
    are applied one after the other against what the other left."""
    return Inquiry.objects.select_for_update().get(pk=inquiry.pk)


@transaction.atomic
def move_inquiry(*, inquiry: Inquiry, to: str, by) -> Inquiry:
    """Move `inquiry` to status `to`, if the state machine (ALLOWED_MOVES) allows it from the status
    it has now (and, to "contacted", once a contact attempt is logged: move_refusal). Records who
    and when (status_changed_by/at, and the audit log). Updates `inquiry` in place and returns it.

    Raises TriageRefused, changing nothing, for a move not allowed, including to the status it
    already has: a rerun is refused, never applied twice.
    """
    current = _locked(inquiry)
    reason = move_refusal(current, to, status=current.status, has_attempt=current.contact_attempts.exists())
    if reason:
        raise TriageRefused(reason)
    current.status = to
    current.status_changed_at = timezone.now()
    current.status_changed_by = by
    current.save(update_fields=["status", "status_changed_at", "status_changed_by"])
    logger.info("intake: %s moved to %s by user %s", current.reference, to, getattr(by, "pk", None))
    inquiry.status, inquiry.status_changed_at, inquiry.status_changed_by = to, current.status_changed_at, by
    return inquiry


@transaction.atomic
def assign_inquiry(*, inquiry: Inquiry, assignee, by) -> bool:
    """Assign `inquiry` to `assignee` (a user from triage_staff()), or to nobody with None.

    Returns False if it was already theirs (nothing recorded): safe to rerun. Raises TriageRefused
    if `assignee` may not work inquiries.
    """
    if assignee is not None and not triage_staff().filter(pk=assignee.pk).exists():
        raise TriageRefused(f"{assignee} cannot be assigned inquiries (not active triage staff).")
    current = _locked(inquiry)
    if current.assignee_id == (assignee.pk if assignee else None):
        inquiry.assignee = assignee
        return False
    current.assignee = assignee
    current.save(update_fields=["assignee"])
    logger.info("intake: %s assigned to user %s by user %s", current.reference, current.assignee_id, by.pk)
    inquiry.assignee = assignee
    return True


@transaction.atomic
def set_priority(*, inquiry: Inquiry, priority: int, by) -> bool:
    """Set the inquiry's priority (Inquiry.Priority). Returns False if unchanged. Safe to rerun."""
    if priority not in Inquiry.Priority.values:
        raise TriageRefused(f"Unknown priority {priority!r}.")
    current = _locked(inquiry)
    if current.priority == priority:
        return False
    current.priority = priority
    current.save(update_fields=["priority"])
    inquiry.priority = priority
    return True


@transaction.atomic
def add_note(*, inquiry: Inquiry, text: str, by) -> Note:
    """Append a note by `by` to the inquiry, and record "note added" in its audit trail (the
    event, never the text). Notes are never changed afterwards. Not idempotent: each call adds
    a note. Raises TriageRefused for an empty note."""
    text = text.strip()
    if not text:
        raise TriageRefused("A note cannot be empty.")
    note = Note.objects.create(inquiry=inquiry, author=by, text=text)
    record_event(inquiry=inquiry, by=by, event=EVENT_NOTE_ADDED, detail={"note": note.pk})
    return note


@transaction.atomic
def retry_handoff(*, inquiry: Inquiry) -> int:
    """Put an inquiry's given-up messages back to pending and queue the hand-off (staff action).

    Returns how many messages were reset. Safe to rerun.
    """
    count = inquiry.outbox.filter(status=OutboxMessage.Status.FAILED).update(
        status=OutboxMessage.Status.PENDING, attempts=0
    )
    transaction.on_commit(partial(enqueue, tasks.deliver_inquiry, inquiry.pk))
    return count
