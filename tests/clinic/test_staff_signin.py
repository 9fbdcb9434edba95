"""Staff sign-in: brute-force lockout (django-axes), idle and absolute session limits, and the
TOTP second factor (django-otp) required of everyone who can see patients' data when
OTP_REQUIRED_FOR_HEALTH_DATA is on, enrolled only through an administrator's one-time link."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import urlsplit

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
    settings.OTP_REQUIRED_FOR_HEALTH_DATA = True


def enrolment_path(user) -> str:
    from clinic.staff import make_enrolment_link

    return urlsplit(make_enrolment_link(user)).path


def test_without_the_setting_triage_staff_reach_admin_with_a_password(client, triage_member):
    client.force_login(triage_member)
    assert client.get("/admin/").status_code == 200


def test_staff_can_enrol_an_authenticator_app_with_an_administrators_link(client, staff):
    client.force_login(staff)
    link = enrolment_path(staff)
    assert client.get(link)["Location"] == "/admin/two-factor/?next=/admin/"
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
    refused = client.get(response["Location"])
    assert refused.status_code == 403 and "Ask an administrator for a new enrolment link" in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=triage_member).exists(), "no device from the password alone"
    client.get(enrolment_path(triage_member))
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


# --- Who must use the second factor, and enrolment links ------------------------------------------


@pytest.fixture
def code_asked(client):
    def asked(user) -> bool:
        client.force_login(user)
        response = client.get("/admin/")
        client.logout()
        return response.status_code == 302 and response["Location"].startswith("/admin/two-factor/")

    return asked


def test_with_the_setting_everyone_who_can_see_inquiries_is_asked_for_a_code(db, otp_required, code_asked):
    from django.contrib.auth.models import Permission

    users = get_user_model().objects
    superuser = users.create_superuser("boss", "boss@example.com", PASSWORD)
    direct = users.create_user("direct", "d@example.com", PASSWORD, is_staff=True)
    direct.user_permissions.add(Permission.objects.get(codename="view_inquiry"))
    via_group = users.create_user("grouped", "g@example.com", PASSWORD, is_staff=True)
    readers, _ = Group.objects.get_or_create(name="Inquiry readers")
    readers.permissions.add(Permission.objects.get(codename="change_inquiry"))
    via_group.groups.add(readers)
    editor = users.create_user("editor", "e@example.com", PASSWORD, is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="change_office"))

    assert code_asked(superuser)
    assert code_asked(direct)
    assert code_asked(via_group)
    assert not code_asked(editor), "no permission on inquiries: no health data to protect"


def test_without_the_setting_nobody_is_asked(db, settings, code_asked):
    settings.OTP_REQUIRED_FOR_HEALTH_DATA = False
    assert not code_asked(get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD))


@pytest.mark.parametrize(
    "environment, expected",
    [
        ({"OTP_REQUIRED_FOR_TRIAGE": "1"}, "True"),
        ({"OTP_REQUIRED_FOR_TRIAGE": "1", "OTP_REQUIRED_FOR_HEALTH_DATA": "0"}, "False"),
    ],
)
def test_the_former_setting_name_still_works_unless_the_new_one_is_set(environment, expected):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTP_")} | {"DEBUG": "1", **environment}
    code = "import clinic.settings as s; print(s.OTP_REQUIRED_FOR_HEALTH_DATA)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == expected, result.stderr


def test_an_enrolment_link_works_once_for_its_own_account(client, staff):
    other = get_user_model().objects.create_user("other", "o@example.com", PASSWORD, is_staff=True)
    link = enrolment_path(staff)
    client.force_login(other)
    assert client.get(link).status_code == 403, "another account's link"
    client.force_login(staff)
    assert client.get(link).status_code == 302
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    client.post("/admin/two-factor/", {"code": current_code(device), "next": "/admin/"})
    device.refresh_from_db()
    assert device.confirmed
    client.force_login(staff)
    response = client.get(link)
    assert response.status_code == 403 and "cannot be used" in response.content.decode(), "spent"


def test_a_newer_link_voids_the_older_and_links_expire(client, staff, settings):
    old = enrolment_path(staff)
    new = enrolment_path(staff)
    client.force_login(staff)
    assert client.get(old).status_code == 403
    assert client.get(new.replace(new.rsplit("/", 2)[1][:3], "xyz")).status_code in (403, 404), "tampered"
    settings.OTP_ENROLMENT_LINK_HOURS = 0
    time.sleep(1)
    assert client.get(new).status_code == 403, "expired"


def test_an_administrator_makes_links_with_a_command_or_an_admin_action(client, staff):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("otp_enrolment_link", "nurse", stdout=out, stderr=err)
    assert "/admin/two-factor/enrol/" in out.getvalue() and "works once" in err.getvalue()
    boss = get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD)
    client.force_login(boss)
    response = client.post(
        "/admin/auth/user/", {"action": "make_enrolment_links", "_selected_action": [staff.pk]}, follow=True
    )
    assert "Enrolment link for nurse" in response.content.decode()
    assert TOTPDevice.objects.filter(user=staff, confirmed=False).count() == 1
