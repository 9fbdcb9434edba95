"""Open hours: the one place the clinic's clock is worked out (issue 19).

An office's `Schedule` is its opening hours per weekday (`OpeningHours`, in the office's own time
zone) minus its closed days (`ClosedDay`, for that office or for every office). On it:

- `add_open_hours(schedule, moment, hours)`: the moment `hours` open hours after `moment`;
- `open_hours_between(schedule, start, end)`: how much of that time the office was open;
- `next_opening(schedule, moment)`: `moment` itself when open, else when the office next opens;
- `first_to_open(schedules, moment)`: for "either office, or remote", the office that opens first.

Days are taken in the office's time zone, so a daylight-saving change moves the hours with the
wall clock (an 8:30 opening is 8:30 local time on both sides of it); every moment returned is in
UTC. Hours that span midnight are not supported (the model refuses them). The arithmetic looks at
most MAX_DAYS ahead: a schedule with no open day in that window has no answer (None).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 400
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SCHEMA_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
ZONE_NAMES = {"America/New_York": "Eastern time", "America/Chicago": "Central time"}


@dataclass(frozen=True)
class Schedule:
    """When one office is open: `week` maps a weekday (0 = Monday) to (opens, closes) local times;
    `closed` holds the local dates it stays shut. `office` is the Office, for labels (may be None)."""

    time_zone: str
    week: dict[int, tuple[time, time]]
    closed: frozenset[date] = frozenset()
    office: object = field(default=None, compare=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def zone_name(self) -> str:
        """ "Eastern time", or the zone's name for zones without a common one."""
        return ZONE_NAMES.get(self.time_zone, self.time_zone)

    def intervals(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open periods (UTC) that end after `start`, in order; the first begins no earlier
        than `start`. Looks MAX_DAYS ahead at most."""
        zone = self.zone
        start = start.astimezone(UTC)
        day = start.astimezone(zone).date()
        for _ in range(MAX_DAYS):
            span = self.week.get(day.weekday())
            if span and day not in self.closed:
                begin = datetime.combine(day, span[0], tzinfo=zone).astimezone(UTC)
                end = datetime.combine(day, span[1], tzinfo=zone).astimezone(UTC)
                if end > start:
                    yield max(begin, start), end
            day += timedelta(days=1)


def add_open_hours(schedule: Schedule, moment: datetime, hours: float) -> datetime | None:
    """The moment (UTC) at which `hours` open hours have passed since `moment`. Work that ends
    exactly at closing time is done by the closing time, not at the next opening."""
    remaining = timedelta(hours=hours)
    for begin, end in schedule.intervals(moment):
        if end - begin >= remaining:
            return begin + remaining
        remaining -= end - begin
    return None


def open_hours_between(schedule: Schedule, start: datetime, end: datetime) -> timedelta:
    """How long the office was open between `start` and `end` (zero when end is not after start)."""
    total = timedelta()
    end = end.astimezone(UTC)
    for begin, finish in schedule.intervals(start):
        if begin >= end:
            break
        total += min(finish, end) - begin
    return total


def next_opening(schedule: Schedule, moment: datetime) -> datetime | None:
    """`moment` (UTC) if the office is open then, else when it next opens."""
    return next((begin for begin, _ in schedule.intervals(moment)), None)


def is_open(schedule: Schedule, moment: datetime) -> bool:
    return next_opening(schedule, moment) == moment.astimezone(UTC)


def first_to_open(schedules: list[Schedule], moment: datetime) -> Schedule | None:
    """Of `schedules` (in the offices' order), the first open at or after `moment`; ties go to the
    earlier in the list. None if none ever opens."""
    opening = [(next_opening(s, moment), n, s) for n, s in enumerate(schedules)]
    opening = [item for item in opening if item[0] is not None]
    return min(opening, key=lambda item: item[:2])[2] if opening else None


# --- Loading schedules and saying them in words -------------------------------------------------


def schedules(offices=None) -> dict[int, Schedule]:
    """The Schedule of every office with opening hours (or of `offices`), by office id, in the
    offices' order: three queries however many offices."""
    from clinic.models import ClosedDay, Office, OpeningHours

    offices = list(Office.objects.all() if offices is None else offices)
    weeks: dict[int, dict[int, tuple[time, time]]] = {o.pk: {} for o in offices}
    for row in OpeningHours.objects.filter(office__in=offices):
        weeks[row.office_id][row.weekday] = (row.opens, row.closes)
    everywhere, own = set(), {o.pk: set() for o in offices}
    for day, office_id in ClosedDay.objects.values_list("date", "office_id"):
        if office_id is None:
            everywhere.add(day)
        elif office_id in own:
            own[office_id].add(day)
    return {
        o.pk: Schedule(o.time_zone, weeks[o.pk], frozenset(everywhere | own[o.pk]), office=o)
        for o in offices
        if weeks[o.pk]
    }


def schedule_for(office) -> Schedule | None:
    return schedules([office]).get(office.pk)


def clock(moment) -> str:
    """ "4 pm", "8:30 am" (a time or a datetime, as it reads on its own clock)."""
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{moment.strftime('%I').lstrip('0')}{minutes} {moment.strftime('%p').lower()}"


def _runs(week: dict[int, tuple[time, time]]) -> list[tuple[int, int, tuple[time, time]]]:
    """Consecutive weekdays with the same hours: [(first, last, (opens, closes)), ...]."""
    runs: list[tuple[int, int, tuple[time, time]]] = []
    for day in range(7):
        span = week.get(day)
        if span is None:
            continue
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == span:
            runs[-1] = (runs[-1][0], day, span)
        else:
            runs.append((day, day, span))
    return runs


def describe(schedule: Schedule) -> list[str]:
    """The weekly hours in words, one line a run of days: "Monday to Friday, 8:30 am to 5 pm"."""
    lines = []
    for first, last, (opens, closes) in _runs(schedule.week):
        days = WEEKDAYS[first] if first == last else f"{WEEKDAYS[first]} to {WEEKDAYS[last]}"
        lines.append(f"{days}, {clock(opens)} to {clock(closes)}")
    return lines


def schema_org(schedule: Schedule) -> list[str]:
    """schema.org openingHours values: "Mo-Fr 08:30-17:00"."""
    lines = []
    for first, last, (opens, closes) in _runs(schedule.week):
        days = SCHEMA_DAYS[first] if first == last else f"{SCHEMA_DAYS[first]}-{SCHEMA_DAYS[last]}"
        lines.append(f"{days} {opens:%H:%M}-{closes:%H:%M}")
    return lines
