"""When the clinic aims to answer: the TRIAGE_SLA_HOURS target, worked out with an office's
weekday hours, in words a patient reads on the thank-you page and in the confirmation email
("We aim to contact you by Thursday, 4 pm Eastern time").

The target is calendar hours from the moment the form was sent. When it falls while the office
is closed (a night, a weekend), the promise moves to the end of the office's next working day,
so it is never earlier than staff can keep. Whole hours only: the time is rounded up.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from clinic.models import Office

ZONE_NAMES = {"America/New_York": "Eastern time", "America/Chicago": "Central time"}


@dataclass(frozen=True)
class AnswerBy:
    when: datetime  # aware, in the office's time zone
    office: Office

    @property
    def text(self) -> str:
        """ "Thursday, 4 pm Eastern time" (or "4:30 pm" when the office closes on the half hour)."""
        return f"{self.when:%A}, {_clock(self.when)} {self._zone}"

    @property
    def hours(self) -> str:
        """The office's hours: "Monday to Friday, 8:30 am to 5 pm Eastern time"."""
        opens, closes = self.office.weekday_opens, self.office.weekday_closes
        return f"Monday to Friday, {_clock(opens)} to {_clock(closes)} {self._zone}"

    @property
    def _zone(self) -> str:
        return ZONE_NAMES.get(self.office.time_zone, self.office.time_zone)


def _clock(moment) -> str:
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{moment.strftime('%I').lstrip('0')}{minutes} {moment.strftime('%p').lower()}"


def answer_by(*, sent_at: datetime, office: Office | None = None) -> AnswerBy | None:
    """The promise for something sent at `sent_at`: for `office`, or, when the person chose none,
    the earliest any office with hours can keep. None if no office has hours."""
    offices = [office] if office is not None else list(Office.objects.all())
    promises = [_for_office(sent_at, o) for o in offices if o.weekday_opens and o.weekday_closes]
    return min(promises, key=lambda p: p.when) if promises else None


def _for_office(sent_at: datetime, office: Office) -> AnswerBy:
    zone = ZoneInfo(office.time_zone)
    target = (sent_at + timedelta(hours=settings.TRIAGE_SLA_HOURS)).astimezone(zone)
    if target.minute or target.second or target.microsecond:
        target = target.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if not _is_open(target, office):
        target = _next_closing(target, office)
    return AnswerBy(when=target, office=office)


def _is_open(moment: datetime, office: Office) -> bool:
    return moment.weekday() < 5 and office.weekday_opens < moment.time() <= office.weekday_closes


def _next_closing(moment: datetime, office: Office) -> datetime:
    """The end of the first working day that ends after `moment`."""
    day = moment.date()
    for _ in range(8):
        closing = datetime.combine(day, office.weekday_closes, tzinfo=moment.tzinfo)
        if day.weekday() < 5 and closing > moment:
            return closing
        day += timedelta(days=1)
    raise AssertionError("a working day is always within a week")
