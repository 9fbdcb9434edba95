"""When the clinic aims to answer: TRIAGE_SLA_HOURS with the office's weekday hours."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from clinic.models import Office
from intake.services.answer_time import answer_by

pytestmark = pytest.mark.django_db
EASTERN = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("sent", "promise"),
    [
        (datetime(2026, 12, 2, 15, 20, tzinfo=EASTERN), "Thursday, 4 pm Eastern time"),  # Wed afternoon: +24 h
        (datetime(2026, 12, 2, 9, 0, tzinfo=EASTERN), "Thursday, 9 am Eastern time"),
        (datetime(2026, 12, 2, 19, 0, tzinfo=EASTERN), "Friday, 5 pm Eastern time"),  # +24 h is after closing
        (datetime(2026, 12, 4, 14, 0, tzinfo=EASTERN), "Monday, 5 pm Eastern time"),  # Friday: the weekend
        (datetime(2026, 12, 5, 10, 0, tzinfo=EASTERN), "Monday, 5 pm Eastern time"),  # Saturday
    ],
)
def test_the_promise_keeps_to_the_target_within_office_hours(offices, settings, sent, promise):
    settings.TRIAGE_SLA_HOURS = 24
    assert answer_by(sent_at=sent, office=Office.objects.get(slug="fort-myers")).text == promise


def test_the_office_time_zone_is_used(offices):
    sent = datetime(2026, 12, 2, 15, 20, tzinfo=EASTERN)  # 2:20 pm in Oak Park
    assert answer_by(sent_at=sent, office=Office.objects.get(slug="oak-park")).text == "Thursday, 3 pm Central time"


def test_without_a_chosen_office_the_earliest_promise_is_given(offices):
    sent = datetime(2026, 12, 2, 17, 30, tzinfo=EASTERN)  # Thursday 5:30 pm Eastern is after Fort Myers closes
    assert answer_by(sent_at=sent).text == "Thursday, 5 pm Central time"


def test_no_promise_without_office_hours(offices):
    Office.objects.update(weekday_opens=None)
    assert answer_by(sent_at=datetime(2026, 12, 2, 15, 20, tzinfo=EASTERN)) is None


def test_the_thank_you_page_and_the_email_say_when_we_aim_to_call(
    client, offices, django_capture_on_commit_callbacks, mailoutbox
):
    from tests.intake.conftest import candidate_data

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/candidate/", candidate_data(preferred_contact="phone"))
    page = client.get("/thanks/").content.decode()
    assert "We aim to call you by " in page and "(708) 393-8266" in page and "call 911" in page
    assert "Oak Park, IL: Monday to Friday, 8:30 am to 5 pm Central time" in page
    patient = next(m for m in mailoutbox if m.to == ["ada@example.com"])
    assert "We aim to call you by " in patient.body and "call 911" in patient.body
