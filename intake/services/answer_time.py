"""When the clinic aims to answer: the inquiry's due time (deadlines.sla_deadline: TRIAGE_SLA_HOURS
of the office's open hours, worked out by clinic.hours), in words a patient reads on the thank-you
page and in the confirmation email ("We aim to contact you by Thursday, 4 pm Eastern time").

The due time is rounded up to the whole hour, unless the office closes before that hour: then it
is the closing time ("Thursday, 4:45 pm"). With no office chosen, it is counted in the hours of the
first office to open, as staff's clock counts it. No office hours, no promise.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from clinic import hours
from clinic.hours import Schedule

from .deadlines import sla_deadline


@dataclass(frozen=True)
class AnswerBy:
    when: datetime  # aware, in the office's time zone
    schedule: Schedule

    @property
    def office(self):
        return self.schedule.office

    @property
    def text(self) -> str:
        """ "Thursday, 4 pm Eastern time" (or "4:30 pm" when the office closes on the half hour)."""
        return f"{self.when:%A}, {hours.clock(self.when)} {self.schedule.zone_name}"

    @property
    def hours(self) -> str:
        """The office's hours: "Monday to Friday, 8:30 am to 5 pm Eastern time"."""
        return f"{'; '.join(hours.describe(self.schedule))} {self.schedule.zone_name}"


def answer_by(*, sent_at: datetime, office=None) -> AnswerBy | None:
    """The promise for something sent at `sent_at` to `office` (None: either office, or remote)."""
    schedule, due = sla_deadline(office, sent_at)
    if schedule is None:
        return None
    rounded = due.astimezone(schedule.zone)
    if rounded.minute or rounded.second or rounded.microsecond:
        rounded = rounded.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    # The open period the due time falls in (it may be its very end, the closing time).
    _, closing = next(schedule.intervals(due - timedelta(microseconds=1)))
    return AnswerBy(when=min(rounded, closing).astimezone(schedule.zone), schedule=schedule)
