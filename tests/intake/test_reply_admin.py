"""Replies from templates in admin, as a triage nurse works: "Reply by email" on the inquiry's page,
choose a template, edit, preview, send (or send anyway after the health-word warning). Every
refusal comes back with the typed subject and text kept."""

import html
import re
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import OperationalError

from intake.models import OutboxMessage, ReplyTemplate
from tests.intake.conftest import make_inquiry, make_staff

pytestmark = pytest.mark.django_db


def reply_url(inquiry):
    return f"/admin/intake/inquiry/{inquiry.pk}/reply/"


def change_url(inquiry):
    return f"/admin/intake/inquiry/{inquiry.pk}/change/"


def page(response) -> str:
    return html.unescape(response.content.decode())


def field(response, name: str) -> str:
    """A field's value as the page shows it (input value or textarea text)."""
    text = response.content.decode()
    textarea = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', text, re.S)
    if textarea:
        return html.unescape(textarea.group(1))
    found = re.search(rf'<input type="[a-z]+" name="{name}"(?: value="([^"]*)")?', text)
    return html.unescape(found.group(1) or "") if found else None


def form(template=None, subject="", body="", token=None, acknowledged="", button="preview") -> dict:
    return {
        "template": template.pk if template else "",
        "used_template": template.pk if template else "",
        "subject": subject,
        "body": body,
        "token": str(token or uuid.uuid4()),
        "acknowledged": acknowledged,
        "_reply": button,
    }


@pytest.fixture
def inquiry(offices):
    return make_inquiry(first_name="Ada", message="Bone on bone, my cartilage is gone", activities_given_up="tennis")


@pytest.fixture
def called():
    return ReplyTemplate.objects.get(name="We tried to call you")


def test_the_inquiry_page_has_reply_by_email_and_the_reply_page_offers_the_templates(nurse_client, inquiry):
    text = page(nurse_client.get(change_url(inquiry)))
    assert f'href="{reply_url(inquiry)}"' in text and "Reply by email" in text
    response = nurse_client.get(reply_url(inquiry))
    assert response.status_code == 200
    text = page(response)
    for name in ("We tried to call you", "Please book a consultation", "Not a candidate for now"):
        assert name in text
    assert f"To <strong>Ada Lovelace</strong> <{inquiry.email}>" in text
    assert re.match(r"[0-9a-f-]{36}$", field(response, "token"))
    assert field(response, "subject") == "" and "Send anyway" not in text


def test_choosing_a_template_fills_in_the_text_to_edit(nurse_client, inquiry, called):
    typed = form(called, subject="typed", body="typed", button="fill")
    response = nurse_client.post(reply_url(inquiry), typed)
    assert response.status_code == 200
    assert field(response, "subject") == f"We tried to call you ({inquiry.reference})"
    assert field(response, "body").startswith("Hello Ada,\n\nThank you for contacting us.")
    assert field(response, "token") == typed["token"]  # the same form, still one email
    assert field(response, "used_template") == str(called.pk)
    assert 'The text was filled in from <strong class="reply-used">We tried to call you</strong>' in page(response)
    linked = nurse_client.get(reply_url(inquiry) + f"?template={called.pk}")
    assert field(linked, "subject") == f"We tried to call you ({inquiry.reference})"
    assert not OutboxMessage.objects.filter(kind="reply").exists()


def test_fill_without_a_template_is_refused_with_the_text_kept(nurse_client, inquiry):
    response = nurse_client.post(reply_url(inquiry), form(subject="My subject", body="My text", button="fill"))
    assert "Choose a template first." in page(response)
    assert field(response, "subject") == "My subject" and field(response, "body") == "My text"


def test_preview_shows_the_email_as_it_will_go_out_and_sends_nothing(nurse_client, inquiry):
    response = nurse_client.post(reply_url(inquiry), form(subject="Your visit", body="Please call us.\nThanks"))
    text = page(response)
    assert "Preview (not sent yet)" in text
    assert f"<dd>{inquiry.email}</dd>" in text and "<dd>triage@localhost</dd>" in text
    assert f'<dd class="reply-subject">Your visit ({inquiry.reference})</dd>' in text
    assert "Please call us.\nThanks\n\n--\nCaring Medical" in text
    assert field(response, "body") == "Please call us.\nThanks"
    assert not mail.outbox and not OutboxMessage.objects.filter(kind="reply").exists()


