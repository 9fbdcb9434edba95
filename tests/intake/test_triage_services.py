"""The triage services: the state machine, assignment, notes, the audit entries they leave, the
counts and the daily digest."""

import itertools
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from intake import services, tasks
from intake.models import ContactAttempt, Inquiry, Note
from tests.intake.conftest import HEALTH_SECRET, make_inquiry, make_staff

pytestmark = pytest.mark.django_db

S = Inquiry.Status
ALLOWED = [
    (S.NEW, S.IN_REVIEW),
    (S.NEW, S.CONTACTED),
    (S.NEW, S.NOT_A_CANDIDATE),
    (S.NEW, S.CLOSED),
    (S.IN_REVIEW, S.CONTACTED),
    (S.IN_REVIEW, S.NOT_A_CANDIDATE),
    (S.IN_REVIEW, S.CLOSED),
    (S.CONTACTED, S.SCHEDULED),
    (S.CONTACTED, S.NOT_A_CANDIDATE),
    (S.CONTACTED, S.CLOSED),
    (S.SCHEDULED, S.CONTACTED),
    (S.SCHEDULED, S.NOT_A_CANDIDATE),
    (S.SCHEDULED, S.CLOSED),
    (S.NOT_A_CANDIDATE, S.IN_REVIEW),
    (S.CLOSED, S.IN_REVIEW),
]
REFUSED = [pair for pair in itertools.product(S.values, S.values) if pair not in ALLOWED]


@pytest.mark.parametrize("start,to", ALLOWED)
def test_an_allowed_move_changes_the_status_and_records_who_and_when(nurse, start, to):
    inquiry = make_inquiry(status=start)
    if to == S.CONTACTED:  # "contacted" needs a logged attempt (issue 12)
        ContactAttempt.objects.create(inquiry=inquiry, channel="phone", outcome="voicemail", by=nurse)
    services.move_inquiry(inquiry=inquiry, to=to, by=nurse)
    inquiry.refresh_from_db()
    assert inquiry.status == to
    assert inquiry.status_changed_by == nurse
    assert timezone.now() - inquiry.status_changed_at < timedelta(minutes=1)
    entry = LogEntry.objects.get_for_object(inquiry).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict == {"status": [start, to]}


@pytest.mark.parametrize("start,to", REFUSED)
def test_a_move_the_state_machine_does_not_allow_is_refused_and_changes_nothing(nurse, start, to):
    inquiry = make_inquiry(status=start)
    with pytest.raises(services.TriageRefused):
        services.move_inquiry(inquiry=inquiry, to=to, by=nurse)
    inquiry.refresh_from_db()
    assert inquiry.status == start and inquiry.status_changed_by is None
    assert not LogEntry.objects.get_for_object(inquiry).filter(action=LogEntry.Action.UPDATE).exists()


def test_a_refused_move_says_why_in_words_staff_understand(nurse):
    inquiry = make_inquiry(status=S.CLOSED)
    with pytest.raises(services.TriageRefused, match=f"{inquiry.reference} cannot move from closed to contacted"):
        services.move_inquiry(inquiry=inquiry, to=S.CONTACTED, by=nurse)
    with pytest.raises(services.TriageRefused, match="is already closed"):
        services.move_inquiry(inquiry=inquiry, to=S.CLOSED, by=nurse)
    with pytest.raises(services.TriageRefused):
        services.move_inquiry(inquiry=inquiry, to="bogus", by=nurse)


def test_a_move_is_checked_against_the_stored_status_not_a_stale_copy(nurse):
    inquiry = make_inquiry()
    stale = Inquiry.objects.get(pk=inquiry.pk)
    services.move_inquiry(inquiry=inquiry, to=S.CLOSED, by=nurse)
    with pytest.raises(services.TriageRefused, match="from closed"):
        services.move_inquiry(inquiry=stale, to=S.CONTACTED, by=nurse)


def test_an_inquiry_is_assigned_to_triage_staff_once(nurse):
    inquiry = make_inquiry()
    assert services.assign_inquiry(inquiry=inquiry, assignee=nurse, by=nurse) is True
    assert services.assign_inquiry(inquiry=inquiry, assignee=nurse, by=nurse) is False
    inquiry.refresh_from_db()
    assert inquiry.assignee == nurse
    updates = LogEntry.objects.get_for_object(inquiry).filter(action=LogEntry.Action.UPDATE)
    assert [entry.changes_dict for entry in updates] == [{"assignee": ["None", "nurse"]}]
    services.assign_inquiry(inquiry=inquiry, assignee=None, by=nurse)
    inquiry.refresh_from_db()
    assert inquiry.assignee is None


def test_only_active_staff_who_may_change_inquiries_can_be_assigned(nurse):
    inquiry = make_inquiry()
    editor = make_staff("editor", "Editors")
    former = make_staff("former", "Triage", is_active=False)
    for person in (editor, former):
        with pytest.raises(services.TriageRefused, match="cannot be assigned"):
            services.assign_inquiry(inquiry=inquiry, assignee=person, by=nurse)
    boss = make_staff("boss", superuser=True)
    assert services.assign_inquiry(inquiry=inquiry, assignee=boss, by=nurse)
    assert set(services.triage_staff()) == {nurse, boss}


