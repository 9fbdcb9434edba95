"""The triage workspace in Chromium (issue 12), as a nurse of the Triage group works it: every
button on an inquiry saves what was typed, leaving with unsaved edits asks first, the patient comes
first at 1280×800, the list fits at 1280 px and is cards at 375 px, and axe finds nothing serious.
Screenshots go to docs/screenshots/ (triage-list-1280, triage-list-375, triage-change-1280x800)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from clinic.models import Office
from intake import services
from intake.models import Inquiry
from tests.browser.conftest import PHONE, axe_violations, screenshot
from tests.browser.pages import report_jpeg, submit_and_wait
from tests.browser.test_triage_journey import PASSWORD, triage_user
from tests.intake.conftest import make_inquiry

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/admin/intake/inquiry/"
DESKTOP_800 = {"width": 1280, "height": 800}
PATIENTS = [
    # 8 days: past TRIAGE_SLA_HOURS of office hours whatever the weekday (issue 19), so overdue.
    ("Margaret", "Oyelaran-Whitfield", "(239) 555-0103", "fort-myers", "both", 3, timedelta(days=8)),
    ("James", "Kowalczyk", "239.555.0144", "oak-park", "left", 1, timedelta(hours=30)),
    ("Ana", "García", "+1 708 555 0190", None, "right", 2, timedelta(hours=5)),
    ("Robert", "Chen", "708-555-0121", "oak-park", "both", 1, timedelta(hours=2)),
    ("Linda", "Fitzgerald-Brown", "239 555 0177", "fort-myers", "right", 1, timedelta(minutes=40)),
]


def seed_inquiries(tmp_path) -> Inquiry:
    """A morning's list; returns the first (overdue, urgent, with an image)."""
    offices = {office.slug: office for office in Office.objects.all()}
    made = []
    for first, last, phone, office, knees, priority, age in PATIENTS:
        made.append(
            make_inquiry(
                age=age,
                first_name=first,
                last_name=last,
                email=f"{first.lower()}@example.com",
                phone=phone,
                office=offices.get(office),
                knees=knees,
                left_pain=7 if knees != "right" else None,
                left_pain_time=80 if knees != "right" else None,
                right_pain=6 if knees != "left" else None,
                right_pain_time=50 if knees != "left" else None,
                duration="1to5y",
                onset="wear",
                treatments_tried=["cortisone", "physical_therapy"],
                preferred_contact="phone",
                callback_window="Weekday mornings",
                priority=priority,
                message="Stairs are hard and it wakes me at night. Cortisone helped for a month.",
            )
        )
    made[0].image.save("report.jpg", ContentFile(report_jpeg(tmp_path).read_bytes()))
    return made[0]


def sign_in(page, site):
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(PASSWORD)
    submit_and_wait(page, "Log in")


@pytest.fixture
def nurse_page(browser, site):
    user = triage_user()
    context = browser.new_context(viewport=DESKTOP_800)
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, site)
    yield page, user
    context.close()


def press(page, name: str):
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def test_every_button_saves_the_note_and_priority_typed(nurse_page, site):
    page, user = nurse_page
    inquiry = make_inquiry()
    url = f"{site}{LIST}{inquiry.pk}/change/"
    steps = [
        ("Assign to me", {}),
        ("Move to in review", {}),
        ("Log the attempt", {"How you tried": "Phone", "Outcome": "No answer"}),
        ("Move to contacted", {}),
        ("Add the note", {}),
        ("Save", {}),
    ]
    priorities = ["High", "Urgent", "Normal"]
    for n, (button, choices) in enumerate(steps):
        page.goto(url)
        note, priority = f"Step {n}: typed before pressing {button}.", priorities[n % 3]
        page.get_by_label("New note (staff only)").fill(note)
        page.get_by_label("Priority").select_option(label=priority)
        for legend, option in choices.items():
            page.get_by_role("group", name=legend).get_by_label(option, exact=True).check()
        press(page, button)
        inquiry.refresh_from_db()
        assert inquiry.get_priority_display() == priority, button
        assert inquiry.notes.filter(text=note).exists(), button
    assert (inquiry.assignee, inquiry.status, inquiry.notes.count()) == (user, "contacted", len(steps))
    assert inquiry.contact_attempts.get().outcome == "no_answer"


