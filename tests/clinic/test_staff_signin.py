"""Staff sign-in: brute-force lockout (django-axes), idle and absolute session limits, and the
optional TOTP second factor (django-otp) that the "Triage" group can be required to use."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.middleware import LAST_SEEN_AT, SIGNED_IN_AT

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-1"


@pytest.fixture(autouse=True)
def offices(db):
    call_command("load_content", verbosity=0)


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("nurse", "nurse@example.com", PASSWORD, is_staff=True)


def sign_in(client, username="nurse", password=PASSWORD, ip="203.0.113.7"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=ip)


# --- Lockout -----------------------------------------------------------------------------------


def test_a_right_password_signs_in_and_is_logged(client, staff):
    response = sign_in(client)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert AccessLog.objects.filter(username="nurse", ip_address="203.0.113.7").count() == 1


def test_after_five_wrong_passwords_the_account_is_locked_from_that_address_with_a_429(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, password="wrong").status_code == 200  # the login form again, with an error
    response = sign_in(client, password="wrong")
    assert response.status_code == 429
    html = response.content.decode()
    assert "<h1>Sign-in paused for this account</h1>" in html
    assert "try again in 15 minutes" in html
    assert response["Retry-After"] == "900"
    # Locked: even the right password is refused now.
    assert sign_in(client).status_code == 429
    assert AccessFailureLog.objects.filter(username="nurse").count() >= settings.AXES_FAILURE_LIMIT


def test_the_lockout_is_per_username_and_address(client, staff, settings):
    get_user_model().objects.create_user("doctor", "doctor@example.com", PASSWORD, is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, password="wrong")
    assert sign_in(client).status_code == 429
    assert sign_in(client, ip="198.51.100.20").status_code == 302, "the same user from another address"
    client.logout()
    assert sign_in(client, username="doctor").status_code == 302, "another user from the same address"


def test_the_lock_lifts_after_the_cool_off(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, password="wrong")
    assert sign_in(client).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert sign_in(client).status_code == 302


# --- Session limits ----------------------------------------------------------------------------


def age_session(client, *, idle_seconds=0, signed_in_seconds=0):
    session = client.session
    now = time.time()
    session[LAST_SEEN_AT] = now - idle_seconds
    session[SIGNED_IN_AT] = now - signed_in_seconds
    session.save()


def test_staff_stay_signed_in_while_active(client, staff):
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    age_session(client, idle_seconds=14 * 60, signed_in_seconds=11 * 3600)
    assert client.get("/admin/").status_code == 200


def test_staff_are_signed_out_after_fifteen_idle_minutes_and_told_why(client, staff):
    client.force_login(staff)
    client.get("/admin/")
    age_session(client, idle_seconds=16 * 60)
    response = client.get("/admin/intake/inquiry/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/intake/inquiry/"
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 15 minutes without activity. Please sign in again." in page
    assert "_auth_user_id" not in client.session


def test_the_idle_timeout_is_configurable(client, staff, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 5
    client.force_login(staff)
    client.get("/admin/")
    age_session(client, idle_seconds=6 * 60)
    assert client.get("/admin/").status_code == 302


def test_staff_are_signed_out_twelve_hours_after_signing_in_even_when_active(client, staff):
    client.force_login(staff)
    client.get("/admin/")
    age_session(client, idle_seconds=10, signed_in_seconds=12 * 3600 + 60)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_an_expired_staff_session_on_a_public_page_just_shows_the_page(client, staff):
    client.force_login(staff)
    client.get("/admin/")
    age_session(client, idle_seconds=16 * 60)
    assert client.get("/contact/").status_code == 200
    assert "_auth_user_id" not in client.session


# --- TOTP --------------------------------------------------------------------------------------


def forget_wrong_codes():
    """django-otp makes a member wait longer after each wrong code; a test does not wait."""
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)


def current_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def triage_member(staff):
    group, _ = Group.objects.get_or_create(name="Triage")  # made by the triage app's migration
    staff.groups.add(group)
    return staff


@pytest.fixture
def otp_required(settings):
    settings.OTP_REQUIRED_GROUPS = ["Triage"]


def test_without_the_setting_triage_staff_reach_admin_with_a_password(client, triage_member):
    client.force_login(triage_member)
    assert client.get("/admin/").status_code == 200


def test_staff_can_enrol_an_authenticator_app(client, staff):
    client.force_login(staff)
    page = client.get("/admin/two-factor/")
    html = page.content.decode()
    assert "Turn on two-step sign-in" in html and 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    response = client.post("/admin/two-factor/", {"code": "000000" if current_code(device) != "000000" else "1"})
    assert "That code does not match" in response.content.decode()
    for _ in range(2):
        response = client.post("/admin/two-factor/", {"code": "1"})
    assert "Too many wrong codes" in response.content.decode()
    forget_wrong_codes()
    response = client.post("/admin/two-factor/?next=/admin/", {"code": current_code(device), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert "Two-step sign-in is on" in client.get("/admin/two-factor/").content.decode()


def test_with_the_setting_a_triage_member_without_a_device_is_sent_to_enrol_one(client, triage_member, otp_required):
    client.force_login(triage_member)
    response = client.get("/admin/intake/inquiry/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/two-factor/?next=/admin/intake/inquiry/"
    client.get(response["Location"])
    device = TOTPDevice.objects.get(user=triage_member)
    response = client.post("/admin/two-factor/", {"code": current_code(device), "next": "/admin/intake/inquiry/"})
    assert response["Location"] == "/admin/intake/inquiry/"
    assert client.get("/admin/").status_code == 200


def test_with_the_setting_a_triage_member_must_enter_a_code_each_session(client, triage_member, otp_required):
    device = TOTPDevice.objects.create(user=triage_member, name="phone", confirmed=True)
    client.force_login(triage_member)
    response = client.get("/admin/")
    assert response["Location"] == "/admin/two-factor/verify/?next=/admin/"
    assert client.get("/admin/two-factor/").status_code == 302, "no second device without the first one's code"
    wrong = client.post("/admin/two-factor/verify/", {"code": "12345x", "next": "/admin/"})
    assert "That code does not match" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302
    forget_wrong_codes()
    response = client.post("/admin/two-factor/verify/", {"code": current_code(device), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_code_page_never_redirects_to_another_site(client, triage_member, otp_required):
    device = TOTPDevice.objects.create(user=triage_member, name="phone", confirmed=True)
    client.force_login(triage_member)
    response = client.post("/admin/two-factor/verify/", {"code": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


def test_with_the_setting_other_staff_are_not_asked_for_a_code(client, staff, otp_required):
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
