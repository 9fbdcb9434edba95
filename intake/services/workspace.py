"""The triage workspace's one request: everything a staff member typed on an inquiry's page
(assignee, priority, a note, a contact attempt, a status move) checked together and saved together,
or refused together with nothing changed."""

from dataclasses import dataclass

from django.db import transaction

from intake.models import Inquiry

from .contact import log_contact_attempt, status_after_attempt
from .staff import (
    TriageRefused,
    _locked,
    add_note,
    assign_inquiry,
    move_inquiry,
    move_refusal,
    set_priority,
    triage_staff,
)


@dataclass(frozen=True)
class AttemptEdit:
    channel: str
    outcome: str
    note: str = ""
    next_step: str = ""


@dataclass(frozen=True)
class TriageEdit:
    """What the page asks for. `assignee` None means nobody; `move_to` "" means no move."""

    assignee: object | None
    priority: int
    note: str = ""
    attempt: AttemptEdit | None = None
    move_to: str = ""


def check_triage(*, inquiry: Inquiry, edit: TriageEdit) -> Inquiry:
    """Lock the inquiry's row (until the caller's transaction ends) and raise TriageRefused, in
    words for staff, if save_triage would refuse `edit`. Returns the locked row; changes nothing.
    A form calls it while validating inside the request's transaction, so the save that follows
    sees the state it was checked against."""
    current = _locked(inquiry)
    if edit.assignee is not None and not triage_staff().filter(pk=edit.assignee.pk).exists():
        raise TriageRefused(f"{edit.assignee} cannot be assigned inquiries (not active triage staff).")
    if edit.move_to:
        status = status_after_attempt(current.status, edit.attempt.outcome if edit.attempt else None)
        has_attempt = edit.attempt is not None or current.contact_attempts.exists()
        if edit.move_to != status:
            reason = move_refusal(current, edit.move_to, status=status, has_attempt=has_attempt)
            if reason:
                raise TriageRefused(reason)
    return current


@transaction.atomic
def save_triage(*, inquiry: Inquiry, edit: TriageEdit, by) -> list[str]:
    """Apply `edit` by user `by` through the triage services, in one transaction: assignee,
    priority, the note, the contact attempt (a reached person moves it to contacted), then the move.
    Each leaves its audit entry. Returns what changed, in words ("note added", ...), for the page's
    message. Raises TriageRefused with nothing changed if any part is refused. Not idempotent for
    the note and the attempt (a rerun adds them again)."""
    check_triage(inquiry=inquiry, edit=edit)
    done = []
    if assign_inquiry(inquiry=inquiry, assignee=edit.assignee, by=by):
        done.append(f"assigned to {_name(edit.assignee)}")
    if set_priority(inquiry=inquiry, priority=edit.priority, by=by):
        done.append(f"priority {Inquiry.Priority(edit.priority).label.lower()}")
    if edit.note.strip():
        add_note(inquiry=inquiry, text=edit.note, by=by)
        done.append("note added")
    if edit.attempt is not None:
        before = inquiry.status
        attempt = log_contact_attempt(inquiry=inquiry, by=by, **vars(edit.attempt))
        done.append(f"contact attempt logged ({attempt.get_outcome_display().lower()})")
        if inquiry.status != before:
            done.append(f"moved to {inquiry.get_status_display().lower()}")
    if edit.move_to and edit.move_to != inquiry.status:
        move_inquiry(inquiry=inquiry, to=edit.move_to, by=by)
        done.append(f"moved to {inquiry.get_status_display().lower()}")
    return done


def _name(user) -> str:
    if user is None:
        return "nobody"
    return user.get_full_name() or user.get_username()
