"""Replies from templates, the services: placeholders, the health-word warning, send_reply through the
outbox (one email a form, a contact attempt, the audit entry), and the email as the worker sends it."""

import uuid

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from clinic.models import Office
from intake import services
from intake.models import Inquiry, OutboxMessage, ReplyTemplate
from intake.services.replies import (
    ReplyDraft,
    ReplyRefused,
    fill_placeholders,
    health_words,
    render_reply,
    reply_health_words,
    send_reply,
    unknown_placeholders,
)
from tests.intake.conftest import HEALTH_SECRET, make_inquiry

pytestmark = pytest.mark.django_db


def draft(subject="About your inquiry", body="Hello, please call us.", template=None, token=None) -> ReplyDraft:
    return ReplyDraft(subject=subject, body=body, template=template, token=token or uuid.uuid4())


# --- Placeholders --------------------------------------------------------------------------------


def test_the_seeded_templates_fill_in_the_patient_office_and_phone(offices):
    fort_myers = Office.objects.get(slug="fort-myers")
    inquiry = make_inquiry(first_name="Ada", office=fort_myers)
    assert ReplyTemplate.objects.filter(active=True).count() == 4
    for template in ReplyTemplate.objects.all():
        subject, body = render_reply(template, inquiry)
        assert inquiry.reference in subject
        assert body.startswith("Hello Ada,")
        assert "{" not in subject + body
        if "{office}" in template.body:
            assert f"our {fort_myers.label} office at {fort_myers.phone}" in body


def test_either_office_gives_the_first_office_and_its_phone(offices):
    first = Office.objects.first()
    inquiry = make_inquiry(office=None)
    template = ReplyTemplate.objects.get(name="We tried to call you")
    _, body = render_reply(template, inquiry)
    assert f"our {first.label} office at {first.phone}" in body


@pytest.mark.parametrize(
    ("text", "filled"),
    [
        ("{__class__}", "{__class__}"),
        ("{first_name.__class__}", "{first_name.__class__}"),
        ("{reference.__init__.__globals__}", "{reference.__init__.__globals__}"),
        ("{0} {} {first_name!r} {phone:>99999999}", "{0} {} {first_name!r} {phone:>99999999}"),
        ("{{first_name}}", "{Ada}"),
        ("{first_name}{reference}", "AdaKN-2026-000001"),
    ],
)
def test_hostile_placeholders_stay_as_typed_and_are_never_evaluated(text, filled):
    values = {"first_name": "Ada", "reference": "KN-2026-000001", "office": "X", "phone": "1"}
    assert fill_placeholders(text, values) == filled


def test_a_hostile_first_name_is_not_filled_in_again(offices):
    inquiry = make_inquiry(first_name="{reference}\n{__class__}\u202e")
    subject, body = render_reply(
        ReplyTemplate(subject="Hi {first_name}", body="Dear {first_name}, ref {reference}"), inquiry
    )
    assert subject == "Hi {reference} {__class__}"  # one line, bidi override gone, not expanded
    assert body == f"Dear {{reference}} {{__class__}}, ref {inquiry.reference}"


def test_a_template_with_an_unknown_placeholder_is_refused_in_admin():
    assert unknown_placeholders("Hi {first_name}, {__class__} {name} {name}") == ["{__class__}", "{name}"]
    template = ReplyTemplate(name="Bad", subject="Hi {first_name}", body="{__class__.__mro__}")
    with pytest.raises(ValidationError) as refused:
        template.full_clean()
    assert "body" in refused.value.message_dict and "subject" not in refused.value.message_dict


# --- The health-word warning -------------------------------------------------------------------------


def test_words_the_patient_wrote_are_found_whatever_the_case_punctuation_or_accents():
    theirs = ["My MENISCUS tore; the Knee swells (a lot)… Ménière? Straße!"]
    text = "About your meniscus, knees, swells and MENIERE. Strasse. Hello!"
    assert health_words(text, theirs) == ["meniscus", "knees", "swells", "meniere", "strasse"]


def test_hidden_characters_and_wide_letters_do_not_hide_a_word():
    theirs = ["arthritis"]
    assert health_words("ar\u200bthri\u00adtis", theirs) == ["arthritis"]  # zero-width space, soft hyphen
    assert health_words("\uff41\uff52\uff54\uff48\uff52\uff49\uff54\uff49\uff53", theirs) == ["arthritis"]  # fullwidth
    assert health_words("ARTHRITIS", ["Arthritis"]) == ["arthritis"]