def test_send_queues_the_email_logs_the_attempt_and_shows_it_on_the_timeline(
    nurse_client, inquiry, called, django_capture_on_commit_callbacks
):
    filled = nurse_client.post(reply_url(inquiry), form(called, button="fill"))
    data = form(called, field(filled, "subject"), field(filled, "body"), token=field(filled, "token"), button="send")
    with django_capture_on_commit_callbacks(execute=True):
        response = nurse_client.post(reply_url(inquiry), data, follow=True)
    assert response.redirect_chain[-1][0] == change_url(inquiry) + "#contact-attempts"
    text = page(response)
    assert f"the email “We tried to call you ({inquiry.reference})” is on its way to {inquiry.email}" in text
    assert "Contact attempts (1)" in text and "Email, <strong>sent an email</strong>" in text
    assert "Logged a contact attempt: sent an email (reply: We tried to call you)" in text
    [email] = mail.outbox
    assert email.to == [inquiry.email] and email.reply_to == ["triage@localhost"]
    assert email.body.startswith("Hello Ada,")
    assert inquiry.outbox.get(kind="reply").status == OutboxMessage.Status.SENT


def test_words_from_the_patients_text_warn_and_need_send_anyway(
    nurse_client, inquiry, django_capture_on_commit_callbacks
):
    typed = form(subject="About your knee", body="Sorry about the CARTILAGE. Enjoy tennis!", button="send")
    response = nurse_client.post(reply_url(inquiry), typed)
    assert response.status_code == 200
    text = page(response)
    assert (
        "repeats words the patient wrote about themselves: <strong>cartilage</strong>, <strong>tennis</strong>" in text
    )
    assert "Send anyway" in text and field(response, "acknowledged") == "cartilage tennis"
    assert field(response, "subject") == "About your knee"
    assert field(response, "body") == "Sorry about the CARTILAGE. Enjoy tennis!"
    assert not OutboxMessage.objects.filter(kind="reply").exists() and not inquiry.contact_attempts.exists()

    # Send anyway, but with a new word typed since the warning: warned again, nothing sent.
    more = typed | {"body": typed["body"] + " Bone.", "acknowledged": "cartilage tennis", "_reply": "send_anyway"}
    response = nurse_client.post(reply_url(inquiry), more)
    assert "<strong>bone</strong>" in page(response) and field(response, "acknowledged") == "cartilage tennis bone"
    assert not OutboxMessage.objects.filter(kind="reply").exists()

    with django_capture_on_commit_callbacks(execute=True):
        sent = nurse_client.post(reply_url(inquiry), more | {"acknowledged": field(response, "acknowledged")})
    assert sent.status_code == 302
    assert len(mail.outbox) == 1 and "CARTILAGE" in mail.outbox[0].body


def test_preview_warns_too(nurse_client, inquiry):
    text = page(nurse_client.post(reply_url(inquiry), form(subject="Hi", body="Your cartilage")))
    assert "Preview (not sent yet)" in text and "<strong>cartilage</strong>" in text


@pytest.mark.parametrize(
    ("typed", "refusal"),
    [
        ({"subject": "", "body": "My text"}, "Nothing was sent: Write a subject."),
        ({"subject": "My subject", "body": "   "}, "Nothing was sent: Write the email&#x27;s text."),
        ({"token": "not-a-token", "subject": "My subject", "body": "My text"}, "This form is damaged"),
    ],
)
def test_a_refused_send_keeps_what_was_typed(nurse_client, inquiry, typed, refusal):
    response = nurse_client.post(reply_url(inquiry), form(button="send") | typed)
    assert response.status_code == 200 and refusal in response.content.decode()
    assert field(response, "subject") == typed["subject"] and field(response, "body") == typed["body"]
    assert not OutboxMessage.objects.filter(kind="reply").exists()


