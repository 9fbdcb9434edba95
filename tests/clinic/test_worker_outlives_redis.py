"""A real Celery worker outlives Redis restarts and delivers afterwards (private redis-server,
PostgreSQL, the SMTP sink). The crash it guards against is explained in clinic.celery."""

import asyncio
import threading
import time
import uuid
from email import message_from_bytes
from unittest import mock

import pytest

from intake import services, tasks
from tests.conftest import free_port, point_celery_at, start_celery_worker, stop_group, wait_until
from tests.intake.test_services import answers

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

RESTARTS = 4
HELD = 3  # tasks the worker holds unacknowledged (waiting for their countdown) at each restart


class SlowSink:
    """An SMTP server that takes two seconds to accept each message, so a restart can fall in the
    middle of a send."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.sending = threading.Event()
        self.received: list[str] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.sending.set()
        await asyncio.sleep(2)
        self.received.append(message_from_bytes(envelope.content)["Message-ID"])
        return "250 OK"


@pytest.fixture
def slow_sink():
    sink = SlowSink()
    sink.controller.start()
    yield sink
    sink.controller.stop()


def submit() -> tuple:
    with mock.patch.object(services, "enqueue"):  # queued by hand, to this test's worker
        inquiry, _ = services.submit_inquiry(kind="candidate", submission_token=uuid.uuid4(), answers=answers())
    return inquiry, {services.message_id_header(m) for m in inquiry.outbox.all()}


def test_the_worker_outlives_redis_restarts_and_delivers_afterwards(redis_backed, slow_sink, tmp_path):
    queue = f"restarts-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    smtp = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(slow_sink.port), "EMAIL_USE_TLS": "0"}
    worker = start_celery_worker(
        log, hostname=f"{queue}@localhost", REDIS_URL=redis_backed.url, CELERY_QUEUE=queue, **smtp
    )

    def text() -> str:
        return log.read_text(errors="replace")

    try:
        for restart in range(RESTARTS):
            received = text().count("received")
            for _ in range(HELD):
                tasks.sweep_handoffs.apply_async(queue=queue, countdown=4)
            wait_until(lambda n=received: text().count("received") >= n + HELD, timeout=30, what="the held tasks")
            # ...and one task in the middle of sending an email, which ends after the connection is lost.
            slow_sink.sending.clear()
            inquiry, _ = submit()
            tasks.deliver_inquiry.apply_async(args=[inquiry.pk], queue=queue)
            assert slow_sink.sending.wait(30), text()[-3000:]
            connected = text().count("Connected to")
            redis_backed.stop()
            time.sleep(1)
            redis_backed.start()
            wait_until(
                lambda n=connected: worker.poll() is not None or text().count("Connected to") > n,
                timeout=60,
                interval=0.5,
                what=f"the worker to reconnect after restart {restart + 1}",
            )
            assert worker.poll() is None, f"the worker died at restart {restart + 1}:\n{text()[-4000:]}"
            point_celery_at(redis_backed.url)  # this process's pooled connections went with Redis

        # The faults the worker used to die of were met: unacknowledged messages at the loss, and
        # a task acknowledging on the lost connection's channel afterwards.
        assert text().count("Could not restore unacknowledged messages") == RESTARTS
        assert "Not acknowledging message" in text()

        inquiry, expected = submit()
        tasks.deliver_inquiry.apply_async(args=[inquiry.pk], queue=queue)
        wait_until(
            lambda: expected <= set(slow_sink.received), timeout=60, interval=0.5, what="both emails after the restarts"
        )
        assert worker.poll() is None
        assert "Unrecoverable error" not in text()
        assert {row.status for row in inquiry.outbox.all()} == {"sent"}
    finally:
        stop_group(worker)
