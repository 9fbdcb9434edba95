"""The hand-off on real services: PostgreSQL, Redis, a Celery worker and an SMTP sink."""

import datetime
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from clinic.celery import app
from intake import services, tasks
from intake.models import Inquiry, OutboxMessage
from tests.conftest import point_celery_at, start_celery_worker, stop_group, wait_until
from tests.intake.conftest import candidate_data

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SECRET = "SENTINEL-HEALTH-DETAIL"


@pytest.fixture
def loaded_offices(django_db_blocker):
    from django.core.management import call_command

    call_command("load_content", verbosity=0)


def received_for(smtp_sink, inquiry) -> list:
    """The messages the sink got for this inquiry's outbox rows (by their fixed Message-ID)."""
    ids = {services.message_id_header(m) for m in inquiry.outbox.all()}
    return [(rcpt, msg) for rcpt, msg in smtp_sink.received() if msg["Message-ID"] in ids]


def all_sent(inquiry) -> bool:
    return not inquiry.outbox.exclude(status=OutboxMessage.Status.SENT).exists()


def worker_idle() -> bool:
    hostname = f"{settings.CELERY_TASK_DEFAULT_QUEUE}@localhost"
    inspect = app.control.inspect(destination=[hostname], timeout=1.0)
    active, reserved, scheduled = inspect.active() or {}, inspect.reserved() or {}, inspect.scheduled() or {}
    return bool(active) and not any(active.values()) and not any(reserved.values()) and not any(scheduled.values())


def test_a_submission_reaches_the_triage_inbox_exactly_once_through_a_real_worker(
    client, loaded_offices, celery_worker, smtp_sink
):
    cache.clear()
    response = client.post("/candidate/", candidate_data(message=f"{SECRET} stairs", email="once@example.com"))
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    wait_until(lambda: all_sent(inquiry), timeout=30, what="the worker to send the inquiry's emails")
    wait_until(worker_idle, timeout=30, what="the worker to go idle")
    received = received_for(smtp_sink, inquiry)
    assert sorted(rcpt[0] for rcpt, _ in received) == ["once@example.com", "triage@localhost"]
    staff = next(msg for rcpt, msg in received if rcpt == ["triage@localhost"])
    body = staff.get_payload(decode=True).decode()
    assert inquiry.reference in body and "Type 2" in body and "Oak Park, IL" in body
    for _, msg in received:
        assert SECRET not in msg.as_string()


def test_the_same_task_run_twice_and_concurrently_sends_one_notification(celery_worker, smtp_sink, loaded_offices):
    inquiry, _ = services.submit_inquiry(
        kind="question",
        submission_token=uuid.uuid4(),
        answers={"first_name": "Q", "last_name": "R", "email": "twice@example.com", "message": "?"},
    )  # the commit queued one task already; queue five more copies at once
    for _ in range(5):
        tasks.deliver_inquiry.delay(inquiry.pk)
    wait_until(lambda: all_sent(inquiry), timeout=30, what="the emails to be sent")
    wait_until(worker_idle, timeout=30, what="the worker to finish every copy of the task")
    tasks.deliver_inquiry.delay(inquiry.pk)  # and once more, after it was all done
    wait_until(worker_idle, timeout=30, what="the worker to finish the late copy")
    received = received_for(smtp_sink, inquiry)
    assert sorted(rcpt[0] for rcpt, _ in received) == ["triage@localhost", "twice@example.com"]
    assert list(inquiry.outbox.values_list("attempts", flat=True)) == [1, 1]


def test_a_submission_while_redis_is_down_is_thanked_stored_and_delivered_once_when_it_is_back(
    client, loaded_offices, redis_backed, smtp_sink, caplog, tmp_path
):
    redis_backed.stop()
    response = client.post("/candidate/", candidate_data(email="outage@example.com"))
    assert response.status_code == 302
    thanks = client.get(response["Location"]).content.decode()
    inquiry = Inquiry.objects.get()
    assert "Thank you, Ada" in thanks and inquiry.reference in thanks
    assert "could not queue deliver_inquiry" in caplog.text
    assert "rate limit not checked, cache unavailable" in caplog.text
    assert set(inquiry.outbox.values_list("status", "attempts")) == {("pending", 0)}

    # Redis is back; a worker and the beat sweep run against it. The sweep waits a few minutes
    # after a submission before it steps in: pretend they have passed.
    redis_backed.start()
    OutboxMessage.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=10))
    hostname = f"outage-{uuid.uuid4().hex[:6]}@localhost"
    worker = start_celery_worker(
        tmp_path / "worker.log",
        hostname=hostname,
        REDIS_URL=redis_backed.url,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_sink.port),
        EMAIL_USE_TLS="0",
    )
    try:
        point_celery_at(redis_backed.url)  # the app's pool held connections to the stopped server
        tasks.sweep_handoffs.delay()
        tasks.sweep_handoffs.delay()  # two beat runs overlapping
        wait_until(lambda: all_sent(inquiry), timeout=30, what="the sweep to deliver the stored inquiry")
        tasks.sweep_handoffs.delay()
        wait_until(lambda: len(received_for(smtp_sink, inquiry)) >= 2, timeout=10, what="the sink to get both messages")
    finally:
        stop_group(worker)
    received = received_for(smtp_sink, inquiry)
    assert sorted(rcpt[0] for rcpt, _ in received) == ["outage@example.com", "triage@localhost"]
    assert list(inquiry.outbox.values_list("attempts", flat=True)) == [1, 1]
