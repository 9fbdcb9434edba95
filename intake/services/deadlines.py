"""Deadlines in office hours (issue 19): when a new inquiry is due, moving new inquiries' due times
when hours or closed days change, how a deadline reads ("due in 2 h", "overdue by 3 h"), and the
time to first contact.

An inquiry is due TRIAGE_SLA_HOURS open hours (clinic.hours) after it was sent, counted in its
office's hours; with no office ("either office, or remote") in the hours of the office that opens
first after it was sent. With no office hours at all the SLA falls back to calendar hours, so an
inquiry is never without a due time. The patient's promise (answer_time) uses the same deadline.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from clinic import hours, pagecache
from clinic.hours import Schedule
from intake.models import Inquiry

logger = logging.getLogger(__name__)

# Every office's hours, kept in this process until the content version changes (a save of an office,
# its hours or a closed day retires it: clinic.apps), so that a submission, its confirmation email
# and the inquiry page read them without a query.
current_schedules = pagecache.per_content_version(hours.schedules)


def clock_of(office_id: int | None, moment: datetime, schedules: dict[int, Schedule]) -> Schedule | None:
    """The hours an inquiry for the office `office_id` sent at `moment` is counted in: its office's,
    or, for none, those of the first office to open (None without any office hours)."""
    if office_id is not None:
        return schedules.get(office_id)
    return hours.first_to_open(list(schedules.values()), moment)


def sla_deadline(office, sent_at: datetime, *, schedules=None) -> tuple[Schedule | None, datetime]:
    """(the hours counted in, the due moment) for something sent at `sent_at` to `office`. The
    schedule is None when the calendar-hours fallback was used."""
    if schedules is None:
        schedules = current_schedules()
    return _deadline(getattr(office, "pk", None), sent_at, schedules)


def _deadline(office_id, sent_at: datetime, schedules) -> tuple[Schedule | None, datetime]:
    schedule = clock_of(office_id, sent_at, schedules)
    if schedule is not None:
        due = hours.add_open_hours(schedule, sent_at, settings.TRIAGE_SLA_HOURS)
        if due is not None:
            return schedule, due
    return None, sent_at + timedelta(hours=settings.TRIAGE_SLA_HOURS)


def recompute_due_dates() -> int:
    """Move the due time of every still-new inquiry to what the current hours, closed days and
    TRIAGE_SLA_HOURS say; returns how many moved. Called whenever an office, its hours or a closed
    day is saved or deleted (intake.apps), so the admin, the loader and the shell all keep it true.
    Inquiries already moved on keep theirs (it is history by then)."""
    schedules = hours.schedules()
    moved = []
    rows = Inquiry.objects.filter(status=Inquiry.Status.NEW).only("pk", "office", "submitted_at", "due_at")
    for inquiry in rows.iterator(chunk_size=500):
        _, due = _deadline(inquiry.office_id, inquiry.submitted_at, schedules)
        if due != inquiry.due_at:
            inquiry.due_at = due
            moved.append(inquiry)
    Inquiry.objects.bulk_update(moved, ["due_at"], batch_size=500)
    if moved:
        logger.info("intake: office hours changed; %s new inquiries' due times moved", len(moved))
    return len(moved)


def on_hours_changed(sender, **kwargs) -> None:
    """post_save / post_delete receiver of Office, OpeningHours and ClosedDay (intake.apps)."""
    if kwargs.get("raw"):
        return  # loaddata: the rows come as they were
    recompute_due_dates()


# --- In words ---------------------------------------------------------------------------------


def duration_text(span: timedelta, *, minutes: bool = False) -> str:
    """ "45 min", "3 h", "2 d" at a glance; with `minutes`, "5 h 10 min", "1 d 2 h"."""
    total = max(0, int(span.total_seconds() // 60))
    days, rest = divmod(total, 24 * 60)
    whole_hours, mins = divmod(rest, 60)
    if not minutes:
        return f"{total} min" if total < 60 else f"{total // 60} h" if total < 24 * 60 else f"{days} d"
    parts = [f"{days} d"] if days else []
    parts += [f"{whole_hours} h"] if whole_hours else []
    parts += [f"{mins} min"] if mins or not parts else []
    return " ".join(parts)


def due_label(inquiry: Inquiry, *, now=None) -> str:
    """ "due in 2 h" or "overdue by 3 h" (wall-clock time) for a new inquiry; "" for the others."""
    if inquiry.status != Inquiry.Status.NEW or inquiry.due_at is None:
        return ""
    now = now or timezone.now()
    if inquiry.due_at < now:
        return f"overdue by {duration_text(now - inquiry.due_at)}"
    return f"due in {duration_text(inquiry.due_at - now)}"


def first_contact_text(inquiry: Inquiry, *, schedules=None) -> str:
    """ "First contact 5 h 10 min after the inquiry (2 h in office hours)", or "" before any."""
    if inquiry.first_contacted_at is None:
        return ""
    elapsed = inquiry.first_contacted_at - inquiry.submitted_at
    text = f"First contact {duration_text(elapsed, minutes=True)} after the inquiry"
    if schedules is None:
        schedules = current_schedules()
    schedule = clock_of(inquiry.office_id, inquiry.submitted_at, schedules)
    if schedule is not None:
        open_time = hours.open_hours_between(schedule, inquiry.submitted_at, inquiry.first_contacted_at)
        text += f" ({duration_text(open_time, minutes=True)} in office hours)"
    return text
