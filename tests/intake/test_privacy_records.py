"""Retention covers everything (suspected spam, unconfirmed sign-ups, counts recorded) and consent
is recorded: the privacy notice's version and the time the person agreed to it."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from clinic.privacy import current_notice
from intake import services
from intake.models import Inquiry, OutboxMessage, PurgeRun, Subscriber
from tests.intake.conftest import HEALTH_SECRET, candidate_data, make_inquiry

pytestmark = pytest.mark.django_db


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_inquiries", *args, stdout=out)
    return out.getvalue()


def test_unconfirmed_sign_ups_go_after_their_period_with_their_emails(settings):
    settings.SUBSCRIBER_CONFIRM_DAYS = 30
    services.request_subscription(email="old@example.com")
    services.request_subscription(email="recent@example.com")
    services.request_subscription(email="confirmed@example.com")
    services.confirm_subscription(subscriber=Subscriber.objects.get(email="confirmed@example.com"))
    Subscriber.objects.exclude(email="recent@example.com").update(created_at=timezone.now() - timedelta(days=31))
    assert "1 newsletter sign-up(s) never confirmed" in purge()
    assert set(Subscriber.objects.values_list("email", flat=True)) == {"recent@example.com", "confirmed@example.com"}
    assert OutboxMessage.objects.filter(subscriber__email="old@example.com").count() == 0


def test_each_purge_run_records_its_counts_and_nothing_else(settings):
    make_inquiry(status="closed", age=timedelta(days=800))
    make_inquiry(status="new", age=timedelta(days=800))
    purge("--older-than", "365")
    run = PurgeRun.objects.get()
    assert run.counts == {"inquiries": 1, "images": 0, "orphan_files": 0, "spam": 0, "unconfirmed_subscribers": 0}
    assert run.finished_at >= run.started_at
    purge("--dry-run")
    assert PurgeRun.objects.count() == 1  # a dry run removes and records nothing


def test_suspected_spam_goes_after_its_own_shorter_period(settings):
    settings.INTAKE_SUSPECTED_SPAM_DAYS = 30
    old_spam = make_inquiry(age=timedelta(days=40), held_as_spam=True)
    new_spam = make_inquiry(age=timedelta(days=5), held_as_spam=True)
    OutboxMessage.objects.create(inquiry=old_spam, kind=OutboxMessage.Kind.STAFF_NOTIFICATION)
    report = services.purge_inquiries(older_than=timedelta(days=365))
    assert report.spam == 1 and report.references == []  # spam is counted, not listed
    assert list(Inquiry.objects.values_list("pk", flat=True)) == [new_spam.pk]
    assert not OutboxMessage.objects.exists()
    assert PurgeRun.objects.get().counts["spam"] == 1


def test_an_inquiry_keeps_the_privacy_notice_version_and_time_agreed(client, offices):
    before = timezone.now()
    response = client.post("/candidate/", candidate_data(message=f"{HEALTH_SECRET} knee"))
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.privacy_notice_version == current_notice().version
    assert before <= inquiry.privacy_agreed_at <= timezone.now()


def test_a_subscription_keeps_the_version_and_time_of_its_latest_request():
    services.request_subscription(email="Ada@Example.com")
    subscriber = Subscriber.objects.get()
    assert subscriber.privacy_notice_version == current_notice().version and subscriber.privacy_agreed_at


def test_the_privacy_page_shows_the_version_in_effect(client):
    page = client.get("/privacy/").content.decode()
    assert f"Version {current_notice().version}" in page
