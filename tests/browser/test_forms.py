"""The public forms in a real browser (issue 13): keyboard-only runs of every form, the error
summary's focus and links, the questions that fit the answers, the proof of work solved by the
browser under the site's CSP, and axe at 375 and 1280 px on every form and thank-you page."""

import re
import time

import pytest
from playwright.sync_api import expect

from intake.models import Inquiry, Subscriber
from tests.browser.conftest import DESKTOP, PHONE, axe_violations
from tests.browser.pages import fill_candidate_form, submit_and_wait
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.browser.test_journeys import Keyboard

pytestmark = pytest.mark.django_db(transaction=True)

FORMS = {"/candidate/": "Send", "/ask/": "Send my question", "/appointment/": "Request an appointment"}
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])


def new_page(browser, viewport):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def fill_contact(keys, page, *, phone=False):
    keys.type("id_first_name", "Grace")
    keys.type("id_last_name", "Hopper")
    keys.type("id_email", "grace@example.com")
    if phone:
        keys.type("id_phone", "708 555 0199")


def press_submit(keys, page):
    keys.tab_to("submit-id-submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_keyboard_only_sends_the_question_and_appointment_forms(page, site, fast_forms):
    page.goto(site + "/ask/")
    keys = Keyboard(page)
    fill_contact(keys, page)
    keys.type("id_message", "Do you treat both knees?")
    keys.space("id_consent_to_contact")
    press_submit(keys, page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Grace")

    page.goto(site + "/appointment/")
    keys = Keyboard(page)
    fill_contact(keys, page, phone=True)
    keys.tab_to("id_patient_status_0")
    page.keyboard.press("Space")
    keys.space("id_preferred_days_0")
    keys.type("id_message", "A first visit.")
    keys.space("id_consent_to_contact")
    press_submit(keys, page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Grace")
    assert sorted(Inquiry.objects.values_list("kind", flat=True)) == ["appointment", "question"]


def test_keyboard_only_subscribes_to_the_newsletter(page, site, fast_forms):
    page.goto(site + "/newsletter/")
    keys = Keyboard(page)
    keys.type("id_email", "reader@example.com")
    press_submit(keys, page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    assert Subscriber.objects.filter(email="reader@example.com").exists()


@pytest.mark.parametrize("path", FORMS)
def test_the_error_summary_takes_focus_and_its_links_lead_to_the_fields(page, site, fast_forms, path):
    page.goto(site + path)
    keys = Keyboard(page)
    press_submit(keys, page)  # everything left empty
    assert page.title().startswith("Error: ")
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    links = summary.locator("a")
    assert links.count() >= 3
    first = links.first
    target = first.get_attribute("href")[1:]
    assert first.inner_text() == "Enter your first name"
    page.keyboard.press("Tab")  # from the focused summary, the first link
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{target}")).to_be_focused()
    for index in range(links.count()):  # every link leads to a control on the page
        assert page.locator(links.nth(index).get_attribute("href")).count() == 1


def test_only_the_questions_for_the_knee_that_hurts_show(page, site):
    page.goto(site + "/candidate/")
    left = page.get_by_role("group", name="Left knee: how much does it hurt")
    right = page.get_by_role("group", name="Right knee: how much does it hurt")
    expect(left).to_be_visible()  # nothing chosen yet: both show
    page.get_by_role("group", name="Which knee hurts?").get_by_label("Left", exact=True).check()
    expect(left).to_be_visible()
    expect(right).to_be_hidden()
    page.get_by_role("group", name="Which knee hurts?").get_by_label("Both", exact=True).check()
    expect(right).to_be_visible()
    box = left.get_by_label("7", exact=True).bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, "a target a thumb can hit (WCAG 2.2, 2.5.8)"


def test_the_browser_solves_the_proof_of_work_under_the_csp_and_the_inquiry_is_not_held(
    page, site, fast_forms, settings
):
    settings.CAPTCHA_TEST_MODE = False  # the real challenge, solved by the page's worker
    complaints = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda m: complaints.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(site + "/ask/")
    expect(page.locator("input[name=altcha]")).to_have_value(re.compile(".{20,}"), timeout=30_000)
    page.get_by_role("textbox", name="First name").fill("Ada")
    page.get_by_role("textbox", name="Last name").fill("Lovelace")
    page.get_by_role("textbox", name="Email").fill("ada@example.com")
    page.get_by_role("textbox", name="Your question").fill("Both knees?")
    page.get_by_label("I agree that Caring Medical may contact me").check()
    submit_and_wait(page, "Send my question")
    assert complaints + page.evaluate("window.__csp || []") == []
    inquiry = Inquiry.objects.get()
    assert not inquiry.held_as_spam and inquiry.spam_reasons == []


def test_without_javascript_the_form_is_kept_as_suspected_spam(browser, site, fast_forms, settings):
    settings.CAPTCHA_TEST_MODE = False
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/candidate/")
    fill_candidate_form(page)
    submit_and_wait(page, "Send")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Ada")
    assert Inquiry.objects.get().held_as_spam
    context.close()


@VIEWPORTS
def test_every_form_and_thank_you_page_has_no_serious_accessibility_violation(browser, site, fast_forms, viewport):
    context, page = new_page(browser, viewport)
    for path in [*FORMS, "/newsletter/"]:
        page.goto(site + path)
        assert axe_violations(page) == [], path
        submit_and_wait(page, FORMS.get(path, "Subscribe"))  # the error state
        assert axe_violations(page) == [], f"{path} with errors"
    page.goto(site + "/candidate/")
    fill_candidate_form(page)
    submit_and_wait(page, "Send")
    assert axe_violations(page) == [], "thank-you page"
    context.close()


def test_measure_a_keyboard_only_candidacy_submission_on_a_phone(browser, site, fast_forms, capsys):
    """The closing note's figure: Tab presses, screens and time, one page at 375 px."""
    context, page = new_page(browser, PHONE)
    page.goto(site + "/candidate/")
    height = page.evaluate("document.documentElement.scrollHeight")
    started = time.monotonic()
    keys = Keyboard(page)
    fill_contact(keys, page)
    keys.space("id_knees_0")  # Left: the right knee's questions hide
    keys.tab_to("id_left_pain_0")
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    keys.tab_to("id_left_pain_time_0")
    page.keyboard.press("ArrowRight")
    keys.space("id_duration_0")
    keys.space("id_onset_0")
    keys.tab_to("id_tried_nsaids_0")
    page.keyboard.press("ArrowRight")
    keys.tab_to("id_replacement_recommended_0")
    page.keyboard.press("ArrowDown")
    keys.space("id_sleep_interrupted")
    keys.type("id_message", "Twisted it skiing in January.")
    keys.space("id_out_of_network_acknowledged")
    keys.space("id_consent_to_contact")
    height_answered = page.evaluate("document.documentElement.scrollHeight")
    press_submit(keys, page)
    elapsed = time.monotonic() - started
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Grace")
    assert Inquiry.objects.get().left_pain == 6
    with capsys.disabled():
        print(
            f"\nAFTER: tabs={len(keys.stops)} page_height={height}->{height_answered}"
            f" screens={height / PHONE['height']:.1f}->{height_answered / PHONE['height']:.1f} pages=1"
            f" elapsed={elapsed:.1f}s"
        )
    context.close()
