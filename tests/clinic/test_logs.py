"""Structured logs: JSON lines carrying the inquiry reference and nothing a patient wrote."""

import io
import json
import logging
import smtplib
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.core.management import call_command

from clinic.logs import JsonFormatter
from intake.models import Inquiry, OutboxMessage
from tests.conftest import wait_until
from tests.intake.conftest import candidate_data

# Everything a person typed, each distinctive enough to find in a log.
PERSONAL = {
    "first_name": "Zenobia",
    "last_name": "Quixtrelle",
    "email": "zq.private-mail@example.org",
    "phone": "239 555 0177",
    "message": "Grinding pain after the trampoline fall",
    "activities_given_up": "Salsa nights with the pharmacy choir",
}


def leaks(text: str) -> list[str]:
    found = [value for value in PERSONAL.values() if value.lower() in text.lower()]
    found += [word for word in ("Zenobia", "Quixtrelle", "trampoline", "pharmacy") if word.lower() in text.lower()]
    found += [digits for digits in ("2395550177", "555 0177", "555-0177") if digits in text]
    return found


@pytest.fixture
def json_logs():
    """Everything logged at INFO and above, formatted as production formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(), logging.getLogger("django")]
    old_levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    yield stream
    for lg, level in zip(loggers, old_levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


def records(stream: io.StringIO) -> list[dict]:
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # every line is one JSON object


@pytest.mark.django_db
def test_a_submission_and_its_hand_off_log_the_reference_and_nothing_personal(
    client, json_logs, django_capture_on_commit_callbacks
):
    call_command("load_content", verbosity=0)
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/candidate/", candidate_data(**PERSONAL))
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert not inquiry.outbox.exclude(status=OutboxMessage.Status.SENT).exists(), "handed off (eagerly)"
    client.get("/thanks/")

    logged = records(json_logs)
    assert any(r.get("reference") == inquiry.reference and "stored" in r["message"] for r in logged)
    assert sum(1 for r in logged if r.get("reference") == inquiry.reference and "sent outbox" in r["message"]) == 2
    assert {"time", "level", "logger", "message"} <= set(logged[0])
    assert leaks(json_logs.getvalue()) == []


@pytest.mark.django_db
def test_a_refused_recipient_is_logged_without_the_address(client, json_logs, monkeypatch, settings):
    call_command("load_content", verbosity=0)
    cache.clear()

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({PERSONAL["email"]: (550, b"mailbox unavailable")})

    monkeypatch.setattr(EmailMessage, "send", refuse)
    response = client.post("/candidate/", candidate_data(**PERSONAL))
    assert response.status_code == 302
    from intake import services

    inquiry = Inquiry.objects.get()
    with pytest.raises(services.DeliveryFailed):
        services.deliver_inquiry(inquiry_id=inquiry.pk)
    logger = logging.getLogger("intake.tasks")
    try:
        services.deliver_inquiry(inquiry_id=inquiry.pk)
    except services.DeliveryFailed:
        logger.exception("hand-off of %s failed", inquiry.reference)  # as Celery logs a final failure
    text = json_logs.getvalue()
    assert "SMTPRecipientsRefused" in text and inquiry.reference in text
    assert leaks(text) == []


def test_the_formatter_blanks_email_addresses_and_drops_query_strings(rf, json_logs):
    request = rf.get("/search/", {"q": "my torn meniscus"})
    logging.getLogger("django.request").warning("Not Found: %s", request.path, extra={"request": request})
    logging.getLogger("intake").info("odd value %s", "someone@example.com")
    first, second = records(json_logs)
    assert first["path"] == "/search/" and first["method"] == "GET"
    assert "meniscus" not in json_logs.getvalue()
    assert second["message"] == "odd value [email]"


def worker_log(proc) -> Path:
    """The file the test worker's output goes to (tests/conftest.py starts it that way)."""
    return Path(f"/proc/{proc.pid}/fd/1").readlink()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_logs_json_lines_with_the_reference_and_nothing_personal(client, celery_worker, smtp_sink):
    call_command("load_content", verbosity=0)
    cache.clear()
    response = client.post("/candidate/", candidate_data(**PERSONAL))
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    wait_until(
        lambda: not inquiry.outbox.exclude(status=OutboxMessage.Status.SENT).exists(),
        timeout=30,
        what="the worker to send the inquiry's emails",
    )
    path = worker_log(celery_worker)
    text = wait_until(
        lambda: (t := path.read_text()).count(f'"reference": "{inquiry.reference}"') >= 2 and t,
        timeout=10,
        what="the worker's log lines",
    )
    logged = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert any("deliver_inquiry" in r["message"] and "succeeded" in r["message"] for r in logged)
    assert leaks(text) == []


def test_gunicorn_access_lines_are_json_written_in_batches_and_cache_hits_sampled(capfd, monkeypatch):
    import datetime
    import json
    from types import SimpleNamespace

    from gunicorn.config import Config

    from clinic.accesslog import AccessLogger

    monkeypatch.setenv("ACCESS_LOG_HIT_SAMPLE", "5")
    cfg = Config()
    cfg.set("accesslog", "-")
    log = AccessLogger(cfg)
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/search/",
        "QUERY_STRING": "q=secret",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    took = datetime.timedelta(microseconds=1500)
    page = SimpleNamespace(status="200 OK", sent=1234, headers=[("Content-Type", "text/html")])
    hit = SimpleNamespace(status="200 OK", sent=99, headers=[("X-Page-Cache", "hit")])

    log.access(page, None, environ, took)
    for _ in range(10):
        log.access(hit, None, {**environ, "PATH_INFO": "/mail/someone@example.com/"}, took)
    assert capfd.readouterr().out == ""  # waiting in the batch
    log.flush_access()

    lines = [json.loads(line) for line in capfd.readouterr().out.splitlines()]
    assert lines[0]["logger"] == "gunicorn.access" and lines[0]["level"] == "INFO"
    assert lines[0]["message"] == '127.0.0.1 "GET /search/ HTTP/1.1" 200 1234 0.001500s'  # no query string
    assert len(lines) == 3  # the page, and 2 of the 10 hits
    assert lines[1]["sample"] == 5 and "[email]" in lines[1]["message"] and "example.com" not in lines[1]["message"]
