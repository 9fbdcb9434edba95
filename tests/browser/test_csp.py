"""The Content-Security-Policy in a real browser: admin and the public pages work under it, and
Chromium reports no violation (console messages and `securitypolicyviolation` events)."""

import uuid
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from intake import services

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-browser-password-1"
# Collected in the page before any of its own scripts run (Playwright's init scripts are exempt).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def site(live_server):
    call_command("load_content", verbosity=0)
    get_user_model().objects.create_superuser("chief", "chief@example.com", PASSWORD)
    inquiry, _ = services.submit_inquiry(
        kind="question",
        submission_token=uuid.uuid4(),
        answers={"first_name": "Q", "last_name": "R", "email": "q@example.com", "message": "Knees?"},
    )
    return live_server.url, inquiry


@pytest.fixture
def watched(page):
    """The page, and the list of CSP complaints it collects (console and events)."""
    complaints = []
    page.add_init_script(RECORD_VIOLATIONS)

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            complaints.append(message.text)

    page.on("console", on_console)
    return page, complaints


def violations(page, complaints) -> list[str]:
    return complaints + page.evaluate("window.__csp || []")


def test_admin_signs_in_and_works_without_a_csp_violation(watched, site):
    page, complaints = watched
    url, inquiry = site
    seen = []

    page.goto(url + "/admin/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(url + "/admin/")
    seen += violations(page, complaints)

    # A change list, with its JavaScript working: "select all" ticks every row.
    page.goto(url + "/admin/intake/inquiry/")
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select").first.is_checked()
    assert page.locator(".action-counter").inner_text().startswith("1 of 1 selected")
    seen += violations(page, complaints)

    # Change forms: a read-mostly inquiry, and an article with its fieldsets and widgets.
    page.goto(url + f"/admin/intake/inquiry/{inquiry.pk}/change/")
    assert page.locator("h1").inner_text()
    seen += violations(page, complaints)
    page.goto(url + "/admin/articles/article/")
    page.locator("#result_list tbody a").first.click()
    page.wait_for_selector("#article_form")
    seen += violations(page, complaints)

    # The two-step sign-in page with its QR code image, opened by an administrator's enrolment link.
    from clinic.staff import make_enrolment_link

    link = make_enrolment_link(get_user_model().objects.get(username="chief"))
    page.goto(url + urlsplit(link).path)
    assert page.locator("img.two-factor-qr").evaluate("img => img.naturalWidth") > 0
    seen += violations(page, complaints)
    assert seen == []


@pytest.mark.parametrize("path", ["/", "/candidate/", "/articles/", "/case-studies/", "/search/?q=knee"])
def test_public_pages_have_no_csp_violation(watched, site, path):
    page, complaints = watched
    page.goto(site[0] + path)
    page.wait_for_load_state("load")
    assert violations(page, complaints) == []