def test_priority_changes_are_recorded(nurse):
    inquiry = make_inquiry()
    assert services.set_priority(inquiry=inquiry, priority=Inquiry.Priority.URGENT, by=nurse)
    assert not services.set_priority(inquiry=inquiry, priority=Inquiry.Priority.URGENT, by=nurse)
    with pytest.raises(services.TriageRefused):
        services.set_priority(inquiry=inquiry, priority=99, by=nurse)
    inquiry.refresh_from_db()
    assert inquiry.priority == Inquiry.Priority.URGENT


def test_a_note_is_kept_with_its_author_and_time_and_the_trail_records_it_without_its_text(nurse):
    inquiry = make_inquiry()
    note = services.add_note(inquiry=inquiry, text=f"  Called, left a message. {HEALTH_SECRET}  ", by=nurse)
    assert note.author == nurse and note.text == f"Called, left a message. {HEALTH_SECRET}"
    assert timezone.now() - note.created_at < timedelta(minutes=1)
    entry = LogEntry.objects.get_for_object(inquiry).get(additional_data__event="note_added")
    assert entry.actor == nurse
    assert HEALTH_SECRET not in str(entry.additional_data) + str(entry.changes)


def test_an_empty_note_is_refused(nurse):
    with pytest.raises(services.TriageRefused):
        services.add_note(inquiry=make_inquiry(), text="   ", by=nurse)
    assert not Note.objects.exists()


def test_audit_entries_never_hold_what_the_patient_wrote(nurse):
    inquiry = make_inquiry()
    services.log_contact_attempt(inquiry=inquiry, channel="phone", outcome="reached", note=HEALTH_SECRET, by=nurse)
    services.record_event(inquiry=inquiry, by=nurse, event=services.EVENT_VIEWED)
    services.delete_inquiry(inquiry=inquiry, by=nurse)
    entries = LogEntry.objects.filter(object_id=inquiry.pk)
    assert {entry.action for entry in entries} == {
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.ACCESS,
        LogEntry.Action.DELETE,
    }
    for entry in entries:
        stored = f"{entry.changes} {entry.changes_text} {entry.serialized_data} {entry.additional_data}"
        assert HEALTH_SECRET not in stored and "Lovelace" not in stored and "ada@example.com" not in stored
        assert entry.object_repr in (inquiry.reference, f"inquiry {inquiry.pk}")


def test_the_counts_of_new_today_overdue_and_mine_open(nurse):
    colleague = make_staff("colleague", "Triage")
    make_inquiry()  # new, came in just now: today
    make_inquiry(age=timedelta(hours=25))  # new, overdue, and before midnight
    make_inquiry(age=timedelta(hours=23), status=S.IN_REVIEW, assignee=nurse)  # mine, open
    make_inquiry(status=S.CLOSED, assignee=nurse)  # mine, closed
    make_inquiry(status=S.CONTACTED, assignee=colleague)
    assert services.triage_counts(user=nurse) == {
        "new": 2,
        "new_today": 1,
        "new_overdue": 1,
        "due_soon": 0,
        "mine_open": 1,
    }


@override_settings(TRIAGE_SLA_HOURS=2)
def test_overdue_follows_the_sla_setting():
    late = make_inquiry(age=timedelta(hours=3))
    early = make_inquiry(age=timedelta(hours=1))
    answered = make_inquiry(age=timedelta(hours=30), status=S.CONTACTED)
    assert list(Inquiry.objects.overdue()) == [late]
    assert late.is_overdue and not early.is_overdue and not answered.is_overdue


@override_settings(STAFF_NOTIFY_EMAILS=["triage@clinic.example"], SITE_URL="https://clinic.example")
def test_the_daily_digest_carries_counts_and_a_link_and_no_patient_details():
    make_inquiry(age=timedelta(days=2))
    make_inquiry()
    tasks.send_triage_digest.delay()
    (email,) = mail.outbox
    assert email.to == ["triage@clinic.example"]
    assert email.subject == "Inquiries waiting: 2 new, 1 overdue, 0 due soon"
    assert "New: 2" in email.body and "Overdue (new for more than 8 office hours): 1" in email.body
    assert "https://clinic.example/admin/intake/inquiry/?status=new" in email.body
    for detail in (HEALTH_SECRET, "Lovelace", "Ada", "ada@example.com", "239 555", "KN-2026"):
        assert detail not in email.subject + email.body


def test_the_digest_is_scheduled_daily_with_celery_beat():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["intake-triage-digest"]
    assert entry["task"] == "intake.tasks.send_triage_digest"
    assert entry["schedule"].hour == {settings.TRIAGE_DIGEST_HOUR_UTC}


def test_the_daily_digest_is_sent_once_however_many_beats_ask():
    make_inquiry()
    for _ in range(3):  # three beats on the same day, each its own task
        tasks.send_triage_digest.delay()
    assert [email.subject for email in mail.outbox] == ["Inquiries waiting: 1 new, 0 overdue, 0 due soon"]
