"""Production security settings, the Content-Security-Policy, and no-store on private pages."""

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEYS": os.environ["FIELD_ENCRYPTION_KEYS"],
    "ALLOWED_HOSTS": "clinic.example.com",
    "DJANGO_SETTINGS_MODULE": "clinic.settings",
    "EMAIL_HOST": "smtp.example.com",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def production_env(**extra) -> dict:
    """Only what production sets: none of the test run's variables (e.g. the browser tests'
    DJANGO_ALLOW_ASYNC_UNSAFE) leak in."""
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    env.update(PRODUCTION, **extra)
    return env


def inline_code(html: str) -> list[str]:
    """Inline scripts (other than JSON-LD data), style blocks and attributes, event handlers."""
    return [m.group(0) for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER) for m in pattern.finditer(html)]


def test_the_deployment_checks_pass_with_the_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_production_settings_are_the_secure_ones():
    script = (
        "import clinic.settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY, sep='|')"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=production_env(), capture_output=True, text=True)
    assert out.stdout.strip().split("|") == [
        "True",
        "31536000",
        "True",
        "('HTTP_X_FORWARDED_PROTO', 'https')",
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "DENY",
        "same-origin",
    ], out.stderr


def test_plain_http_on_loopback_can_turn_off_the_redirect_and_secure_cookies():
    script = "import clinic.settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE)"
    env = production_env(SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "sessionid", "False"], out.stderr


@pytest.fixture
def https_site(settings, offices):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True


@pytest.fixture
def offices(db):
    call_command("load_content", verbosity=0)


def test_plain_http_is_redirected_to_https(client, https_site):
    response = client.get("/articles/?page=2")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/articles/?page=2"


def test_behind_the_proxy_https_requests_are_served_with_hsts(client, https_site):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_health_check_answers_over_plain_http_for_the_load_balancer(client, https_site):
    response = client.get("/healthz")
    assert response.status_code in (200, 503)
    assert "Location" not in response


# --- Content-Security-Policy -------------------------------------------------------------------


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())


@pytest.mark.parametrize("path", ["/", "/articles/", "/candidate/", "/admin/login/", "/no-such-page/"])
def test_every_page_has_the_strict_content_security_policy(client, offices, path):
    policy = directives(client.get(path))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert not any("unsafe" in value or "nonce" in value for value in policy.values())


def test_the_policy_is_the_same_for_every_response_so_cached_pages_stay_valid(client, offices):
    assert client.get("/")["Content-Security-Policy"] == client.get("/")["Content-Security-Policy"]


def test_our_templates_have_no_inline_script_or_style():
    offenders = {}
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        for path in folder.rglob("*.html"):
            found = inline_code(path.read_text())
            if found:
                offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("chief", "chief@example.com", "a-long-password-1")


def admin_pages():
    """Every registered model's change list and add form (where the model admin offers one)."""
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        yield reverse("admin:{}_{}_changelist".format(*info))
        yield reverse("admin:{}_{}_add".format(*info))


def test_every_admin_page_renders_without_inline_script_or_style(client, offices, superuser):
    client.force_login(superuser)
    pages = ["/admin/", "/admin/password_change/", "/admin/two-factor/", *admin_pages()]
    offenders = {}
    for path in pages:
        response = client.get(path)
        if response.status_code == 403:
            continue  # e.g. no add form for inquiries: they come from the public forms
        assert response.status_code == 200, path
        found = inline_code(response.content.decode())
        if found:
            offenders[path] = found
    assert offenders == {}


def test_every_admin_change_form_renders_without_inline_script_or_style(client, offices, superuser):
    import uuid

    from intake import services

    services.submit_inquiry(
        kind="question",
        submission_token=uuid.uuid4(),
        answers={"first_name": "Q", "last_name": "R", "email": "q@example.com", "message": "?"},
    )
    services.request_subscription(email="reader@example.com")
    client.force_login(superuser)
    offenders = {}
    for model in admin.site._registry:
        obj = model._default_manager.first()
        if obj is None:
            continue
        path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
        response = client.get(path)
        assert response.status_code == 200, path
        found = inline_code(response.content.decode())
        if found:
            offenders[path] = found
    assert offenders == {}


# --- Cache-Control: no-store on private pages --------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/candidate/", "/ask/", "/appointment/", "/thanks/", "/newsletter/", "/newsletter/sent/", "/admin/login/"],
)
def test_intake_pages_and_admin_are_never_stored_by_a_cache(client, offices, path):
    response = client.get(path)
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


def test_admin_pages_for_signed_in_staff_are_never_stored(client, offices, superuser):
    client.force_login(superuser)
    for path in ["/admin/", "/admin/intake/inquiry/", "/admin/two-factor/"]:
        assert "no-store" in client.get(path)["Cache-Control"], path


@pytest.mark.parametrize("path", ["/", "/articles/", "/case-studies/"])
def test_public_pages_stay_cacheable(client, offices, path):
    assert "no-store" not in client.get(path).get("Cache-Control", "")


def test_a_timedelta_cool_off_is_whole_minutes(settings):
    # The lockout page says "try again in N minutes": the setting must be whole minutes.
    assert timedelta(minutes=settings.AXES_COOLOFF_TIME.total_seconds() // 60) == settings.AXES_COOLOFF_TIME


def test_a_change_list_without_action_bars_has_no_inline_style_either(client, offices, superuser, monkeypatch):
    # Django's change list adds an inline <style> when both action bars are off;
    # templates/admin/change_list.html drops it and static/css/admin.css carries the rule.
    from clinic.models import Office

    model_admin = admin.site._registry[Office]
    monkeypatch.setattr(model_admin, "actions_on_top", False)
    monkeypatch.setattr(model_admin, "actions_on_bottom", False)
    client.force_login(superuser)
    html = client.get(reverse("admin:clinic_office_changelist")).content.decode()
    assert inline_code(html) == []
    assert "/static/css/admin.css" in html