def test_a_refused_button_keeps_what_was_typed(nurse_page, site):
    page, _ = nurse_page
    inquiry = make_inquiry()
    page.goto(f"{site}{LIST}{inquiry.pk}/change/")
    page.get_by_label("New note (staff only)").fill("Husband called back.")
    page.get_by_label("Priority").select_option(label="Urgent")
    press(page, "Move to contacted")
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator("#content-main")).to_contain_text("before a contact attempt is logged")
    expect(page.get_by_label("New note (staff only)")).to_have_value("Husband called back.")
    expect(page.get_by_label("Priority")).to_have_value("3")
    inquiry.refresh_from_db()
    assert inquiry.status == "new" and inquiry.priority == 1 and not inquiry.notes.exists()


def test_leaving_with_unsaved_edits_asks_first(nurse_page, site):
    page, _ = nurse_page
    inquiry = make_inquiry()
    change = f"{site}{LIST}{inquiry.pk}/change/"
    page.goto(change)
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # "stay on the page"

    page.on("dialog", answer)
    page.get_by_label("New note (staff only)").fill("Not saved yet")
    page.locator(".breadcrumbs a[href$='/admin/intake/inquiry/']").click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert page.url == change
    expect(page.get_by_label("New note (staff only)")).to_have_value("Not saved yet")
    press(page, "Add the note")  # saving asks nothing
    page.locator(".breadcrumbs a[href$='/admin/intake/inquiry/']").click()
    expect(page).to_have_url(re.compile(r"/admin/intake/inquiry/$"))
    assert asked == ["beforeunload"]


def test_the_patient_comes_first_with_the_triage_side_beside(nurse_page, site, tmp_path):
    page, _ = nurse_page
    inquiry = seed_inquiries(tmp_path)
    page.goto(f"{site}{LIST}{inquiry.pk}/change/")
    card, side = page.locator(".patient-card"), page.locator(".triage-side")
    expect(card.get_by_role("link", name="(239) 555-0103")).to_have_attribute("href", "tel:+12395550103")
    expect(card.get_by_role("link", name="margaret@example.com")).to_have_attribute(
        "href", "mailto:margaret@example.com"
    )
    for text in (
        "Margaret Oyelaran-Whitfield",
        "Phone; call back: Weekday mornings",
        "Fort Myers, FL",
        "Both",
        "Left: 7/10, 80% of the time; Right: 6/10, 50% of the time",
        "1 to 5 years",
        "Cortisone injections, Physical therapy",
        "Stairs are hard",
    ):
        expect(card).to_contain_text(text)
    expect(card.locator("img.inquiry-thumbnail")).to_be_visible()
    for what in (card.get_by_role("heading", name="Margaret"), card.locator(".patient-message"), card.locator("img")):
        box = what.bounding_box()
        assert box["y"] + box["height"] <= DESKTOP_800["height"], "above the fold at 1280×800"
    card_box, side_box = card.bounding_box(), side.bounding_box()
    assert side_box["x"] >= card_box["x"] + card_box["width"] - 1 and side_box["y"] < 400, "beside, not below"
    for text in ("Type 3", "Joint replacement was recommended", "Status: New", "Overdue", "Contact attempts (0)"):
        expect(side).to_contain_text(text)
    expect(side.get_by_label("Assigned to")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_function("document.querySelector('img.inquiry-thumbnail').complete")
    screenshot_viewport(page, "triage-change-1280x800")


def screenshot_viewport(page, name):
    """What a 1280×800 screen shows (not the whole page)."""
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), animations="disabled")


