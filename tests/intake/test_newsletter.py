import re

import pytest
from django.core import mail
from django.core.cache import cache

from intake.models import Subscriber
from tests.intake.conftest import protection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


def sign_up(client, capture, email):
    with capture(execute=True):
        return client.post("/newsletter/", {"email": email, **protection()})


def link(message, kind):
    return re.search(rf"http://127\.0\.0\.1:8000(/newsletter/{kind}/[^/\s]+/)", message.body).group(1)


def test_sign_up_confirm_and_unsubscribe(client, offices, django_capture_on_commit_callbacks):
    response = sign_up(client, django_capture_on_commit_callbacks, "Reader@Example.com")
    assert response["Location"] == "/newsletter/sent/"
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.com" and subscriber.status == "pending"
    (message,) = mail.outbox
    assert message.to == ["reader@example.com"]
    confirm = link(message, "confirm")

    assert "Confirm" in client.get(confirm).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"  # a GET (a mail scanner opening the link) changes nothing
    client.post(confirm)
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"

    # One click (RFC 8058): the mail client POSTs to the List-Unsubscribe link with no CSRF token.
    from django.test import Client

    unsubscribe = link(message, "unsubscribe")
    assert message.extra_headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    response = Client(enforce_csrf_checks=True).post(unsubscribe)
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"


def test_signing_up_reveals_nothing_and_makes_no_duplicates(client, offices, django_capture_on_commit_callbacks):
    pages = []
    for _ in range(3):
        response = sign_up(client, django_capture_on_commit_callbacks, "reader@example.com")
        pages.append(client.get(response["Location"]).content)
    assert Subscriber.objects.count() == 1
    assert len(mail.outbox) == 1  # at most one confirmation an hour
    Subscriber.objects.update(status="confirmed")
    response = sign_up(client, django_capture_on_commit_callbacks, "READER@example.com")
    assert client.get(response["Location"]).content == pages[0]
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("token", ["forged", "a" * 500, "1:2:3"])
def test_a_forged_or_altered_link_changes_nothing(client, offices, token):
    Subscriber.objects.create(email="reader@example.com")
    assert client.post(f"/newsletter/confirm/{token}/").status_code == 404
    assert client.post(f"/newsletter/unsubscribe/{token}/").status_code == 404
    assert Subscriber.objects.get().status == "pending"


def test_a_confirm_link_cannot_unsubscribe(client, offices, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks, "reader@example.com")
    token = link(mail.outbox[0], "confirm").split("/")[-2]
    assert client.post(f"/newsletter/unsubscribe/{token}/").status_code == 404
