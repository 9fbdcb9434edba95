"""A reply from the inquiry's page on real services: PostgreSQL, Redis, a Celery worker and an SMTP
sink. The same form posted twice at once sends one email, to the patient, Reply-To the triage inbox."""

import threading
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from clinic.models import Office
from intake import services
from intake.models import OutboxMessage, ReplyTemplate
from intake.services.replies import render_reply
from tests.conftest import wait_until
from tests.intake.conftest import HEALTH_SECRET, make_inquiry, make_staff

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def post_at_once(user, url: str, data: dict, copies: int) -> list[int]:
    """POST `data` to `url` from `copies` threads released together (a double-click, two tabs);
    returns their status codes."""
    barrier = threading.Barrier(copies)
    statuses = []

    def submit():
        client = Client()
        client.force_login(user)
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_a_reply_posted_twice_at_once_is_sent_once_by_the_real_worker(celery_worker, smtp_sink):
    call_command("load_content", verbosity=0)
    # Transactional tests empty the tables between tests: the template is made here, not seeded.
    template = ReplyTemplate.objects.create(
        name="Worker test", subject="About {reference}", body="Hello {first_name}, please call {office} at {phone}."
    )
    inquiry = make_inquiry(first_name="Ada", email="reply-worker@example.com")
    staff = make_staff("worker-nurse", superuser=True)
    subject, body = render_reply(template, inquiry)
    data = {
        "template": template.pk,
        "subject": subject,
        "body": body,
        "token": str(uuid.uuid4()),
        "acknowledged": "",
        "_reply": "send",
    }
    statuses = post_at_once(staff, f"/admin/intake/inquiry/{inquiry.pk}/reply/", data, copies=2)
    assert statuses == [302, 302]
    reply = OutboxMessage.objects.get(inquiry=inquiry, kind="reply")
    wait_until(
        lambda: OutboxMessage.objects.get(pk=reply.pk).status == "sent", timeout=30, what="the worker to send it"
    )
    message_id = services.message_id_header(reply)
    wait_until(
        lambda: any(msg["Message-ID"] == message_id for _, msg in smtp_sink.received()),
        timeout=10,
        what="the sink to get the reply",
    )
    received = [(rcpts, msg) for rcpts, msg in smtp_sink.received() if msg["Message-ID"] == message_id]
    assert len(received) == 1
    [(recipients, email)] = received
    assert recipients == ["reply-worker@example.com"]
    assert email["Reply-To"] == "triage@localhost"
    assert email["Subject"] == f"About {inquiry.reference}"
    text = email.get_payload(decode=True).decode()
    first = Office.objects.first()  # "either office": the first office's name and phone
    assert text.startswith(f"Hello Ada, please call {first.label} at {first.phone}.")
    assert HEALTH_SECRET not in email.as_string()
    assert inquiry.contact_attempts.filter(outcome="emailed").count() == 1
    assert OutboxMessage.objects.get(pk=reply.pk).attempts == 1