def test_the_list_fits_1280_px_and_is_cards_at_375_px_and_a_phone_number_is_found_by_digits(nurse_page, site, tmp_path):
    page, _ = nurse_page
    seed_inquiries(tmp_path)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site + LIST)
    screenshot(page, "triage-list-1280")
    results = page.locator("#changelist .results")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert results.evaluate("el => el.scrollWidth <= el.clientWidth"), "no horizontal scroll in the list"
    header = page.locator("#result_list thead").inner_text()
    for column in ("Reference", "Name", "Office", "Type", "Status", "Age", "Assigned to", "Attempts", "Notes"):
        assert column.upper() in header.upper()
    first = page.locator("#result_list tbody tr").first
    expect(first).to_contain_text("Margaret Oyelaran-Whitfield")
    expect(first).to_contain_text("Urgent")
    expect(first).to_contain_text("Overdue")
    # one office label: the list and the filter say the same
    expect(first).to_contain_text("Fort Myers, FL")
    expect(page.locator("#changelist-filter")).to_contain_text("Fort Myers, FL")

    page.set_viewport_size(PHONE)
    page.goto(site + LIST)
    screenshot(page, "triage-list-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    card = page.locator("#result_list tbody tr").first
    box = card.bounding_box()
    assert box["width"] <= PHONE["width"] and box["height"] > 100, "a card, not a squeezed row"
    label = "el => getComputedStyle(el, '::before').content"
    assert card.locator(".field-assignee_name").evaluate(label) == '"Assigned to: "', "each value says what it is"

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site + LIST + "?q=5550103")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("Margaret")


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE], ids=["1280", "375"])
def test_list_change_and_audit_pages_have_no_serious_accessibility_violations(nurse_page, site, tmp_path, viewport):
    page, user = nurse_page
    inquiry = seed_inquiries(tmp_path)
    services.log_contact_attempt(inquiry=inquiry, channel="phone", outcome="voicemail", note="Left a message", by=user)
    services.add_note(inquiry=inquiry, text="Prefers afternoons.", by=user)
    page.set_viewport_size(viewport)
    for path in (LIST, f"{LIST}{inquiry.pk}/change/", f"{LIST}{inquiry.pk}/audit/"):
        assert page.goto(site + path).status == 200
        assert axe_violations(page) == [], path
    # the error state of the change page too
    page.goto(f"{site}{LIST}{inquiry.pk}/change/")
    press(page, "Log the attempt")
    expect(page.locator(".errornote")).to_be_visible()
    assert axe_violations(page) == []


def test_bulk_log_attempt_asks_for_the_outcome_and_a_note_first(nurse_page, site):
    page, _ = nurse_page
    inquiries = [make_inquiry(first_name=f"Pat{n}") for n in range(3)]
    page.goto(site + LIST)
    for inquiry in inquiries[:2]:
        page.locator(f"input[name='_selected_action'][value='{inquiry.pk}']").check()
    page.locator("select[name='action']").select_option("log_contact_attempt")
    press(page, "Go")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact attempt")
    assert not Inquiry.objects.filter(contact_attempts__isnull=False).exists(), "nothing logged before confirming"
    page.get_by_role("group", name="How you tried").get_by_label("Phone", exact=True).check()
    page.get_by_role("group", name="Outcome").get_by_label("Reached them", exact=True).check()
    page.get_by_label("What was said").fill("Booked for Tuesday")
    assert axe_violations(page) == []
    press(page, "Log the attempt on 2 inquiries")
    expect(page.locator(".messagelist")).to_contain_text("2 moved to contacted")
    statuses = sorted(Inquiry.objects.values_list("status", flat=True))
    assert statuses == ["contacted", "contacted", "new"]
    assert User.objects.get(username="maria").pk in set(
        Inquiry.objects.filter(status="contacted").values_list("contact_attempts__by", flat=True)
    )


def test_from_the_staff_email_to_a_logged_reached_contact_in_four_clicks(nurse_page, site):
    """The staff email's link (1), "Phone" (2), "Reached them" (3), "Log the attempt" (4)."""
    page, user = nurse_page
    inquiry = make_inquiry()
    link = site + inquiry.get_admin_url()  # what the staff notification links to (services.emails)
    clicks = 0

    def click(locator):
        nonlocal clicks
        clicks += 1
        locator.click()

    page.set_content(f'<a href="{link}">Open it in admin</a>')
    with page.expect_navigation():
        click(page.get_by_role("link", name="Open it in admin"))
    click(page.get_by_role("group", name="How you tried").get_by_label("Phone", exact=True))
    click(page.get_by_role("group", name="Outcome").get_by_label("Reached them", exact=True))
    with page.expect_navigation():
        click(page.get_by_role("button", name="Log the attempt", exact=True))
    expect(page.locator(".messagelist")).to_contain_text("moved to contacted")
    inquiry.refresh_from_db()
    assert inquiry.status == "contacted" and inquiry.contact_attempts.get().by == user
    assert clicks == 4
