"""The form survives the database: during an outage a POST answers 503 with the form and everything
typed (never a 500), other pages a clear 503 page, and nothing typed is lost once it is sent again."""

import html
import json
import re
import subprocess
import threading
import time
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client

from clinic.outage import is_database_outage
from intake import crypto
from intake.models import Inquiry
from intake.outage import IMAGE_AGAIN, OUTAGE_MESSAGE
from scripts.support.postgres import PrivatePostgres, postgres_bin
from scripts.support.processes import PY, ROOT, free_port, stop_group, wait_until
from tests.webclient import Browser

from .conftest import candidate_data, image_bytes, question_data

SHOWN = html.escape(OUTAGE_MESSAGE, quote=True)


def outage_client() -> Client:
    # As a browser sees it: the exception becomes the handler500 answer instead of reaching the test.
    return Client(raise_request_exception=False)


def test_only_a_lost_connection_counts_as_an_outage():
    assert is_database_outage(OperationalError("server closed the connection unexpectedly"))
    try:
        try:
            raise OperationalError("connection refused")
        except OperationalError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert is_database_outage(outer)
    assert not is_database_outage(ValueError("a bug"))


@pytest.mark.django_db
def test_a_post_during_an_outage_gets_the_form_back_with_everything_typed(offices):
    data = candidate_data(first_name="Zoë", message="Stairs <hurt> & kneeling", phone="239 555 0199")
    with mock.patch("intake.services.submit_inquiry", side_effect=OperationalError("the database went away")):
        response = outage_client().post("/candidate/", data)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    body = response.content.decode()
    assert SHOWN in body
    for value in ("Zoë", "Lovelace", "ada@example.com", "239 555 0199", "Stairs &lt;hurt&gt; &amp; kneeling"):
        assert value in body
    # Choices and the hidden one-time token come back too, so sending again stores it once.
    assert re.search(r'value="right"[^>]*checked|checked[^>]*value="right"', body)
    assert f'value="{data["submission_token"]}"' in body
    assert Inquiry.objects.count() == 0


@pytest.mark.django_db
def test_the_form_comes_back_even_when_validation_itself_cannot_reach_the_database(offices):
    with mock.patch(
        "django.forms.models.ModelChoiceField.to_python", side_effect=OperationalError("connection refused")
    ):
        response = outage_client().post("/ask/", question_data(message="Can both knees be done?"))
    assert response.status_code == 503
    body = response.content.decode()
    assert SHOWN in body and "Can both knees be done?" in body and "grace@example.com" in body


