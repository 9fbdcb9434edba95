"""axe-core on every public page and on the candidacy form's error state: no serious or critical
violations (contrast, names, labels, landmarks, ARIA)."""

import pytest

from tests.browser.conftest import PHONE, axe_violations
from tests.browser.pages import (
    ARTICLE_SLUGS,
    CASE_SLUGS,
    TREATMENT_SLUGS,
    fill_candidate_form,
    submit_and_wait,
)

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_PAGES = [
    "/",
    "/articles/",
    *[f"/articles/{slug}/" for slug in ARTICLE_SLUGS],
    "/treatments/",
    *[f"/treatments/{slug}/" for slug in TREATMENT_SLUGS],
    "/case-studies/",
    *[f"/case-studies/{slug}/" for slug in CASE_SLUGS],
    "/search/?q=knee",
    "/search/?q=zzzz-nothing-matches",
    "/search/?q=prolotheraphy",
    "/editorial-policy/",
    "/contact/",
    "/privacy/",
    "/accessibility/",
    "/candidate/",
    "/ask/",
    "/appointment/",
    "/newsletter/",
    "/newsletter/sent/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_serious_accessibility_violations(page, site, path):
    response = page.goto(site + path)
    assert response.status == 200
    assert page.locator("h1").count() == 1, "one h1 per page"
    assert axe_violations(page) == []


def test_candidacy_form_error_state_has_no_serious_accessibility_violations(page, site, fast_forms):
    page.goto(site + "/candidate/")
    fill_candidate_form(page, email="not-an-email", right_pain=None)
    submit_and_wait(page, "Send")
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert axe_violations(page) == []


def test_thank_you_page_has_no_serious_accessibility_violations(page, site, fast_forms):
    page.goto(site + "/candidate/")
    fill_candidate_form(page)
    submit_and_wait(page, "Send")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thank you")
    assert axe_violations(page) == []


def test_candidacy_form_on_a_phone_has_no_serious_accessibility_violations(browser, site):
    ctx = browser.new_context(viewport=PHONE)
    page = ctx.new_page()
    page.goto(site + "/candidate/")
    assert axe_violations(page) == []
    ctx.close()
