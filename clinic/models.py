from django.db import models


class LoadedContent(models.Model):
    """A row that `load_content` keeps in step with a file under content/.

    `content_fingerprint` is a hash of the values as last loaded from the file. When the row's
    current values no longer hash to it, an editor changed the row in admin, and the loader leaves
    it alone instead of silently overwriting the edit (see clinic.content.sync_row).
    """

    content_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True


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
        blank=True, help_text="One line per day range, e.g. “Mon–Fri 8:30 am–5 pm”. Shown on the contact page."
    )
    # Simple weekday hours (Monday to Friday), for the forms' "we aim to call you by ..." promise.
    # Office-hours admin (holidays, other days) is a later issue.
    weekday_opens = models.TimeField(null=True, blank=True)
    weekday_closes = models.TimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=40, default="America/New_York", help_text="e.g. America/Chicago")
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
        return [line.strip() for line in self.opening_hours.splitlines() if line.strip()]


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