def test_short_and_common_words_names_and_offices_do_not_count():
    theirs = ["I have had pain in my knee for years, please call me in the morning. Ada. Fort Myers."]
    text = "Hello Ada, please call our Fort Myers office in the morning about your appointment. I am ok."
    assert health_words(text, theirs, ignore=["Ada", "Fort Myers, FL"]) == []
    assert health_words("Your knee pain", theirs) == ["knee", "pain"]


def test_nothing_in_common_and_hostile_input_give_no_words():
    assert health_words("", ["knee"]) == []
    assert health_words("knee", ["", None, "12345 !!! ***"]) == []
    assert health_words("🦵 knee " * 5000, ["🦵 knee"]) == ["knee"]


def test_a_reply_repeating_the_patients_message_is_flagged_and_a_template_is_not(offices):
    inquiry = make_inquiry(
        message="Bone on bone, my cartilage is gone. I tried cortisone; my doctor suggests surgery. "
        "No options left, I need information and a step forward. Privacy matters, my records are attached.",
        activities_given_up="tennis and hiking, taking the stairs",
    )
    for template in ReplyTemplate.objects.all():
        subject, body = render_reply(template, inquiry)
        assert reply_health_words(inquiry, subject=subject, body=body, template=template) == [], template.name
    template = ReplyTemplate.objects.get(name="Not a candidate for now")
    subject, body = render_reply(template, inquiry)
    assert reply_health_words(inquiry, subject=subject, body=body + " About the surgery.", template=template) == [
        "surgery"
    ]
    assert reply_health_words(inquiry, subject="Hi", body="We tried to reach you; your doctor may help.") == []
    words = reply_health_words(inquiry, subject="Your cartilage", body="We read about the TENNIS and bone.")
    assert words == ["cartilage", "tennis", "bone"]


# --- send_reply: the outbox, the attempt, the audit ----------------------------------------------------


def test_a_reply_is_an_outbox_row_a_contact_attempt_and_an_audit_entry_naming_the_template(
    offices, nurse, django_capture_on_commit_callbacks
):
    inquiry = make_inquiry()
    template = ReplyTemplate.objects.get(name="Please book a consultation")
    subject, body = render_reply(template, inquiry)
    with django_capture_on_commit_callbacks(execute=True):
        message, created = send_reply(
            inquiry=inquiry, draft=draft(subject=subject, body=body, template=template), by=nurse
        )
    assert created and message.kind == OutboxMessage.Kind.REPLY
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and message.attempts == 1
    attempt = inquiry.contact_attempts.get()
    assert (attempt.channel, attempt.outcome, attempt.by) == ("email", "emailed", nurse)
    assert "Please book a consultation" in attempt.note
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.NEW  # an email sent is not the person reached
    entry = LogEntry.objects.get_for_object(inquiry).get(additional_data__event="contact_attempt")
    assert entry.additional_data["template"] == "Please book a consultation"
    assert "consultation, where" not in str(entry.additional_data)  # the name, never the text
    [email] = mail.outbox
    assert email.to == [inquiry.email] and email.reply_to == ["triage@localhost"]
    assert email.subject == subject and inquiry.reference in email.subject
    assert body in email.body and "not for emergencies" in email.body
    assert email.extra_headers["Message-ID"] == services.message_id_header(message)


def test_the_subject_and_body_are_encrypted_in_the_database(offices, nurse):
    inquiry = make_inquiry()
    message, _ = send_reply(inquiry=inquiry, draft=draft(subject="Secret subject", body="Secret body"), by=nurse)
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject, body FROM intake_outboxmessage WHERE id = %s", [message.pk])
        subject, body = cursor.fetchone()
    assert subject.startswith("gAAAAA") and body.startswith("gAAAAA")
    assert "Secret" not in subject + body
    assert OutboxMessage.objects.get(pk=message.pk).body == "Secret body"


def test_the_same_form_sent_twice_stores_and_sends_one_email(offices, nurse, django_capture_on_commit_callbacks):
    inquiry = make_inquiry()
    once = draft()
    with django_capture_on_commit_callbacks(execute=True):
        first, created = send_reply(inquiry=inquiry, draft=once, by=nurse)
        again, created_again = send_reply(inquiry=inquiry, draft=once, by=nurse)
    assert created and not created_again and again.pk == first.pk
    assert len(mail.outbox) == 1 and inquiry.contact_attempts.count() == 1


