import uuid
from unittest import mock

import pytest
from django.contrib.auth.models import User

from intake import services
from tests.intake.conftest import change_form_data
from tests.intake.test_services import answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw-long-enough-123"))
    return client


def store(capture, **overrides):
    with capture(execute=True):
        inquiry, _ = services.submit_inquiry(
            kind="candidate", submission_token=uuid.uuid4(), answers=answers(**overrides)
        )
    return inquiry


def test_the_inquiry_page_shows_the_details_the_suggested_type_its_reasons_and_the_hand_off(
    admin_client, offices, django_capture_on_commit_callbacks
):
    inquiry = store(django_capture_on_commit_callbacks)
    html = admin_client.get(f"/admin/intake/inquiry/{inquiry.pk}/change/").content.decode()
    assert inquiry.reference in html
    assert "Type 3" in html
    assert "<li>Joint replacement was recommended</li>" in html
    assert "SENTINEL-HEALTH-DETAIL bone on bone" in html  # staff see what the patient wrote
    assert "Staff notification" in html and "Sent" in html


def test_a_failing_hand_off_shows_the_attempts_and_the_last_error(
    admin_client, offices, django_capture_on_commit_callbacks
):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("Connection refused")):
        inquiry = store(django_capture_on_commit_callbacks)
    html = admin_client.get(f"/admin/intake/inquiry/{inquiry.pk}/change/").content.decode()
    assert "failing: Staff notification: attempt 1, OSError: Connection refused" in html
    listing = admin_client.get("/admin/intake/inquiry/?handoff=failing").content.decode()
    assert inquiry.reference in listing
    assert inquiry.reference not in admin_client.get("/admin/intake/inquiry/?handoff=sent").content.decode()


def test_the_list_fits_a_query_budget(
    admin_client, offices, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for _ in range(5):
        store(django_capture_on_commit_callbacks)
    admin_client.get("/admin/")  # a session's first request records its last-seen time (clinic.middleware)
    with django_assert_max_num_queries(12):
        assert admin_client.get("/admin/intake/inquiry/").status_code == 200


def test_staff_change_the_status_but_not_what_the_patient_sent(
    admin_client, offices, django_capture_on_commit_callbacks
):
    inquiry = store(django_capture_on_commit_callbacks)
    response = admin_client.post(
        f"/admin/intake/inquiry/{inquiry.pk}/change/",
        change_form_data(inquiry, _triage="move:in_review", message="changed"),
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "in_review" and inquiry.message.startswith("SENTINEL")


def test_no_one_adds_an_inquiry_in_admin(admin_client):
    assert admin_client.get("/admin/intake/inquiry/add/").status_code == 403
