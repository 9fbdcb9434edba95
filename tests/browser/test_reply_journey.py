"""Replies from templates in Chromium (issue 19), as a triage nurse works: "Reply by email" on the
inquiry's page, choose a template, the text appears filled in, edit it, preview, the health-word
warning, "Send anyway", and the email logged on the inquiry's timeline."""

import re

import pytest
from playwright.sync_api import expect

from intake.models import ReplyTemplate
from tests.browser.conftest import axe_violations
from tests.browser.test_triage_journey import triage_user
from tests.browser.test_triage_workspace import press, sign_in
from tests.intake.conftest import make_inquiry

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_nurse_replies_from_a_template_is_warned_and_sends_anyway(browser, site):
    # Its own template: the flush between transactional tests may have removed the seeded ones.
    ReplyTemplate.objects.create(
        name="Please call us back",
        subject="We tried to call you ({reference})",
        body="Hello {first_name},\n\nWe tried to call you. Please call our {office} office at {phone}.",
    )
    ReplyTemplate.objects.create(name="Another template", subject="Other", body="Other text")
    triage_user()
    inquiry = make_inquiry(first_name="Ada", message="My cartilage is worn and stairs are hard")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, site)
        page.goto(f"{site}/admin/intake/inquiry/{inquiry.pk}/change/")
        with page.expect_navigation():
            page.get_by_role("link", name="Reply by email").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Reply by email to {inquiry.reference}")

        # Nothing typed yet: choosing the template fills it in (static/js/reply-template.js).
        with page.expect_navigation():
            page.get_by_label("Template").select_option(label="Please call us back")
        subject, text = page.get_by_label("Subject"), page.get_by_label("Text")
        expect(subject).to_have_value(f"We tried to call you ({inquiry.reference})")
        expect(text).to_have_value(re.compile(r"^Hello Ada,\n\nWe tried to call you\. Please call our .+ office at "))
        typed = text.input_value() + "\nSorry to hear about the cartilage."
        text.fill(typed)
        # Text typed: choosing another template replaces nothing (only its button would).
        page.get_by_label("Template").select_option(label="Another template")

        press(page, "Preview")
        expect(page.locator(".reply-preview")).to_contain_text(f"We tried to call you ({inquiry.reference})")
        expect(page.locator(".reply-preview")).to_contain_text("Sorry to hear about the cartilage.")
        expect(page.locator(".reply-warning")).to_contain_text("cartilage")
        expect(page.get_by_label("Text")).to_have_value(typed)
        assert axe_violations(page) == []

        press(page, "Send")  # warned: nothing sent, the text kept
        expect(page.locator(".reply-warning")).to_be_visible()
        expect(page.get_by_label("Text")).to_have_value(typed)
        assert not inquiry.outbox.filter(kind="reply").exists() and not inquiry.contact_attempts.exists()

        press(page, "Send anyway")
        expect(page.locator(".messagelist")).to_contain_text("is on its way to ada@example.com")
        expect(page.locator("#contact-attempts")).to_contain_text("sent an email")
        expect(page.locator("#audit-trail")).to_contain_text("(reply: Please call us back)")
    finally:
        context.close()
    # Stored for the worker (sent eagerly here, or by the suite's real worker when one runs:
    # tests/intake/test_reply_worker.py checks what that one sends).
    reply = inquiry.outbox.get(kind="reply")
    assert reply.subject == f"We tried to call you ({inquiry.reference})"
    assert reply.body.endswith("Sorry to hear about the cartilage.")
    assert inquiry.contact_attempts.get().note == "Reply from the template “Please call us back”"
