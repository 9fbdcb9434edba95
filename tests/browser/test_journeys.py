"""A patient's and a visitor's journeys through the site in Chromium, asserting what they see.

The live server runs in this process, so the tests read what it stored (the database) and sent
(django.core.mail.outbox, locmem in tests.settings) directly.
"""

import re

import pytest
from django.core import mail
from PIL import Image
from playwright.sync_api import expect

from intake.models import Inquiry, Subscriber
from tests.browser.conftest import PHONE, axe_violations
from tests.browser.pages import REFERENCE, fill_candidate_form, report_jpeg, submit_and_wait

pytestmark = pytest.mark.django_db(transaction=True)

BONE_MARROW = "Bone Marrow Aspirate Prolotherapy for knee pain"
CASE_1 = "Case history 1: a 69-year-old man with osteoarthritis in both knees"


def test_patient_reads_an_article_its_reference_and_a_case_history_then_reaches_the_form(page, site):
    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Knee pain? Regenerative medicine may help you avoid surgery"
    )

    page.get_by_role("region", name="Latest articles").get_by_role("link", name=BONE_MARROW).click()
    expect(page).to_have_url(re.compile(r"/articles/bone-marrow-aspirate-prolotherapy-knee-pain/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(BONE_MARROW)

    # The superscript 2 in the text leads to reference 2, the published case series...
    marker = page.locator(".article-body a.citation[href='#ref-2']").first
    expect(marker).to_have_text("2")
    marker_id = marker.get_attribute("id")
    marker.click()
    expect(page).to_have_url(re.compile(r"#ref-2$"))
    reference = page.locator("#ref-2")
    expect(reference).to_contain_text("Hauser RA")
    expect(reference).to_contain_text("Clin Med Insights Arthritis Musculoskelet Disord")
    expect(reference).to_be_in_viewport()  # Bootstrap scrolls smoothly: expect() waits for it
    assert page.evaluate("document.querySelector(':target').id") == "ref-2", "and is highlighted as the target"

    # ...and its back link returns to that very marker.
    reference.get_by_role("link", name=re.compile(r"^Back to citation (1 )?of reference 2")).first.click()
    expect(page).to_have_url(re.compile(f"#{marker_id}$"))
    expect(page.locator(f"#{marker_id}")).to_be_in_viewport()

    page.get_by_role("region", name="Related case histories").get_by_role("link", name=CASE_1).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CASE_1)
    # The chart's figures as a table, as the source gives them: 7/10 and 90% of the time at first.
    right = page.get_by_role("table", name="Right knee: the figures in the chart")
    first_row = right.get_by_role("row").filter(has=page.get_by_role("rowheader", name="At presentation"))
    # Issue 15: each row quotes the source sentence its figures come from.
    sentence = "4/10 on the left (30% frequency) and 7/10 on the right (90% frequency)."
    expect(first_row.get_by_role("cell")).to_have_text(["1", "7/10", "90%", "", sentence])
    left = page.get_by_role("table", name="Left knee: the figures in the chart")
    expect(left.get_by_role("row").nth(1).get_by_role("cell")).to_have_text(["1", "4/10", "30%", "", sentence])
    expect(page.get_by_role("img", name=re.compile("Right knee: pain over the course of treatment"))).to_be_visible()

    page.get_by_role("region", name="Is regenerative medicine right for your knee?").get_by_role(
        "link", name="Find out if you are a good candidate"
    ).click()
    expect(page).to_have_url(re.compile(r"/candidate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Find out if you are a good candidate")


def test_patient_on_a_phone_corrects_mistakes_attaches_an_image_and_gets_a_reference(
    browser, site, fast_forms, tmp_path
):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(site + "/candidate/")
    fill_candidate_form(page, email="ada.example.com", right_pain=None)
    submit_and_wait(page, "Send")

    # The mistakes, each named beside its field...
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    email = page.get_by_role("textbox", name="Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#div_id_email")).to_contain_text("Enter an email address in the correct format")
    pain = page.get_by_role("group", name="Right knee: how much does it hurt")
    expect(pain).to_contain_text("Choose how much your right knee hurts, from 0 to 10")
    # ...and everything else as she typed it.
    expect(email).to_have_value("ada.example.com")
    expect(page.get_by_role("textbox", name="First name")).to_have_value("Ada")
    expect(page.get_by_role("textbox", name="Phone")).to_have_value("239 555 0100")
    expect(page.get_by_role("group", name="Which knee hurts?").get_by_label("Right", exact=True)).to_be_checked()
    expect(
        page.get_by_role("group", name="Right knee: how often does it hurt?").get_by_label("Most of the time")
    ).to_be_checked()
    expect(
        page.get_by_role("group", name="How did it start?").get_by_label("An old injury that never healed")
    ).to_be_checked()
    expect(page.get_by_label("The knee gives way or feels unstable")).to_be_checked()
    expect(page.get_by_role("textbox", name="Describe your knee pain")).to_have_value(
        "It hurts on the stairs and wakes me at night."
    )
    expect(page.get_by_label("I agree that Caring Medical may contact me")).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    assert Inquiry.objects.count() == 0

    email.fill("ada@example.com")
    pain.get_by_label("7", exact=True).check()
    page.get_by_label("An image of your MRI or X-ray report").set_input_files(report_jpeg(tmp_path))
    submit_and_wait(page, "Send")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Ada")
    reference = page.locator(".intake-reference strong").inner_text()
    assert REFERENCE.fullmatch(reference), reference
    expect(page.get_by_text("We have received your candidacy form.")).to_be_visible()

    inquiry = Inquiry.objects.get(reference=reference)
    assert (inquiry.first_name, inquiry.email, inquiry.knees, inquiry.right_pain, inquiry.right_pain_time) == (
        "Ada",
        "ada@example.com",
        "right",
        7,
        75,
    )
    assert inquiry.instability and inquiry.consent_to_contact
    assert inquiry.status == Inquiry.Status.NEW
    with inquiry.image.open("rb") as stored, Image.open(stored) as image:
        assert (image.format, image.size) == ("JPEG", (320, 240)), "the report image, re-encoded"

    staff, patient = sorted(mail.outbox, key=lambda m: "@example.com" in m.to[0])
    assert patient.to == ["ada@example.com"] and reference in patient.subject and reference in patient.body
    assert "stairs" not in patient.body and "stairs" not in staff.body, "no health details in email"
    admin_link = re.search(r"^(http\S+/admin/\S+)$", staff.body, re.M).group(1)
    assert admin_link == f"{site}/admin/intake/inquiry/{inquiry.pk}/change/"
    page.goto(admin_link)
    expect(page).to_have_url(re.compile(r"/admin/login/\?next="))  # the link asks staff to sign in
    context.close()


def test_visitor_subscribes_confirms_from_the_email_and_unsubscribes_with_its_footer_link(page, site, fast_forms):
    page.goto(site + "/newsletter/")
    page.get_by_role("textbox", name="Your email address").fill("reader@example.com")
    submit_and_wait(page, "Subscribe")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    assert Subscriber.objects.get(email="reader@example.com").status == Subscriber.Status.PENDING

    (email,) = mail.outbox
    assert email.to == ["reader@example.com"]
    links = re.findall(r"^http\S+$", email.body, re.M)
    confirm_link, unsubscribe_link = links
    assert confirm_link.startswith(f"{site}/newsletter/confirm/")
    assert unsubscribe_link.startswith(f"{site}/newsletter/unsubscribe/")
    assert email.body.index(unsubscribe_link) > email.body.index(confirm_link), "unsubscribe is at the foot"

    page.goto(confirm_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your subscription")
    expect(page.get_by_role("main")).to_contain_text("reader@example.com")
    assert Subscriber.objects.get(email="reader@example.com").status == Subscriber.Status.PENDING, (
        "a GET changes nothing"
    )
    assert axe_violations(page) == []
    submit_and_wait(page, "Confirm")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    assert Subscriber.objects.get(email="reader@example.com").status == Subscriber.Status.CONFIRMED
    assert axe_violations(page) == []

    page.goto(unsubscribe_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribe")
    assert axe_violations(page) == []
    submit_and_wait(page, "Unsubscribe")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    expect(page.get_by_role("link", name="Subscribe again")).to_be_visible()
    assert Subscriber.objects.get(email="reader@example.com").status == Subscriber.Status.UNSUBSCRIBED
    assert axe_violations(page) == []


# --- Keyboard only ---------------------------------------------------------------------------------

FOCUS_STATE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
        id: el.id,
        tag: el.tagName.toLowerCase(),
        text: (el.labels && el.labels[0] ? el.labels[0].textContent : el.textContent || el.value || "")
            .trim().slice(0, 60),
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
        visible: el.getBoundingClientRect().width > 0,
    };
}"""


class Keyboard:
    """Tab through the page as a keyboard user does, checking every stop shows where focus is."""

    def __init__(self, page):
        self.page = page
        self.stops: list[dict] = []

    def tab_to(self, element_id: str, *, limit: int = 60) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            state = self.page.evaluate(FOCUS_STATE)
            self.stops.append(state)
            assert state["visible"], f"focus went to something not on screen: {state}"
            assert state["outline"], f"no visible focus ring on {state}"
            if state["id"] == element_id:
                return
        raise AssertionError(f"#{element_id} not reached in {limit} Tab presses: {self.stops[-5:]}")

    def type(self, element_id: str, text: str) -> None:
        self.tab_to(element_id)
        self.page.keyboard.type(text)

    def space(self, element_id: str) -> None:
        self.tab_to(element_id)
        self.page.keyboard.press("Space")


def test_keyboard_only_completes_and_sends_the_candidacy_form_with_focus_always_visible(page, site, fast_forms):
    page.goto(site + "/candidate/")
    keys = Keyboard(page)
    keys.type("id_first_name", "Grace")
    keys.type("id_last_name", "Hopper")
    keys.type("id_email", "grace@example.com")
    # Tab into a radio group lands on its chosen answer; Space chooses the focused one.
    keys.space("id_knees_0")  # Left
    keys.tab_to("id_left_pain_0")  # a radio group with nothing chosen: Tab lands on its first answer
    for _ in range(6):
        page.keyboard.press("ArrowRight")  # arrows move the choice: 6
    keys.tab_to("id_left_pain_time_0")
    page.keyboard.press("ArrowRight")  # "About half the time"
    keys.space("id_duration_0")  # Less than 3 months
    keys.space("id_onset_0")  # A recent injury
    keys.tab_to("id_tried_nsaids_0")  # "Not tried" is chosen at first
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # "Helped for a while"
    keys.tab_to("id_replacement_recommended_0")
    page.keyboard.press("ArrowDown")  # arrows move the choice within a group: "No"
    keys.space("id_sleep_interrupted")
    keys.type("id_message", "Twisted it skiing in January.")
    keys.space("id_out_of_network_acknowledged")
    keys.space("id_consent_to_contact")
    keys.tab_to("submit-id-submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Grace")
    inquiry = Inquiry.objects.get()
    assert (inquiry.knees, inquiry.left_pain, inquiry.left_pain_time, inquiry.duration, inquiry.onset) == (
        "left",
        6,
        50,
        "lt3m",
        "recent_injury",
    )
    assert inquiry.replacement_recommended == "no"
    assert inquiry.treatments_tried == ["nsaids"] and inquiry.sleep_interrupted
    assert inquiry.message == "Twisted it skiing in January."
    assert page.locator(".intake-reference strong").inner_text() == inquiry.reference
    tabbed = {stop["id"] for stop in keys.stops}
    assert "id_website" not in tabbed, "the honeypot is never a tab stop"
    assert len(keys.stops) >= 20
