"""A person's data on request: staff with the permission find every record of one person by email
or phone, give them one zip, and erase it; the erasure is recorded without their details."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.contrib.admin.models import CHANGE
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile

from intake import services
from intake.models import Inquiry, Note, OutboxMessage, SubjectRequest, Subscriber
from intake.services import subject_requests
from tests.intake.conftest import HEALTH_SECRET, image_bytes, make_inquiry, make_staff

pytestmark = pytest.mark.django_db

FIND = "/admin/intake/subjectrequest/find/"


@pytest.fixture
def officer(db):
    user = make_staff("officer", first_name="Pat", last_name="Privacy")
    user.user_permissions.add(Permission.objects.get(codename="handle_subject_requests"))
    return user


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def ada(nurse):
    """Two inquiries (one with a picture and a note) and a subscription of Ada, each with emails and
    audit entries, and an inquiry of someone else that was worked by the same nurse."""
    first = make_inquiry(email="Ada@Example.com", phone="(239) 555-0100", left_pain=7)
    first.image.save("report.png", ContentFile(image_bytes("PNG")))
    services.add_note(inquiry=first, text="Called, left a message", by=nurse)
    second = make_inquiry(email="other-address@example.com", phone="+1 239 555 0100", kind="question")
    for inquiry in (first, second):
        OutboxMessage.objects.create(inquiry=inquiry, kind=OutboxMessage.Kind.STAFF_NOTIFICATION)
        services.record_event(inquiry=inquiry, by=nurse, event=services.EVENT_VIEWED)
    services.request_subscription(email="ada@example.com")
    grace = make_inquiry(first_name="Grace", email="grace@example.com", phone="708 555 0199")
    services.record_event(inquiry=grace, by=nurse, event=services.EVENT_VIEWED)
    return first, second, grace


def test_email_finds_the_inquiries_and_subscription_whatever_the_case(ada):
    first, second, grace = ada
    records = subject_requests.find_person("  ADA@example.com ")
    assert [i.pk for i in records.inquiries] == [first.pk]
    assert [s.email for s in records.subscribers] == ["ada@example.com"]
    assert {m.inquiry_id or m.subscriber_id for m in records.outbox} >= {first.pk}
    assert len(records.outbox) == 2  # the inquiry's and the newsletter confirmation
    assert {e.object_pk for e in records.audit_entries} == {str(first.pk)}


def test_phone_finds_every_inquiry_with_that_number_however_written(ada):
    first, second, grace = ada
    records = subject_requests.find_person("239.555.0100")
    assert {i.pk for i in records.inquiries} == {first.pk, second.pk}
    with pytest.raises(subject_requests.NotAnIdentifier):
        subject_requests.find_person("12")


def test_the_export_is_one_zip_with_the_answers_notes_emails_audit_and_the_plain_picture(ada, officer):
    first, _, _ = ada
    archive = subject_requests.export_person(subject_requests.find_person("ada@example.com"), by=officer)
    with zipfile.ZipFile(archive) as zipped:
        data = json.loads(zipped.read("data.json"))
        picture = zipped.read(f"pictures/{first.reference}.png")
    assert picture == image_bytes("PNG")
    (inquiry,) = data["inquiries"]
    assert inquiry["reference"] == first.reference and inquiry["left_pain"] == 7
    assert inquiry["message"].startswith(HEALTH_SECRET)
    assert inquiry["staff_notes"][0]["note"] == "Called, left a message"
    assert data["newsletter_subscriptions"][0]["email"] == "ada@example.com"
    assert {e["what"] for e in data["audit_entries"]} >= {"viewed", "note_added"}
    request = SubjectRequest.objects.get()
    assert request.action == "export" and request.handled_by == officer and request.references == [first.reference]


def test_erasing_removes_every_record_and_file_and_keeps_other_peoples_audit_entries(
    ada, officer, django_capture_on_commit_callbacks
):
    first, second, grace = ada
    picture = Path(first.image.path)
    grace_entries = LogEntry.objects.get_for_object(grace).count()
    for inquiry in (first, grace):
        AdminLogEntry.objects.log_actions(user_id=officer.pk, queryset=[inquiry], action_flag=CHANGE)
    with django_capture_on_commit_callbacks(execute=True):
        request = subject_requests.erase_person(subject_requests.find_person("ada@example.com"), by=officer)
    assert not Inquiry.objects.filter(pk=first.pk).exists() and not picture.exists()
    assert not Note.objects.filter(inquiry_id=first.pk).exists()
    assert not OutboxMessage.objects.filter(inquiry_id=first.pk).exists()
    assert not Subscriber.objects.filter(email="ada@example.com").exists()
    assert not LogEntry.objects.filter(object_pk=str(first.pk), content_type__model="inquiry").exists()
    assert not AdminLogEntry.objects.filter(object_id=str(first.pk)).exists()
    assert AdminLogEntry.objects.filter(object_id=str(grace.pk)).exists()
    assert Inquiry.objects.filter(pk__in=[second.pk, grace.pk]).count() == 2
    assert LogEntry.objects.get_for_object(grace).count() == grace_entries
    # The record of the erasure: counts, the reference and a digest, nothing the person wrote.
    assert request.counts == {
        "inquiries": 1,
        "pictures": 1,
        "notes": 1,
        "subscriptions": 1,
        "outbox": 2,
        "audit_entries": 3,
    }
    stored = json.dumps([request.counts, request.references])
    assert "ada" not in stored.lower() and HEALTH_SECRET not in stored and "555" not in stored
    assert len(request.identifier_digest) == 64 and "@" not in request.identifier_digest
    assert subject_requests.find_person("ada@example.com").is_empty()
    assert list(subject_requests.earlier_requests(subject_requests.find_person("ADA@example.com"))) == [request]


def test_staff_without_the_permission_cannot_open_the_pages(nurse_client, ada):
    assert nurse_client.post(FIND, {"q": "ada@example.com"}).status_code == 403
    assert nurse_client.post("/admin/intake/subjectrequest/erase/", {"q": "ada@example.com"}).status_code == 403
    assert Inquiry.objects.count() == 3


def test_the_admin_finds_exports_and_after_confirmation_erases(officer_client, ada):
    first, _, _ = ada
    page = officer_client.post(FIND, {"q": "ada@example.com"}).content.decode()
    assert first.reference in page and "Download their copy" in page
    response = officer_client.post("/admin/intake/subjectrequest/export/", {"q": "ada@example.com"})
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zipped:
        assert "data.json" in zipped.namelist()
    assert "no-store" in response["Cache-Control"]
    confirm = officer_client.post("/admin/intake/subjectrequest/erase/", {"q": "ada@example.com"})
    assert "This erases, for good" in confirm.content.decode() and Inquiry.objects.filter(pk=first.pk).exists()
    done = officer_client.post("/admin/intake/subjectrequest/erase/", {"q": "ada@example.com", "confirm": "yes"})
    assert done.status_code == 302 and not Inquiry.objects.filter(pk=first.pk).exists()
    listing = officer_client.get("/admin/intake/subjectrequest/").content.decode()
    assert "Erased" in listing and first.reference in listing and "ada@" not in listing
