"""A hand-off that heals: a mail server failing for everyone is retried with backoff for the
give-up period; only a refused recipient fails one email at once; failed emails are counted on
the admin home and in /healthz, and retried in bulk. Against a real SMTP server (aiosmtpd)."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from intake import services
from intake.models import Inquiry, OutboxMessage
from scripts.support.smtp import SmtpSink

from .test_services import submit

pytestmark = pytest.mark.django_db
METRICS_TOKEN = "scraper-token-" + "y" * 20


@pytest.fixture
def sink():
    server = SmtpSink().start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_TIMEOUT=5,
    ):
        yield server
    server.stop()


def age(minutes: float) -> None:
    """Move every outbox row's creation and last attempt `minutes` into the past."""
    past = timezone.now() - datetime.timedelta(minutes=minutes)
    OutboxMessage.objects.update(created_at=past, last_attempt_at=past)


def states(inquiry) -> list[tuple[str, str]]:
    return sorted(inquiry.outbox.values_list("kind", "status"))


@pytest.mark.parametrize("mode", ["policy", "sender", "refuse"])
def test_a_server_wide_failure_is_retried_until_the_server_is_fixed(sink, django_capture_on_commit_callbacks, mode):
    sink.mode = mode  # 554 on DATA, 553 on MAIL FROM, 421: the server's trouble, not an address's
    inquiry = submit(django_capture_on_commit_callbacks)
    rows = list(inquiry.outbox.all())
    assert {(r.status, r.attempts) for r in rows} == {("pending", 1)}
    assert all(r.handoff_state == "failing" for r in rows)
    # Hours of failure: retried by the sweep, one attempt per sweep while the server is broken.
    for hours in (1, 6, 20):
        age(60 * hours)
        assert services.sweep_handoffs() == 0
    assert set(inquiry.outbox.values_list("status", flat=True)) == {"pending"}
    assert sink.received() == []
    sink.mode = "accept"  # fixed
    age(20)
    assert services.sweep_handoffs() == 2
    assert {status for _, status in states(inquiry)} == {"sent"}
    assert len(sink.received()) == 2


def test_a_refused_recipient_fails_that_email_at_once_and_the_others_go(sink, django_capture_on_commit_callbacks):
    inquiry = submit(django_capture_on_commit_callbacks, email=f"nobody@{SmtpSink.bounce_domain}")
    assert states(inquiry) == [("patient_confirmation", "failed"), ("staff_notification", "sent")]
    assert "550" in inquiry.outbox.get(kind="patient_confirmation").last_error


@override_settings(INTAKE_HANDOFF_GIVE_UP_SECONDS=24 * 3600, METRICS_TOKEN=METRICS_TOKEN)
def test_after_the_give_up_period_a_failing_email_is_failed_counted_and_retried_in_bulk(
    sink, django_capture_on_commit_callbacks, client
):
    sink.mode = "policy"
    inquiries = [submit(django_capture_on_commit_callbacks, email=f"p{i}@example.com") for i in range(2)]
    age(23 * 60)
    services.sweep_handoffs()
    assert OutboxMessage.objects.filter(status="failed").count() == 0  # still inside the day
    age(25 * 60)
    for _ in range(4):  # the sweep stops at the first server failure; each run marks one more
        services.sweep_handoffs()
        age(25 * 60)
    assert OutboxMessage.objects.filter(status="failed").count() == 4

    health = client.get("/healthz").json()
    assert health["details"]["failed_emails"] == 4
    metrics = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).content.decode()
    failed = [
        sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "clinic_outbox_messages" and sample.labels == {"state": "failed"}
    ]
    assert failed == [4]
    User.objects.create_superuser("boss", "boss@example.com", "a-long-password-1")
    client.force_login(User.objects.get(username="boss"))
    home = client.get("/admin/").content.decode()
    assert "<strong>4</strong> emails failed" in home and "?handoff=failing" in home

    sink.mode = "accept"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/intake/inquiry/",
            {"action": "retry_handoff", "_selected_action": [i.pk for i in inquiries]},
        )
    assert response.status_code == 302
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert len(sink.received()) == 4
    assert Inquiry.objects.count() == 2
