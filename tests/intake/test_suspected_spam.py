"""Suspected spam: kept, not announced, listed apart in admin to release (then handed over as usual)
or delete, purged after INTAKE_SUSPECTED_SPAM_DAYS."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from intake import services
from intake.models import Inquiry
from intake.services import triage_counts
from intake.services.suspected_spam import release_inquiry
from tests.intake.conftest import make_inquiry

pytestmark = pytest.mark.django_db


def held(**fields):
    return make_inquiry(held_as_spam=True, spam_reasons=["The hidden field bots fill in was filled in"], **fields)


def test_a_held_inquiry_is_not_new_work_for_staff(nurse_client):
    spam = held()
    assert triage_counts()["new"] == 0
    assert not Inquiry.objects.open().exists() and not Inquiry.objects.overdue(now=timezone.now() + timedelta(days=9))
    assert spam.reference not in nurse_client.get("/admin/intake/inquiry/").content.decode()
    listed = nurse_client.get("/admin/intake/suspectedspam/").content.decode()
    assert spam.reference in listed and "The hidden field bots fill in was filled in" in listed


def test_releasing_hands_the_inquiry_over_as_usual(nurse_client, nurse, django_capture_on_commit_callbacks, mailoutbox):
    spam = held(age=timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        response = nurse_client.post(
            "/admin/intake/suspectedspam/", {"action": "release", "_selected_action": [spam.pk]}, follow=True
        )
    assert "Released 1 inquiry(ies)" in response.content.decode()
    spam.refresh_from_db()
    assert not spam.held_as_spam and spam.status == "new" and not spam.is_overdue  # its wait starts now
    assert sorted(m.to[0] for m in mailoutbox) == ["ada@example.com", "triage@localhost"]
    assert release_inquiry(inquiry=spam, by=nurse) is False  # a second release does nothing


def test_deleting_as_spam_removes_it(nurse_client):
    spam = held()
    nurse_client.post("/admin/intake/suspectedspam/", {"action": "delete_as_spam", "_selected_action": [spam.pk]})
    assert not Inquiry.objects.filter(pk=spam.pk).exists()


def test_held_inquiries_nobody_released_are_purged_after_their_own_period(settings):
    settings.INTAKE_SUSPECTED_SPAM_DAYS = 30
    old, recent = held(age=timedelta(days=31)), held(age=timedelta(days=29))
    kept = make_inquiry(age=timedelta(days=400))  # not spam, not closed: never purged by this
    assert services.purge_inquiries(older_than=timedelta(days=365), dry_run=True).spam == 1  # counted, not listed
    call_command("purge_inquiries", verbosity=0)
    assert not Inquiry.objects.filter(pk=old.pk).exists()
    assert set(Inquiry.objects.values_list("pk", flat=True)) == {recent.pk, kept.pk}


def test_a_held_inquiry_opens_in_admin_with_its_reasons(nurse_client):
    spam = held()
    response = nurse_client.get(f"/admin/intake/suspectedspam/{spam.pk}/change/")
    assert response.status_code == 200 and "The hidden field bots fill in was filled in" in response.content.decode()
    viewed = services.audit_trail(inquiry=spam).filter(additional_data__event=services.EVENT_VIEWED)
    assert viewed.get().actor.username == "nurse"  # who saw the held message is recorded
    assert nurse_client.get(f"/admin/intake/inquiry/{spam.pk}/change/").status_code == 302  # not in the triage list
