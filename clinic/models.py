from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q


class LoadedContent(models.Model):
    """A row that `load_content` keeps in step with a file under content/.

    `content_fingerprint` is a hash of the values as last loaded from the file. When the row's
    current values no longer hash to it, an editor changed the row in admin, and the loader leaves
    it alone instead of silently overwriting the edit (see clinic.content.sync_row).
    """

    content_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True


def valid_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ValueError, OSError, KeyError):  # KeyError: ZoneInfoNotFoundError; ValueError: "../x"
        raise ValidationError(f"“{value}” is not a time zone name such as America/Chicago.") from None


class Office(LoadedContent):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    label = models.CharField(max_length=100, help_text='Short name used in forms, e.g. "Fort Myers, FL".')
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    region = models.CharField("state", max_length=2)
    postal_code = models.CharField(max_length=10)
    country = models.CharField(max_length=2, default="US")
    phone = models.CharField(max_length=20)
    fax = models.CharField(max_length=20, blank=True)
    opening_hours = models.TextField(
        "notes on the hours",
        blank=True,
        help_text="Shown on the contact page under the opening hours below, e.g. “Closed for lunch 12–1 pm”. "
        "The hours themselves (and the triage clock) come from the opening hours rows.",
    )
    # The opening hours per weekday are OpeningHours rows (clinic.hours works the clock out), in this
    # time zone; closed days are ClosedDay rows.
    time_zone = models.CharField(
        max_length=40, default="America/New_York", help_text="e.g. America/Chicago", validators=[valid_time_zone]
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @property
    def locality_line(self) -> str:
        return f"{self.city}, {self.region} {self.postal_code}"

    @property
    def phone_uri(self) -> str:
        return "tel:+1" + "".join(ch for ch in self.phone if ch.isdigit())

    def opening_hours_lines(self) -> list[str]:
        """The notes on the hours (the free text), one per line."""
        return [line.strip() for line in self.opening_hours.splitlines() if line.strip()]

    def hours_lines(self) -> list[str]:
        """The weekly opening hours in words ("Monday to Friday, 8:30 am to 5 pm"), from the rows."""
        from clinic.hours import Schedule, describe

        week = {row.weekday: (row.opens, row.closes) for row in self.hours.all()}
        return describe(Schedule(self.time_zone, week)) if week else []


class OpeningHours(models.Model):
    """When an office is open on one weekday, in the office's time zone (closing after opening: hours
    spanning midnight are not supported). A weekday with no row is a closed day."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["office", "weekday"]
        verbose_name = "opening hours"
        verbose_name_plural = "opening hours"
        constraints = [
            models.UniqueConstraint(
                fields=["office", "weekday"],
                name="one_opening_hours_per_office_and_weekday",
                violation_error_message="This office already has opening hours on that day.",
            ),
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")),
                name="opening_hours_close_after_opening",
                violation_error_message="The office must close after it opens (hours past midnight are not supported).",
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ClosedDay(models.Model):
    """A day an office (or, with no office, every office) stays closed: a holiday, a training day."""

    date = models.DateField()
    office = models.ForeignKey(
        Office,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closed_days",
        help_text="Leave blank when every office is closed.",
    )
    reason = models.CharField(max_length=200, blank=True, help_text="e.g. “Thanksgiving”. Shown to staff only.")

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "office"],
                name="one_closed_day_per_office_and_date",
                violation_error_message="That office is already closed on that day.",
            ),
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(office__isnull=True),
                name="one_all_offices_closed_day_per_date",
                violation_error_message="Every office is already closed on that day.",
            ),
        ]

    def __str__(self):
        where = self.office.label if self.office_id else "all offices"
        return f"{self.date:%Y-%m-%d} ({where})"


class RunClaim(models.Model):
    """A job claimed for one period, e.g. the daily digest for 2026-12-02 (clinic.locks.once_per).

    The unique key/period pair is the lock: however many beats or workers ask, one insert wins.
    """

    key = models.CharField(max_length=100)
    period = models.DateField()
    owner = models.CharField(max_length=255, help_text="Who claimed it, e.g. the Celery task id.")
    claimed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "period"], name="one_claim_per_key_and_period")]

    def __str__(self):
        return f"{self.key} {self.period:%Y-%m-%d} by {self.owner}"
