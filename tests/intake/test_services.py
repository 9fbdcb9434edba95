import datetime
import uuid
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from intake import services, tasks
from intake.models import Inquiry, OutboxMessage

pytestmark = pytest.mark.django_db

SECRET = "SENTINEL-HEALTH-DETAIL"


def answers(**overrides):
    values = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "preferred_contact": "email",
        "knees": "left",
        "left_pain": 8,
        "left_pain_time": 90,
        "onset": "wear",
        "duration": "gt5y",
        "replacement_recommended": "yes",
        "message": f"{SECRET} bone on bone",
        "activities_given_up": f"{SECRET} tennis",
        "consent_to_contact": True,
        "out_of_network_acknowledged": True,
    }
    values.update(overrides)
    return values


def submit(capture, **overrides):
    with capture(execute=True):
        inquiry, created = services.submit_inquiry(
            kind="candidate", submission_token=uuid.uuid4(), answers=answers(**overrides)
        )
    return inquiry


def test_a_submission_stores_the_inquiry_and_one_outbox_row_per_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        inquiry, created = services.submit_inquiry(kind="candidate", submission_token=uuid.uuid4(), answers=answers())
    assert created and inquiry.suggested_type == 3
    assert sorted(inquiry.outbox.values_list("kind", flat=True)) == ["patient_confirmation", "staff_notification"]
    assert len(callbacks) == 1  # the hand-off is queued only after commit


def test_the_same_submission_token_stores_one_inquiry(django_capture_on_commit_callbacks):
    token = uuid.uuid4()
    first, created_first = services.submit_inquiry(kind="candidate", submission_token=token, answers=answers())
    second, created_second = services.submit_inquiry(kind="candidate", submission_token=token, answers=answers())
    assert first == second and created_first and not created_second
    assert OutboxMessage.objects.count() == 2


def test_the_hand_off_sends_the_staff_notification_and_the_confirmation_once(django_capture_on_commit_callbacks):
    inquiry = submit(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    tasks.deliver_inquiry.apply(args=[inquiry.pk])
    services.deliver_inquiry(inquiry_id=inquiry.pk)
    assert len(mail.outbox) == 2
    assert set(inquiry.outbox.values_list("status", flat=True)) == {"sent"}


def test_an_outbox_message_already_sent_is_not_sent_again(django_capture_on_commit_callbacks):
    inquiry = submit(django_capture_on_commit_callbacks)
    message = inquiry.outbox.get(kind=OutboxMessage.Kind.STAFF_NOTIFICATION)
    assert len(mail.outbox) == 2

    # A duplicate task or an overlapping sweep asks for the same row again.
    assert services.deliver_message(message_id=message.pk) is False
    tasks.deliver_outbox_message.apply(args=[message.pk])

    assert len(mail.outbox) == 2
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 1


def test_the_staff_notification_has_the_reference_type_office_and_admin_link_only(django_capture_on_commit_callbacks):
    inquiry = submit(django_capture_on_commit_callbacks, office=None)
    staff = next(m for m in mail.outbox if m.to == ["triage@localhost"])
    assert inquiry.reference in staff.subject and inquiry.reference in staff.body
    assert "Type 3" in staff.body
    assert "Either office, or remote" in staff.body
    assert f"http://127.0.0.1:8000/admin/intake/inquiry/{inquiry.pk}/change/" in staff.body
    for detail in [SECRET, "Ada", "Lovelace", "ada@example.com", "bone", "replacement"]:
        assert detail not in staff.body and detail not in staff.subject


def test_no_email_or_log_line_carries_a_health_detail(django_capture_on_commit_callbacks, caplog):
    caplog.set_level("DEBUG")
    submit(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        text = message.message().as_string()
        assert SECRET not in text and "bone on bone" not in text and "tennis" not in text
    assert caplog.records
    for record in caplog.records:
        assert SECRET not in record.getMessage()


def test_every_email_has_a_message_id_fixed_by_its_outbox_row(django_capture_on_commit_callbacks):
    inquiry = submit(django_capture_on_commit_callbacks)
    expected = {services.message_id_header(m) for m in inquiry.outbox.all()}
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == expected
    assert len(expected) == 2


def test_a_failed_send_is_recorded_for_staff_and_retried_by_the_sweep(django_capture_on_commit_callbacks):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=SMTPServerDisconnected("gone")):
        inquiry = submit(django_capture_on_commit_callbacks)
    rows = list(inquiry.outbox.all())
    assert [(r.status, r.attempts, r.handoff_state) for r in rows] == [("pending", 1, "failing")] * 2
    assert rows[0].last_error == "SMTPServerDisconnected: gone"
    assert mail.outbox == []

    # Not yet due: the sweep waits INTAKE_HANDOFF_SWEEP_AFTER after the last attempt.
    assert services.sweep_handoffs() == 0
    past = timezone.now() - datetime.timedelta(minutes=10)
    OutboxMessage.objects.update(created_at=past, last_attempt_at=past)
    assert tasks.sweep_handoffs.apply().get() == 2
    assert len(mail.outbox) == 2
    assert services.sweep_handoffs() == 0
    assert set(inquiry.outbox.values_list("last_error", flat=True)) == {""}


def test_a_message_that_keeps_failing_is_given_up_visibly_and_can_be_retried(django_capture_on_commit_callbacks):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused")):
        inquiry = submit(django_capture_on_commit_callbacks)
        # Given up only once the give-up period (INTAKE_HANDOFF_GIVE_UP_SECONDS) has passed.
        OutboxMessage.objects.update(created_at=timezone.now() - datetime.timedelta(days=3))
        with pytest.raises(services.DeliveryFailed):
            services.deliver_inquiry(inquiry_id=inquiry.pk)
    assert set(inquiry.outbox.values_list("status", flat=True)) == {"failed"}
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_handoff(inquiry=inquiry) == 2
    assert len(mail.outbox) == 2


def test_a_submission_while_the_broker_is_down_is_stored_and_sent_by_the_sweep(
    django_capture_on_commit_callbacks, caplog
):
    with mock.patch.object(tasks.deliver_inquiry, "apply_async", side_effect=ConnectionRefusedError(111, "refused")):
        inquiry = submit(django_capture_on_commit_callbacks)
    assert "could not queue deliver_inquiry" in caplog.text
    assert set(inquiry.outbox.values_list("status", flat=True)) == {"pending"}
    assert mail.outbox == []
    OutboxMessage.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert services.sweep_handoffs() == 2
    assert services.sweep_handoffs() == 0
    assert len(mail.outbox) == 2


def test_the_sweep_is_on_the_beat_schedule():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["intake-handoff-sweep"]["task"] == "intake.tasks.sweep_handoffs"


def test_the_broker_never_sees_health_details(django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.deliver_inquiry, "apply_async") as apply_async:
        inquiry = submit(django_capture_on_commit_callbacks)
    apply_async.assert_called_once_with(args=[inquiry.pk])


def test_the_inquiry_keeps_the_six_triage_statuses():
    assert [s for s, _ in Inquiry.Status.choices] == [
        "new",
        "in_review",
        "contacted",
        "scheduled",
        "not_a_candidate",
        "closed",
    ]