@pytest.mark.django_db
def test_losing_the_database_while_saving_the_session_gives_the_form_back_and_resending_finds_it(
    offices, django_capture_on_commit_callbacks
):
    from django.contrib.sessions.backends.base import UpdateError

    def save_fails(*args, **kwargs):
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            raise UpdateError  # noqa: B904  (as Django's db session backend does; it becomes a 400)

    data = candidate_data(message="Stored before the session save failed")
    client = outage_client()
    with (
        mock.patch("django.contrib.sessions.backends.db.SessionStore.save", side_effect=save_fails),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post("/candidate/", data)
    assert response.status_code == 503 and SHOWN in response.content.decode()
    assert client.post("/candidate/", data).status_code == 302  # sent again: the stored one, once
    # message is encrypted at rest (intake.crypto): compared after reading, not in SQL.
    assert [i.message for i in Inquiry.objects.all()].count("Stored before the session save failed") == 1


@pytest.mark.django_db
def test_a_picture_sent_during_an_outage_is_asked_for_again(offices):
    data = candidate_data(image=SimpleUploadedFile("knee.png", image_bytes("PNG"), content_type="image/png"))
    with mock.patch("intake.services.submit_inquiry", side_effect=OperationalError("gone")):
        response = outage_client().post("/candidate/", data)
    assert response.status_code == 503
    assert html.escape(IMAGE_AGAIN, quote=True) in response.content.decode()


@pytest.mark.django_db
def test_a_page_during_an_outage_is_a_clear_503_and_other_errors_stay_500():
    with mock.patch("clinic.views.HomeView.get", side_effect=OperationalError("gone")):
        response = outage_client().get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert b"back in a minute" in response.content
    with mock.patch("clinic.views.HomeView.get", side_effect=ValueError("a bug")):
        assert outage_client().get("/").status_code == 500


# --- The drill: a PostgreSQL cluster of the test's own, stopped under live submissions ----------


@pytest.fixture
def private_postgres():
    if postgres_bin() is None:
        pytest.skip("no PostgreSQL server installed")
    pg = PrivatePostgres()
    try:
        yield pg.init()
    finally:
        pg.cleanup()


@pytest.fixture
def site_on(private_postgres, tmp_path):
    """gunicorn (tests.settings: the code challenge in test mode) on the private cluster."""
    port = free_port()
    env = {
        **{k: v for k, v in __import__("os").environ.items() if not k.startswith(("REDIS_", "CACHE_", "GUNICORN_"))},
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": private_postgres.url,
        "CLINIC_TEST_TMP": str(tmp_path),
        "SECURE_COOKIES": "0",
        "INTAKE_MIN_FILL_SECONDS": "0",
        "INTAKE_RATE_LIMIT": "1000/h",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    with (tmp_path / "web.log").open("wb") as log:
        proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "clinic.wsgi:application", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: Browser(base_url).request("/healthz")[0] == 200, timeout=60, interval=0.5, what="gunicorn")
        yield base_url, private_postgres
    finally:
        stop_group(proc)


def _stored_messages(url: str) -> list[str]:
    import psycopg2

    with psycopg2.connect(url.replace("postgres://", "postgresql://")) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT message FROM intake_inquiry")
        stored = [row[0] for row in cursor.fetchall()]
    # Encrypted at rest (intake.crypto: a token holding the JSON of the value), read back here.
    assert all(crypto.is_encrypted(value) for value in stored)
    return [json.loads(crypto.decrypt_bytes(value.encode())) for value in stored]


@pytest.mark.services
def test_stopping_postgresql_during_submissions_loses_no_answer_and_gives_no_500(site_on):
    base_url, pg = site_on
    browser = Browser(base_url)
    assert browser.request("/candidate/")[0] == 200
    sent: list[tuple[dict, int, str]] = []
    stop = threading.Event()

    def patient():
        n = 0
        while not stop.is_set() and n < 400:
            n += 1
            data = candidate_data(office="", message=f"Answer number {n}: it hurts <on> the stairs")
            data["csrfmiddlewaretoken"] = browser.csrf()
            status, body = browser.request("/candidate/", data)
            sent.append((data, status, body))
            time.sleep(0.05)

    submitter = threading.Thread(target=patient)
    submitter.start()
    try:
        wait_until(lambda: len(sent) >= 3, timeout=60, what="submissions before the outage")
        pg.stop()
        during = len(sent)
        wait_until(lambda: len(sent) >= during + 5, timeout=60, what="submissions during the outage")
        assert browser.request("/")[0] == 503
        assert browser.request("/candidate/")[0] == 503
        pg.start()
        wait_until(lambda: sent and sent[-1][1] == 302, timeout=60, what="the site to store forms again")
    finally:
        stop.set()
        submitter.join(timeout=60)

    statuses = [status for _, status, _ in sent]
    assert set(statuses) <= {302, 503}, statuses
    assert statuses.count(503) >= 5
    refused = [(data, body) for data, status, body in sent if status == 503]
    for data, body in refused:
        # Everything typed is on the page the patient got back ...
        assert SHOWN in body
        for value in (data["message"], data["email"], data["phone"], data["submission_token"]):
            assert html.escape(value, quote=True) in body
    for data, _ in refused:  # ... and sending it again a minute later stores it.
        assert browser.request("/candidate/", data)[0] == 302
    stored = _stored_messages(pg.url)
    assert sorted(stored) == sorted(data["message"] for data, _, _ in sent)
