"""Probes (/livez, /healthz), Prometheus metrics for the scraper only, and Sentry's scrubber."""

import json
import subprocess
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from clinic import sentry
from intake import services
from intake.models import Inquiry, OutboxMessage
from tests.conftest import PYTHON, ROOT, free_port, service_env, stop_group, wait_until

from ..intake.test_services import answers

pytestmark = pytest.mark.django_db

TOKEN = "scraper-token-" + "x" * 20


def test_livez_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "max-age=0" in response["Cache-Control"]


def test_livez_answers_while_the_database_is_down(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(connection, "cursor", refuse)
    assert client.get("/livez").status_code == 200
    assert client.get("/healthz").status_code == 503


def test_probes_and_metrics_are_exempt_from_the_https_redirect(client):
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert client.get("/livez").status_code == 200
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 301


def scrape(client, token=TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get("/metrics", headers=headers)


def samples(body: bytes) -> dict:
    """{(name, frozenset(labels)): value} of every sample on the page."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def test_metrics_are_a_404_while_no_token_is_set(client, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(client).status_code == 404
    assert scrape(client, token="").status_code == 404


def test_metrics_refuse_a_missing_or_wrong_token(client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert scrape(client, token=None).status_code == 403
    assert scrape(client, token="wrong").status_code == 403
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 403
    assert client.get(f"/metrics?token={TOKEN}").status_code == 403


def submit(kind="candidate", **overrides):
    inquiry, _ = services.submit_inquiry(kind=kind, submission_token=uuid.uuid4(), answers=answers(**overrides))
    return inquiry


def test_metrics_count_the_outbox_by_state_and_inquiries_by_kind(client, settings, monkeypatch):
    settings.METRICS_TOKEN = TOKEN
    monkeypatch.setattr(services, "enqueue", lambda *args, **kwargs: None)  # nothing sent: all pending
    first, second = submit(), submit()
    submit(kind="question")
    outbox = list(OutboxMessage.objects.order_by("pk"))
    OutboxMessage.objects.filter(pk=outbox[0].pk).update(last_error="SMTPServerDisconnected", attempts=1)
    OutboxMessage.objects.filter(pk=outbox[1].pk).update(status=OutboxMessage.Status.FAILED)
    OutboxMessage.objects.filter(pk=outbox[2].pk).update(status=OutboxMessage.Status.SENT)
    oldest = timezone.now() - timedelta(minutes=10)
    OutboxMessage.objects.filter(pk=outbox[3].pk).update(created_at=oldest)
    unsent = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)

    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    found = samples(response.content)
    assert found[("clinic_outbox_messages", frozenset({("state", "failing")}))] == 1
    assert found[("clinic_outbox_messages", frozenset({("state", "failed")}))] == 1
    assert found[("clinic_outbox_messages", frozenset({("state", "pending")}))] == unsent.filter(last_error="").count()
    assert 600 <= found[("clinic_outbox_oldest_pending_age_seconds", frozenset())] < 660
    assert found[("clinic_inquiries", frozenset({("kind", "candidate")}))] == 2
    assert found[("clinic_inquiries", frozenset({("kind", "question")}))] == 1
    assert found[("clinic_inquiries", frozenset({("kind", "appointment")}))] == 0
    # django-prometheus' own request metrics are on the same page.
    assert any(name.startswith("django_http_requests_total") for name, _ in found)
    assert {first.pk, second.pk} <= set(Inquiry.objects.values_list("pk", flat=True))


def test_metrics_with_an_empty_outbox_report_zero_age(client, settings):
    settings.METRICS_TOKEN = TOKEN
    found = samples(scrape(client).content)
    assert found[("clinic_outbox_oldest_pending_age_seconds", frozenset())] == 0
    assert found[("clinic_outbox_messages", frozenset({("state", "pending")}))] == 0


def test_metrics_merge_every_worker_in_multiprocess_mode(client, settings, tmp_path, monkeypatch):
    settings.METRICS_TOKEN = TOKEN
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    found = samples(scrape(client).content)
    assert ("clinic_outbox_oldest_pending_age_seconds", frozenset()) in found


# --- Sentry ---------------------------------------------------------------------------------------

NAME, SURNAME = "Philippa", "Quarrington"
EMAIL, PHONE = "philippa.q@example.org", "(239) 555-0187"
ANSWER = "my left knee locks on the stairs since the skiing fall"


def event_with_patient_data() -> dict:
    """An event shaped like the ones sentry-sdk's Django integration sends from a failed form post."""
    return {
        "level": "error",
        "message": f"Could not notify staff about {EMAIL}",
        "logentry": {"message": "inquiry from %s %s", "params": [NAME, SURNAME]},
        "exception": {
            "values": [
                {
                    "type": "SMTPRecipientsRefused",
                    "value": f"{{'{EMAIL}': (550, b'no such user')}} call back on {PHONE}",
                    "stacktrace": {
                        "frames": [
                            {"function": "submit_inquiry", "vars": {"first_name": NAME, "message": ANSWER}},
                        ]
                    },
                }
            ]
        },
        "request": {
            "method": "POST",
            "url": f"https://clinic.example/candidacy/?email={EMAIL}",
            "query_string": f"email={EMAIL}",
            "data": {"first_name": NAME, "last_name": SURNAME, "email": EMAIL, "phone": PHONE, "message": ANSWER},
            "cookies": {"sessionid": "abc"},
            "headers": {"User-Agent": "Firefox", "Cookie": "sessionid=abc", "Referer": f"/x?name={NAME}"},
        },
        "user": {"email": EMAIL, "username": NAME, "ip_address": "203.0.113.9"},
        "extra": {"answers": {"message": ANSWER}},
        "breadcrumbs": {
            "values": [
                {"category": "query", "message": "SELECT ... WHERE email = %s", "data": {"params": [EMAIL]}},
                {"category": "log", "message": f"Sent to {EMAIL}"},
            ]
        },
    }


def test_sentry_scrubber_removes_names_contact_details_and_answers():
    scrubbed = sentry.scrub(event_with_patient_data(), {})
    text = json.dumps(scrubbed)
    for secret in (NAME, SURNAME, EMAIL, PHONE, ANSWER, "203.0.113.9", "sessionid"):
        assert secret not in text, secret
    # What helps to find the bug stays.
    assert scrubbed["exception"]["values"][0]["type"] == "SMTPRecipientsRefused"
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]["function"] == "submit_inquiry"
    assert scrubbed["request"]["url"] == "https://clinic.example/candidacy/"
    assert scrubbed["request"]["headers"] == {"User-Agent": "Firefox"}
    assert scrubbed["logentry"]["message"] == "inquiry from %s %s"


def test_sentry_is_off_without_a_dsn(settings):
    import sentry_sdk

    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


def test_sentry_sends_scrubbed_events_when_a_dsn_is_set():
    import sentry_sdk
    from sentry_sdk.transport import Transport

    sent = []

    class Capture(Transport):
        def capture_envelope(self, envelope):
            sent.extend(item.payload.json for item in envelope.items if item.payload.json)

    sentry.init("https://public@sentry.invalid/1", environment="test")
    client = sentry_sdk.get_client()
    client.transport = Capture(client.options)
    try:
        try:
            raise ValueError(f"bad phone {PHONE} for {EMAIL}")
        except ValueError:
            sentry_sdk.capture_exception()
        sentry_sdk.flush(timeout=2)
    finally:
        sentry_sdk.init(dsn=None)  # back to off for the rest of the suite
    assert sent, "the event was sent"
    text = json.dumps(sent)
    assert "ValueError" in text and EMAIL not in text and PHONE not in text


# --- Through gunicorn -----------------------------------------------------------------------------


def http_get(url, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except OSError:
        return None, b""


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_gunicorn_workers_counts_add_up_at_metrics(tmp_path, collected_static):
    """With PROMETHEUS_MULTIPROC_DIR (as docker-compose.yml sets it), a scrape counts the requests of
    every gunicorn worker, not only those of the worker that answered it."""
    port = free_port()
    (tmp_path / "metrics").mkdir()
    env = service_env(
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        GUNICORN_THREADS="1",
        STATIC_ROOT=str(collected_static),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
        METRICS_TOKEN=TOKEN,
        SECURE_SSL_REDIRECT="0",
    )
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "clinic.wsgi:application", "--config", "gunicorn.conf.py"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: proc.poll() is not None or http_get(base + "/livez")[0] == 200, timeout=60, what="gunicorn")
        assert proc.poll() is None, log.read_text()[-2000:]
        for _ in range(39):  # 40 with the one above, spread over both workers
            assert http_get(base + "/livez")[0] == 200
        assert http_get(base + "/metrics")[0] == 403
        status, body = http_get(base + "/metrics", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        found = samples(body)
        livez = sum(
            value
            for (name, labels), value in found.items()
            if name == "django_http_requests_total_by_view_transport_method_total"
            and ("view", "clinic:livez") in labels
        )
        assert livez == 40
        assert ("clinic_outbox_oldest_pending_age_seconds", frozenset()) in found
        pids = {path.name for path in (tmp_path / "metrics").iterdir()}
        assert len({name.rsplit("_", 1)[-1] for name in pids}) >= 2, f"both workers wrote their counters: {pids}"
    finally:
        stop_group(proc)
