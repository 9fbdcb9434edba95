"""What the browser tests know about the site's pages: the content's addresses and how a person
fills the candidacy form (by the labels they read, not by ids)."""

import io
import re
from pathlib import Path

from PIL import Image

ARTICLE_SLUGS = ["bone-marrow-aspirate-prolotherapy-knee-pain", "why-stem-cell-therapy-did-not-work-knee-pain"]
TREATMENT_SLUGS = ["dextrose-prolotherapy", "platelet-rich-plasma", "bone-marrow-aspirate"]
CASE_SLUGS = [
    "case-history-1-69-year-old-man-both-knees",
    "case-history-2-56-year-old-weightlifter-both-knees",
    "case-history-3-69-year-old-woman-both-knees",
]
REFERENCE = re.compile(r"KN-\d{4}-\d{6}")

# What Ada tells the clinic; a None leaves the field as it is.
CANDIDATE_ANSWERS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "phone": "239 555 0100",
    "knees": "Right",
    "right_pain": "7",
    "right_pain_time": "Most of the time",
    "duration": "1 to 5 years",
    "onset": "An old injury that never healed",
    "replacement": "No",
    "message": "It hurts on the stairs and wakes me at night.",
}


def fill_candidate_form(page, **overrides) -> dict:
    """Fill the candidacy form the way a person does; returns the answers used."""
    answers = {**CANDIDATE_ANSWERS, **overrides}

    def text(name, label):
        if answers.get(name) is not None:
            page.get_by_role("textbox", name=label).fill(answers[name])

    def radio(name, legend):
        if answers.get(name) is not None:
            page.get_by_role("group", name=legend).get_by_label(answers[name], exact=True).check()

    text("first_name", "First name")
    text("last_name", "Last name")
    text("email", "Email")
    text("phone", "Phone")
    radio("knees", "Which knee hurts?")
    if answers.get("right_pain") is not None:
        page.get_by_role("group", name="Right knee: how much does it hurt").get_by_label(
            answers["right_pain"], exact=True
        ).check()
    if answers.get("right_pain_time") is not None:
        page.get_by_role("group", name="Right knee: how often does it hurt?").get_by_label(
            answers["right_pain_time"], exact=True
        ).check()
    radio("duration", "How long has it hurt?")
    radio("onset", "How did it start?")
    radio("replacement", "Has a doctor recommended a knee replacement?")
    page.get_by_label("The knee gives way or feels unstable").check()
    text("message", "Describe your knee pain in your own words")
    page.get_by_label("I understand that Caring Medical is an out-of-network provider").check()
    page.get_by_label("I agree that Caring Medical may contact me").check()
    return answers


def submit_and_wait(page, button: str) -> None:
    """Press the form's button and wait for the page the server answers with."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def report_jpeg(directory: Path) -> Path:
    """A small real JPEG, as a phone photo of a report would be (smaller)."""
    image = Image.new("RGB", (320, 240), (245, 245, 240))
    for x in range(40, 280):
        for y in (60, 100, 140, 180):
            image.putpixel((x, y), (20, 20, 20))
    path = directory / "mri-report.jpg"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return path