def test_no_email_address_no_reply(nurse_client, offices):
    inquiry = make_inquiry(email="")
    assert "No email address to reply to." in page(nurse_client.get(change_url(inquiry)))
    response = nurse_client.post(reply_url(inquiry), form(subject="S", body="B", button="send"))
    assert "Nothing was sent: This inquiry has no email address to reply to." in page(response)
    assert field(response, "body") == "B" and not OutboxMessage.objects.filter(kind="reply").exists()


def test_a_database_error_keeps_the_text_and_stores_nothing(nurse_client, inquiry, monkeypatch):
    def down(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("intake.admin.replies.send_reply", down)
    response = nurse_client.post(reply_url(inquiry), form(subject="My subject", body="My text", button="send"))
    assert response.status_code == 503
    assert "the database did not answer. Your text is kept" in page(response)
    assert field(response, "subject") == "My subject" and field(response, "body") == "My text"


def test_the_same_form_submitted_twice_sends_once(nurse_client, inquiry, django_capture_on_commit_callbacks):
    data = form(subject="Hello", body="Please call us.", button="send")
    with django_capture_on_commit_callbacks(execute=True):
        first = nurse_client.post(reply_url(inquiry), data)
        second = nurse_client.post(reply_url(inquiry), data, follow=True)
    assert first.status_code == 302
    assert "this email was sent already; not sent again." in page(second)
    assert len(mail.outbox) == 1
    assert inquiry.outbox.filter(kind="reply").count() == 1 and inquiry.contact_attempts.count() == 1


# --- Who may do what ----------------------------------------------------------------------------------


def test_only_staff_who_may_change_the_inquiry_may_reply(client, inquiry):
    viewer = make_staff("viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_inquiry"))
    client.force_login(viewer)
    assert "Reply by email" not in page(client.get(change_url(inquiry)))
    assert client.get(reply_url(inquiry)).status_code == 403
    assert client.post(reply_url(inquiry), form(subject="S", body="B", button="send")).status_code == 403
    client.force_login(make_staff("editor", "Editors"))
    assert client.get(reply_url(inquiry)).status_code == 403
    assert not OutboxMessage.objects.filter(kind="reply").exists()


def test_triage_reads_the_templates_and_editing_needs_the_model_permission(client, nurse, called):
    client.force_login(nurse)
    url = f"/admin/intake/replytemplate/{called.pk}/change/"
    assert client.get("/admin/intake/replytemplate/").status_code == 200
    edit = {"name": called.name, "subject": "Changed", "body": "Hello {first_name}", "active": "on", "order": 0}
    assert client.post(url, edit).status_code == 403
    nurse.user_permissions.add(Permission.objects.get(codename="change_replytemplate"))
    assert client.post(url, edit).status_code == 302
    called.refresh_from_db()
    assert called.subject == "Changed"
    refused = client.post(url, edit | {"body": "Hello {__class__}"})
    assert "Unknown placeholder(s): {__class__}" in page(refused)


def test_the_attempt_names_the_template_the_text_came_from_not_the_one_left_chosen(nurse_client, inquiry, called):
    filled = nurse_client.post(reply_url(inquiry), form(called, button="fill"))
    other = ReplyTemplate.objects.get(name="Please book a consultation")
    data = form(other, field(filled, "subject"), field(filled, "body"), button="send")
    data["used_template"] = field(filled, "used_template")
    assert nurse_client.post(reply_url(inquiry), data).status_code == 302
    assert inquiry.contact_attempts.get().note == "Reply from the template “We tried to call you”"
    without = form(subject="Typed", body="All typed by hand.", button="send")
    assert nurse_client.post(reply_url(inquiry), without).status_code == 302
    assert inquiry.contact_attempts.last().note == "Reply typed without a template"


def test_the_list_decrypts_no_reply(nurse_client, inquiry, nurse, monkeypatch):
    from intake import crypto
    from intake.services.replies import ReplyDraft, send_reply

    send_reply(inquiry=inquiry, draft=ReplyDraft("Subject", "Text", None, uuid.uuid4()), by=nurse)
    calls = []
    decrypt = crypto.decrypt_bytes
    monkeypatch.setattr(crypto, "decrypt_bytes", lambda data: calls.append(1) or decrypt(data))
    text = page(nurse_client.get("/admin/intake/inquiry/"))
    assert inquiry.reference in text and calls == []
