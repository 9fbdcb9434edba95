"""True client addresses behind the trusted proxies (TRUSTED_PROXIES): the audit trail, the sign-in
lockout and the intake rate limit all see the rightmost untrusted X-Forwarded-For hop, so a forged
X-Forwarded-For is never recorded nor used to escape a limit; and the lockout also counts per address."""

import random

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import override_settings

from clinic.middleware import true_client_address
from intake.models import Inquiry
from tests.intake.conftest import candidate_data

PROXY = "10.0.0.5"
PASSWORD = "correct-horse-battery-1"


def fresh_address() -> str:
    """An address no other test used (the rate limit counts per address in the shared cache)."""
    return f"198.18.{random.randrange(256)}.{random.randrange(1, 255)}"


@pytest.mark.parametrize(
    "peer, forwarded, expected",
    [
        (PROXY, "203.0.113.9", "203.0.113.9"),
        (PROXY, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client wrote 6.6.6.6 itself
        (PROXY, "6.6.6.6, 203.0.113.9, 10.0.0.7", "203.0.113.9"),  # two proxies of ours
        (PROXY, "", PROXY),
        (PROXY, "not-an-address", PROXY),
        ("203.0.113.1", "6.6.6.6", "203.0.113.1"),  # not through the proxy: the header is ignored
        (PROXY, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_rightmost_untrusted_hop(peer, forwarded, expected):
    assert true_client_address(peer, forwarded, ["10.0.0.0/8"]) == expected


def test_without_trusted_proxies_x_forwarded_for_is_ignored():
    assert true_client_address("203.0.113.1", "6.6.6.6", []) == "203.0.113.1"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]


@pytest.fixture
def offices(db):
    from django.core.management import call_command

    call_command("load_content", verbosity=0)


def post_candidate(client, capture, **headers):
    with capture(execute=True):
        return client.post("/candidate/", candidate_data(), **headers)


@pytest.mark.django_db
def test_the_audit_trail_records_the_true_address_not_the_forged_one(
    client, offices, behind_proxy, django_capture_on_commit_callbacks
):
    client_address = fresh_address()
    response = post_candidate(
        client,
        django_capture_on_commit_callbacks,
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_address}",
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(Inquiry.objects.get()).get(action=LogEntry.Action.CREATE)
    assert entry.remote_addr == client_address


@pytest.mark.django_db
def test_without_a_proxy_a_forged_header_is_not_recorded(client, offices, django_capture_on_commit_callbacks):
    client_address = fresh_address()
    post_candidate(
        client, django_capture_on_commit_callbacks, REMOTE_ADDR=client_address, HTTP_X_FORWARDED_FOR="6.6.6.6"
    )
    entry = LogEntry.objects.get_for_object(Inquiry.objects.get()).get(action=LogEntry.Action.CREATE)
    assert entry.remote_addr == client_address


@pytest.mark.django_db
@override_settings(INTAKE_RATE_LIMIT="2/h")
def test_the_rate_limit_counts_the_true_address_and_a_forged_header_does_not_escape_it(
    client, offices, behind_proxy, django_capture_on_commit_callbacks
):
    first, second = fresh_address(), fresh_address()
    for n in range(2):
        forged = f"6.6.6.{n}, {first}"
        response = post_candidate(
            client, django_capture_on_commit_callbacks, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forged
        )
        assert response.status_code == 302
    forged = f"6.6.6.9, {first}"
    assert (
        post_candidate(
            client, django_capture_on_commit_callbacks, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forged
        ).status_code
        == 429
    )
    other = post_candidate(client, django_capture_on_commit_callbacks, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=second)
    assert other.status_code == 302, "another patient behind the same proxy has a limit of their own"


def sign_in(client, username, password="wrong", **headers):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, **headers)


@pytest.mark.django_db
def test_the_lockout_records_and_locks_the_true_address(client, behind_proxy, settings):
    get_user_model().objects.create_user("nurse", "nurse@example.com", PASSWORD, is_staff=True)
    address = fresh_address()
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "nurse", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"6.6.{n}.6, {address}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {address}
    response = sign_in(client, "nurse", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"7.7.7.7, {address}")
    assert response.status_code == 429


@pytest.mark.django_db
def test_twelve_usernames_from_one_address_lock_that_address(client, settings):
    get_user_model().objects.create_user("nurse", "nurse@example.com", PASSWORD, is_staff=True)
    address = fresh_address()
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        assert sign_in(client, f"guess{n}", REMOTE_ADDR=address).status_code == 200
    assert sign_in(client, "nurse", PASSWORD, REMOTE_ADDR=fresh_address()).status_code == 302, "other addresses"
    client.logout()
    assert sign_in(client, "guess-last", REMOTE_ADDR=address).status_code == 429
    assert sign_in(client, "nurse", PASSWORD, REMOTE_ADDR=address).status_code == 429, "the address is locked"
