"""How the hand-off treats a mail server's refusals: temporary ones are retried, permanent ones
are shown to staff as failed at once."""

import smtplib
from unittest import mock

import pytest
from django.core import mail

from intake import services, tasks

from .test_services import submit

pytestmark = pytest.mark.django_db


def test_a_permanent_refusal_marks_the_messages_failed_at_once(django_capture_on_commit_callbacks):
    refused = smtplib.SMTPRecipientsRefused({"ada@example.com": (550, b"5.1.1 no such mailbox")})
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=refused):
        inquiry = submit(django_capture_on_commit_callbacks)

    rows = list(inquiry.outbox.all())
    assert [(r.status, r.attempts, r.handoff_state) for r in rows] == [("failed", 1, "failed")] * 2
    assert "550" in rows[0].last_error
    assert services.sweep_handoffs() == 0  # nothing left to retry; staff see it and may retry


def test_a_busy_server_is_retried_later(django_capture_on_commit_callbacks):
    busy = smtplib.SMTPConnectError(421, b"4.3.2 try again later")
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=busy):
        inquiry = submit(django_capture_on_commit_callbacks)

    assert set(inquiry.outbox.values_list("status", flat=True)) == {"pending"}
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("exc", "permanent"),
    [
        # Issue 14: a 5xx that is not about one recipient is the server's trouble, retried.
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPSenderRefused(550, b"no", "from@x"), False),
        (smtplib.SMTPSenderRefused(553, b"sender not allowed", "from@x"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (smtplib.SMTPResponseException(530, b"authentication required"), False),
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no such mailbox")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x": (553, b"bad address")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no"), "b@x": (450, b"later")}), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (ConnectionRefusedError(), False),
        (smtplib.SMTPDataError(451, b"later"), False),
    ],
)
def test_only_a_refused_recipient_counts_as_permanent(exc, permanent):
    assert services.is_permanent_failure(exc) is permanent


def test_the_retry_backoff_doubles_up_to_its_cap_with_a_little_jitter(settings):
    settings.INTAKE_RETRY_BASE_DELAY = 2
    settings.INTAKE_RETRY_MAX_DELAY = 10

    for retries, expected in enumerate([2, 4, 8, 10, 10, 10]):
        delays = {tasks._backoff(retries) for _ in range(20)}
        assert all(expected <= d <= expected + 2 for d in delays), (retries, delays)
