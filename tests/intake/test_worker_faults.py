"""A Celery worker killed in the middle of sending loses nothing (real worker, Redis, PostgreSQL).

`make chaos` drills the same at scale (scripts/chaos.py); this is the case that fits in CI time.
"""

import asyncio
import os
import signal
import threading
import uuid
from email import message_from_bytes
from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction

from clinic.celery import app
from intake import services, tasks
from intake.models import OutboxMessage
from tests.conftest import free_port, start_celery_worker, stop_group, wait_until
from tests.hostsafety import run_queue

from .test_services import answers

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


class GatedSink:
    """An SMTP server that holds the first message open until released, then refuses it (the
    sender is gone by then), and accepts every later one."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.holding = threading.Event()
        self.release = threading.Event()
        self.held = False
        self.received = []
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        if not self.held:
            self.held = True
            self.holding.set()
            for _ in range(600):  # at most 60 s
                if self.release.is_set():
                    break
                await asyncio.sleep(0.1)
            return "421 4.3.2 Try again later"
        self.received.append(message_from_bytes(envelope.content)["Message-ID"])
        return "250 OK"


def unlocked(inquiry) -> int:
    with transaction.atomic():
        return len(OutboxMessage.objects.select_for_update(skip_locked=True).filter(inquiry=inquiry))


@pytest.fixture
def gated_sink():
    sink = GatedSink()
    sink.controller.start()
    yield sink
    sink.release.set()
    sink.controller.stop()


def test_a_worker_killed_while_sending_loses_no_email(gated_sink, tmp_path):
    queue = run_queue(f"faults-{uuid.uuid4().hex[:8]}")
    smtp = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(gated_sink.port), "CELERY_QUEUE": queue}
    with mock.patch.object(services.submission, "enqueue"):  # queued by hand below, to this test's worker
        inquiry, _ = services.submit_inquiry(kind="candidate", submission_token=uuid.uuid4(), answers=answers())
    expected = {services.message_id_header(m) for m in inquiry.outbox.all()}

    old_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # published to this test's worker through the suite's Redis
    first = second = None
    try:
        first = start_celery_worker(tmp_path / "first.log", hostname=f"{queue}-1@localhost", **smtp)
        tasks.deliver_inquiry.apply_async(args=[inquiry.pk], queue=queue)
        assert gated_sink.holding.wait(30), (tmp_path / "first.log").read_text()[-2000:]

        os.killpg(first.pid, signal.SIGKILL)  # mid-send: the row is locked, the email not accepted
        first.wait(timeout=10)
        gated_sink.release.set()

        # The killed worker's transaction ends with it: the rows are unlocked and none is marked sent.
        wait_until(lambda: unlocked(inquiry) == 2, timeout=15, what="the killed worker's row locks to go")
        assert set(inquiry.outbox.values_list("status", flat=True)) == {"pending"}

        # A restarted worker and the beat sweep (due at once here) hand it over.
        second = start_celery_worker(
            tmp_path / "second.log", hostname=f"{queue}-2@localhost", INTAKE_HANDOFF_SWEEP_AFTER="0", **smtp
        )
        tasks.sweep_handoffs.apply_async(queue=queue)
        wait_until(lambda: len(gated_sink.received) >= 2, timeout=30, what="both emails")
    finally:
        app.conf.task_always_eager = old_eager
        if first is not None:
            stop_group(first)
        if second is not None:
            stop_group(second)

    assert sorted(gated_sink.received) == sorted(expected)  # each once
    rows = list(inquiry.outbox.all())
    assert {r.status for r in rows} == {"sent"}
    assert settings.INTAKE_HANDOFF_GIVE_UP_SECONDS >= 24 * 3600
