"""The open-hours arithmetic (clinic/hours.py): weekends, closed days, daylight saving, "either office"."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic import hours
from clinic.hours import Schedule, add_open_hours, first_to_open, next_opening, open_hours_between

NEW_YORK = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")
NINE_TO_FIVE = {day: (time(9), time(17)) for day in range(5)}  # Monday to Friday, 8 h a day


def new_york(closed=()):
    return Schedule("America/New_York", NINE_TO_FIVE, frozenset(closed))


def ny(*args):
    return datetime(*args, tzinfo=NEW_YORK)


# 2026-12-02 is a Wednesday.
@pytest.mark.parametrize(
    ("start", "add", "due"),
    [
        (ny(2026, 12, 2, 10), 3, ny(2026, 12, 2, 13)),  # within the day
        (ny(2026, 12, 2, 15), 3, ny(2026, 12, 3, 10)),  # over the night
        (ny(2026, 12, 2, 9), 8, ny(2026, 12, 2, 17)),  # ends at closing: due at closing, not the next morning
        (ny(2026, 12, 2, 7), 1, ny(2026, 12, 2, 10)),  # before opening: counted from the opening
        (ny(2026, 12, 2, 20), 1, ny(2026, 12, 3, 10)),  # after closing
        (ny(2026, 12, 4, 16), 2, ny(2026, 12, 7, 10)),  # Friday afternoon: over the weekend
        (ny(2026, 12, 5, 12), 1, ny(2026, 12, 7, 10)),  # Saturday
        (ny(2026, 12, 6, 23, 59), 0.5, ny(2026, 12, 7, 9, 30)),  # Sunday night
        (ny(2026, 12, 2, 10), 40, ny(2026, 12, 9, 10)),  # a whole week of open hours
    ],
)
def test_open_hours_are_added_over_nights_and_weekends(start, add, due):
    assert add_open_hours(new_york(), start, add) == due


def test_a_moment_in_any_zone_is_the_same_moment():
    start = ny(2026, 12, 2, 15).astimezone(UTC)
    assert add_open_hours(new_york(), start, 3) == ny(2026, 12, 3, 10)


def test_a_closed_day_is_skipped():
    thursday = date(2026, 12, 3)
    assert add_open_hours(new_york(closed=[thursday]), ny(2026, 12, 2, 16), 2) == ny(2026, 12, 4, 10)
    assert open_hours_between(new_york(closed=[thursday]), ny(2026, 12, 2, 9), ny(2026, 12, 4, 17)) == timedelta(
        hours=16
    )


def test_a_closed_friday_and_monday_make_a_long_weekend():
    closed = [date(2026, 12, 4), date(2026, 12, 7)]
    assert add_open_hours(new_york(closed=closed), ny(2026, 12, 3, 16), 2) == ny(2026, 12, 8, 10)


# Daylight saving time in 2026: it starts on Sunday 8 March and ends on Sunday 1 November.
def test_the_spring_change_keeps_the_wall_clock_hours():
    friday, monday = ny(2026, 3, 6, 16), ny(2026, 3, 9, 10)
    due = add_open_hours(new_york(), friday, 2)
    assert due == monday and due.astimezone(UTC).hour == 14  # 10 am EDT (UTC-4), not 10 am EST
    assert open_hours_between(new_york(), friday, monday) == timedelta(hours=2)
    assert monday.astimezone(UTC) - friday == timedelta(hours=65)  # the weekend lost an hour, open hours did not


def test_the_autumn_change_keeps_the_wall_clock_hours():
    friday, monday = ny(2026, 10, 30, 16), ny(2026, 11, 2, 10)
    due = add_open_hours(new_york(), friday, 2)
    assert due == monday and due.astimezone(UTC).hour == 15  # 10 am EST (UTC-5)
    assert open_hours_between(new_york(), friday, monday) == timedelta(hours=2)
    assert monday.astimezone(UTC) - friday == timedelta(hours=67)


def test_an_office_in_chicago_counts_in_central_time_across_the_change():
    chicago = Schedule("America/Chicago", {day: (time(8, 30), time(17)) for day in range(5)})
    friday = datetime(2026, 3, 6, 16, 30, tzinfo=CHICAGO)
    due = add_open_hours(chicago, friday, 1)
    assert due == datetime(2026, 3, 9, 9, 0, tzinfo=CHICAGO) and due.astimezone(UTC).hour == 14
    assert due.tzinfo == UTC


def test_open_hours_between_two_moments():
    assert open_hours_between(new_york(), ny(2026, 12, 4, 15), ny(2026, 12, 7, 11)) == timedelta(hours=4)
    assert open_hours_between(new_york(), ny(2026, 12, 5, 8), ny(2026, 12, 6, 20)) == timedelta(0)  # a weekend
    assert open_hours_between(new_york(), ny(2026, 12, 2, 12), ny(2026, 12, 2, 10)) == timedelta(0)  # backwards


def test_next_opening_is_now_when_open():
    assert next_opening(new_york(), ny(2026, 12, 2, 12)) == ny(2026, 12, 2, 12)
    assert next_opening(new_york(), ny(2026, 12, 2, 17)) == ny(2026, 12, 3, 9)  # closing time is closed
    assert next_opening(new_york(), ny(2026, 12, 4, 18)) == ny(2026, 12, 7, 9)
    assert hours.is_open(new_york(), ny(2026, 12, 2, 9)) and not hours.is_open(new_york(), ny(2026, 12, 5, 12))


def test_either_office_is_the_first_to_open():
    eastern = new_york()
    central = Schedule("America/Chicago", NINE_TO_FIVE)
    # Wednesday 5:30 pm Eastern is 4:30 pm Central: Chicago is still open.
    assert first_to_open([eastern, central], ny(2026, 12, 2, 17, 30)) is central
    # Saturday: both open on Monday, New York an hour earlier.
    assert first_to_open([eastern, central], ny(2026, 12, 5, 12)) is eastern
    # Both open: the first in the offices' order.
    assert first_to_open([central, eastern], ny(2026, 12, 2, 12)) is central
    # New York closed on Monday for its own holiday: Chicago opens first.
    closed = new_york(closed=[date(2026, 12, 7)])
    assert first_to_open([closed, central], ny(2026, 12, 5, 12)) is central
    assert first_to_open([], ny(2026, 12, 5, 12)) is None


def test_no_open_day_gives_no_answer():
    nothing = Schedule("America/New_York", {})
    assert add_open_hours(nothing, ny(2026, 12, 2, 12), 1) is None
    assert next_opening(nothing, ny(2026, 12, 2, 12)) is None
    every_day = frozenset(date(2026, 12, 2) + timedelta(days=n) for n in range(hours.MAX_DAYS + 1))
    assert add_open_hours(new_york(closed=every_day), ny(2026, 12, 2, 12), 1) is None


def test_the_hours_in_words_and_for_search_engines():
    week = {**NINE_TO_FIVE, 5: (time(9), time(12)), 0: (time(8, 30), time(17))}
    schedule = Schedule("America/Chicago", week)
    assert hours.describe(schedule) == [
        "Monday, 8:30 am to 5 pm",
        "Tuesday to Friday, 9 am to 5 pm",
        "Saturday, 9 am to 12 pm",
    ]
    assert hours.schema_org(schedule) == ["Mo 08:30-17:00", "Tu-Fr 09:00-17:00", "Sa 09:00-12:00"]
    assert schedule.zone_name == "Central time"
