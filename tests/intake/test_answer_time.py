"""When the clinic aims to answer: TRIAGE_SLA_HOURS of the office's open hours (clinic.hours)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from clinic.models import ClosedDay, Office, OpeningHours
from intake.services.answer_time import answer_by

pytestmark = pytest.mark.django_db
EASTERN = ZoneInfo("America/New_York")


# Fort Myers is open Monday to Friday, 8:30 am to 5 pm Eastern: 8.5 open hours a day.
@pytest.mark.parametrize(
    ("sent", "promise"),
    [
        # Wednesday 3:20 pm: 1 h 40 min on Wednesday, 17 h Thursday and Friday, 5 h 20 min on Monday.
        (datetime(2026, 12, 2, 15, 20, tzinfo=EASTERN), "Monday, 2 pm Eastern time"),
        (datetime(2026, 12, 2, 9, 0, tzinfo=EASTERN), "Friday, 4 pm Eastern time"),
        (datetime(2026, 12, 2, 19, 0, tzinfo=EASTERN), "Monday, 4 pm Eastern time"),  # after closing
        (datetime(2026, 12, 4, 14, 0, tzinfo=EASTERN), "Wednesday, 1 pm Eastern time"),  # Friday: the weekend
        (datetime(2026, 12, 5, 10, 0, tzinfo=EASTERN), "Wednesday, 4 pm Eastern time"),  # Saturday
    ],
)
def test_the_promise_counts_open_hours(offices, settings, sent, promise):
    settings.TRIAGE_SLA_HOURS = 24
    assert answer_by(sent_at=sent, office=Office.objects.get(slug="fort-myers")).text == promise


def test_a_closed_day_moves_the_promise(offices, settings):
    settings.TRIAGE_SLA_HOURS = 8
    fort_myers = Office.objects.get(slug="fort-myers")
    sent = datetime(2026, 12, 2, 16, 0, tzinfo=EASTERN)  # 1 h on Wednesday, 7 h on Thursday
    assert answer_by(sent_at=sent, office=fort_myers).text == "Thursday, 4 pm Eastern time"
    ClosedDay.objects.create(date=date(2026, 12, 3), reason="Staff training")  # every office
    assert answer_by(sent_at=sent, office=fort_myers).text == "Friday, 4 pm Eastern time"


def test_the_promise_is_never_after_closing(offices, settings):
    settings.TRIAGE_SLA_HOURS = 1
    fort_myers = Office.objects.get(slug="fort-myers")
    OpeningHours.objects.filter(office=fort_myers, weekday=2).update(closes=time(16, 45))
    sent = datetime(2026, 12, 2, 15, 30, tzinfo=EASTERN)  # due 4:30 pm; 5 pm would be after closing
    assert answer_by(sent_at=sent, office=fort_myers).text == "Wednesday, 4:45 pm Eastern time"


def test_the_office_time_zone_is_used(offices, settings):
    settings.TRIAGE_SLA_HOURS = 24
    sent = datetime(2026, 12, 2, 15, 20, tzinfo=EASTERN)  # 2:20 pm in Oak Park
    assert answer_by(sent_at=sent, office=Office.objects.get(slug="oak-park")).text == "Monday, 1 pm Central time"


def test_without_a_chosen_office_the_first_office_to_open_counts(offices, settings):
    settings.TRIAGE_SLA_HOURS = 24
    # Wednesday 5:30 pm Eastern: Fort Myers has closed, Oak Park (4:30 pm Central) is still open.
    assert answer_by(sent_at=datetime(2026, 12, 2, 17, 30, tzinfo=EASTERN)).text == "Monday, 3 pm Central time"
    # Thursday 8 am Eastern: Fort Myers opens first (8:30 Eastern is 7:30 Central).
    assert answer_by(sent_at=datetime(2026, 12, 3, 8, 0, tzinfo=EASTERN)).text == "Monday, 4 pm Eastern time"


def test_no_promise_without_office_hours(offices):
    OpeningHours.objects.all().delete()
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