def test_several_replies_to_one_inquiry_are_allowed_the_hand_off_stays_one_each(offices, nurse):
    inquiry = make_inquiry()
    for _ in range(3):
        send_reply(inquiry=inquiry, draft=draft(), by=nurse)
    assert inquiry.outbox.filter(kind="reply").count() == 3
    OutboxMessage.objects.create(kind=OutboxMessage.Kind.STAFF_NOTIFICATION, inquiry=inquiry)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.create(kind=OutboxMessage.Kind.STAFF_NOTIFICATION, inquiry=inquiry)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.create(kind=OutboxMessage.Kind.REPLY, inquiry=inquiry)  # a reply needs its token


def test_a_token_of_another_inquirys_reply_is_refused(offices, nurse):
    token = uuid.uuid4()
    send_reply(inquiry=make_inquiry(), draft=draft(token=token), by=nurse)
    other = make_inquiry(first_name="Grace")
    with pytest.raises(ReplyRefused):
        send_reply(inquiry=other, draft=draft(token=token), by=nurse)
    assert not other.outbox.exists() and not other.contact_attempts.exists()


@pytest.mark.parametrize(
    ("fields", "typed", "reason"),
    [
        ({"email": ""}, {}, "no email address"),
        ({}, {"subject": "  \n "}, "subject"),
        ({}, {"body": "\u200b \n"}, "text"),
    ],
)
def test_a_reply_without_an_address_subject_or_text_is_refused_and_stores_nothing(
    offices, nurse, fields, typed, reason
):
    inquiry = make_inquiry(**fields)
    with pytest.raises(ReplyRefused, match=reason):
        send_reply(inquiry=inquiry, draft=draft(**typed), by=nurse)
    assert not inquiry.outbox.exists() and not inquiry.contact_attempts.exists()


def test_the_reference_is_added_to_a_subject_without_it_and_the_email_holds_no_other_health_detail(
    offices, nurse, django_capture_on_commit_callbacks
):
    inquiry = make_inquiry()
    with django_capture_on_commit_callbacks(execute=True):
        message, _ = send_reply(inquiry=inquiry, draft=draft(subject="Hello\nBcc: x@example.com"), by=nurse)
    assert message.subject == f"Hello Bcc: x@example.com ({inquiry.reference})"
    [email] = mail.outbox
    assert email.recipients() == [inquiry.email]
    assert HEALTH_SECRET not in email.message().as_string()


def test_a_failing_reply_is_retried_like_the_hand_off_and_sent_once(offices, nurse, monkeypatch, settings):
    inquiry = make_inquiry()
    message, _ = send_reply(inquiry=inquiry, draft=draft(), by=nurse)
    settings.EMAIL_BACKEND = "tests.intake.test_reply_services.RefusingBackend"
    with pytest.raises(services.DeliveryFailed):
        services.deliver_inquiry(inquiry_id=inquiry.pk)
    message.refresh_from_db()
    assert message.handoff_state == "failing" and message.attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.deliver_message(message_id=message.pk) is True
    assert services.deliver_message(message_id=message.pk) is False
    assert len(mail.outbox) == 1


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the test's SMTP server is down")


def test_reencrypt_rewrites_the_replies_too(offices, nurse, settings):
    from cryptography.fernet import Fernet

    from intake.services.encryption import reencrypt_health_data

    message, _ = send_reply(inquiry=make_inquiry(), draft=draft(body="Under the old key"), by=nurse)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    report = reencrypt_health_data()
    assert report.emails >= 1
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert OutboxMessage.objects.get(pk=message.pk).body == "Under the old key"


def test_the_persons_copy_holds_the_replies_sent_to_them_and_erasure_removes_them(offices, nurse):
    import json
    import zipfile

    from intake.services import subject_requests

    inquiry = make_inquiry(email="copy@example.com")
    send_reply(inquiry=inquiry, draft=draft(subject="Your visit", body="Please call us."), by=nurse)
    records = subject_requests.find_person("copy@example.com")
    with zipfile.ZipFile(subject_requests.export_person(records, by=nurse)) as archive:
        emails = json.loads(archive.read("data.json"))["emails"]
    [reply] = [email for email in emails if email["kind"] == "Reply to the patient"]
    assert reply["subject"] == f"Your visit ({inquiry.reference})" and reply["body"] == "Please call us."
    subject_requests.erase_person(subject_requests.find_person("copy@example.com"), by=nurse)
    assert not OutboxMessage.objects.filter(kind="reply").exists()
