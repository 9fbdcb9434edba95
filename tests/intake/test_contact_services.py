"""Contact attempts and the triage workspace's one-request save (issue 12): a reached person moves
the inquiry to contacted, "contacted" needs a logged attempt, and a refused part changes nothing."""

import pytest
from auditlog.models import LogEntry

from intake import services
from intake.models import ContactAttempt, Inquiry, Note
from tests.intake.conftest import make_inquiry, make_staff

pytestmark = pytest.mark.django_db

S = Inquiry.Status


def test_reaching_the_person_logs_the_attempt_and_moves_the_inquiry_to_contacted(nurse):
    inquiry = make_inquiry()
    attempt = services.log_contact_attempt(
        inquiry=inquiry, channel="phone", outcome="reached", note="Booked a call back", next_step="Send forms", by=nurse
    )
    inquiry.refresh_from_db()
    assert inquiry.status == S.CONTACTED and inquiry.status_changed_by == nurse
    assert (attempt.by, attempt.note, attempt.next_step) == (nurse, "Booked a call back", "Send forms")
    entry = LogEntry.objects.get_for_object(inquiry).get(additional_data__event="contact_attempt")
    assert entry.actor == nurse and entry.additional_data["outcome"] == "reached"
    assert "Booked" not in str(entry.additional_data)  # the trail never repeats what anyone wrote


@pytest.mark.parametrize("outcome", ["voicemail", "no_answer", "wrong_number"])
def test_an_attempt_that_did_not_reach_them_leaves_the_status(nurse, outcome):
    inquiry = make_inquiry(status=S.IN_REVIEW)
    services.log_contact_attempt(inquiry=inquiry, channel="text", outcome=outcome, by=nurse)
    inquiry.refresh_from_db()
    assert inquiry.status == S.IN_REVIEW and inquiry.contact_attempts.count() == 1


def test_reached_on_a_scheduled_or_closed_inquiry_is_logged_without_a_move(nurse):
    for status in (S.SCHEDULED, S.CLOSED):
        inquiry = make_inquiry(status=status)
        services.log_contact_attempt(inquiry=inquiry, channel="email", outcome="reached", by=nurse)
        inquiry.refresh_from_db()
        assert inquiry.status == status and inquiry.contact_attempts.count() == 1


def test_contacted_needs_a_logged_attempt(nurse):
    inquiry = make_inquiry()
    with pytest.raises(services.TriageRefused, match="before a contact attempt is logged"):
        services.move_inquiry(inquiry=inquiry, to=S.CONTACTED, by=nurse)
    services.log_contact_attempt(inquiry=inquiry, channel="phone", outcome="no_answer", by=nurse)
    services.move_inquiry(inquiry=inquiry, to=S.CONTACTED, by=nurse)
    inquiry.refresh_from_db()
    assert inquiry.status == S.CONTACTED


def test_an_unknown_channel_or_outcome_is_refused(nurse):
    inquiry = make_inquiry()
    with pytest.raises(services.TriageRefused):
        services.log_contact_attempt(inquiry=inquiry, channel="fax", outcome="reached", by=nurse)
    with pytest.raises(services.TriageRefused):
        services.log_contact_attempt(inquiry=inquiry, channel="phone", outcome="maybe", by=nurse)
    assert not ContactAttempt.objects.exists()


def test_save_triage_applies_everything_typed_in_one_go(nurse):
    inquiry = make_inquiry()
    edit = services.TriageEdit(
        assignee=nurse,
        priority=3,
        note="Knee MRI coming by email.",
        attempt=services.AttemptEdit(channel="phone", outcome="voicemail", note="Left a message"),
        move_to=S.CONTACTED,
    )
    done = services.save_triage(inquiry=inquiry, edit=edit, by=nurse)
    inquiry.refresh_from_db()
    assert (inquiry.assignee, inquiry.priority, inquiry.status) == (nurse, 3, S.CONTACTED)
    assert inquiry.notes.get().text == "Knee MRI coming by email."
    assert inquiry.contact_attempts.get().outcome == "voicemail"
    assert done == [
        "assigned to Nora Nurse",
        "priority urgent",
        "note added",
        "contact attempt logged (left a voicemail)",
        "moved to contacted",
    ]


def test_save_triage_refused_in_part_changes_nothing(nurse):
    inquiry = make_inquiry(status=S.CLOSED)
    edit = services.TriageEdit(assignee=nurse, priority=2, note="A note", move_to=S.SCHEDULED)
    with pytest.raises(services.TriageRefused, match="cannot move from closed to scheduled"):
        services.save_triage(inquiry=inquiry, edit=edit, by=nurse)
    inquiry.refresh_from_db()
    assert (inquiry.assignee, inquiry.priority, inquiry.status) == (None, 1, S.CLOSED)
    assert not Note.objects.exists()
    editor = make_staff("editor", "Editors")
    with pytest.raises(services.TriageRefused, match="cannot be assigned"):
        services.save_triage(inquiry=inquiry, edit=services.TriageEdit(assignee=editor, priority=1), by=nurse)


def test_reached_and_move_to_contacted_together_is_one_move(nurse):
    inquiry = make_inquiry()
    edit = services.TriageEdit(
        assignee=None, priority=1, attempt=services.AttemptEdit(channel="phone", outcome="reached"), move_to=S.CONTACTED
    )
    assert services.save_triage(inquiry=inquiry, edit=edit, by=nurse)[-1] == "moved to contacted"
    inquiry.refresh_from_db()
    assert inquiry.status == S.CONTACTED
    assert LogEntry.objects.get_for_object(inquiry).filter(changes__icontains="contacted").count() == 1
