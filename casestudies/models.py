"""The clinic's published case histories, with the pain figures their source reports.

Only figures the source states are recorded. A value the source does not give is a missing row or
a null field, never a guess; where the source gives one figure without naming a knee, it is recorded
for both knees with `knee_given` off, and the pages say so.
"""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from articles.models import Article, Author, Reference, Treatment
from clinic.models import LoadedContent

INTENSITY_MAX = 10
FREQUENCY_MAX = 100

# Shown next to every case history and case card; each case's copy can be edited in admin.
DEFAULT_DISCLOSURE = (
    "This is one patient's experience, not a typical result and not a prediction of yours. The case "
    "histories are a case series published by the clinic's own physicians, with no control group."
)


class Knee(models.TextChoices):
    RIGHT = "right", "Right knee"
    LEFT = "left", "Left knee"


class CaseStudyQuerySet(models.QuerySet):
    def for_cards(self):
        """Everything a card shows (treatments, the headline's measurements) in three queries."""
        return self.prefetch_related("treatments", "measurements")


class CaseStudy(LoadedContent):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"

    class Knees(models.TextChoices):
        BOTH = "both", "Both knees"
        RIGHT = "right", "Right knee"
        LEFT = "left", "Left knee"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    number = models.PositiveSmallIntegerField(
        help_text='The case\'s number in the source, e.g. 1 for "Case history 1".'
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in lists; lowest first.")
    patient_age = models.PositiveSmallIntegerField(validators=[MaxValueValidator(120)])
    patient_sex = models.CharField(max_length=6, choices=Sex.choices)
    knees = models.CharField("knees affected", max_length=5, choices=Knees.choices)
    condition = models.CharField(
        max_length=100, help_text='Short, for cards and search engines, e.g. "Knee osteoarthritis".'
    )
    presenting_history = models.TextField(help_text="In the source's words; one point per line.")
    prior_treatments = models.TextField(blank=True, help_text="In the source's words; blank where it gives none.")
    diagnosis = models.CharField(max_length=200, blank=True, help_text="As the source gives it; blank where none.")
    outcome = models.TextField(help_text="In the source's words.")
    follow_up = models.CharField(
        max_length=300,
        blank=True,
        help_text="How long after treatment the outcome was reported or held, in the source's words, e.g. "
        '"These gains were maintained for nine months."',
    )
    evidence = models.TextField(
        help_text="What kind of evidence this is, e.g. one patient from a case series, patient-reported, no control "
        "group."
    )
    disclosure = models.TextField(
        "endorsement disclosure",
        default=DEFAULT_DISCLOSURE,
        help_text="Shown next to the case history and its card. The file loader leaves it as edited here.",
    )
    last_reviewed_on = models.DateField("page last reviewed", null=True, blank=True)
    reviewer = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_case_studies"
    )
    next_review_due = models.DateField(null=True, blank=True)
    # SET_NULL: a case history outlives a reference list being rewritten; the loader relinks it.
    source = models.ForeignKey(Reference, null=True, blank=True, on_delete=models.SET_NULL, related_name="case_studies")
    treatments = models.ManyToManyField(Treatment, blank=True, related_name="case_studies")
    related_articles = models.ManyToManyField(Article, blank=True, related_name="case_studies")

    objects = CaseStudyQuerySet.as_manager()

    class Meta:
        ordering = ["order", "number"]
        verbose_name_plural = "case studies"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("casestudies:detail", args=[self.slug])

    @property
    def patient(self) -> str:
        """e.g. "69-year-old man"."""
        noun = {self.Sex.MALE: "man", self.Sex.FEMALE: "woman"}[self.patient_sex]
        return f"{self.patient_age}-year-old {noun}"

    def presenting_lines(self) -> list[str]:
        return [line.strip() for line in self.presenting_history.splitlines() if line.strip()]

    def prior_treatment_lines(self) -> list[str]:
        return [line.strip() for line in self.prior_treatments.splitlines() if line.strip()]

    @property
    def headline(self) -> str:
        """The figures the source gives just before the treatment described and at its end, e.g.
        "before: right knee 7/10, left knee 4/10; after: “completely free of pain or stiffness in both knees”".

        Built only from the measurements marked `headline` "before" / "after" in the case file (uses the
        prefetched `measurements` when there): figures as stated, the source's words where it gives
        words, and one figure for both knees said so.
        """
        parts = []
        for role in (PainMeasurement.Headline.BEFORE, PainMeasurement.Headline.AFTER):
            rows = [m for m in self.measurements.all() if m.headline == role]
            if rows:
                parts.append(f"{rows[0].point_label}: {describe_figures(rows)}")
        return "; ".join(parts)


def describe_figures(rows) -> str:
    """The figures of one point in words, e.g. "right knee 7/10 (90% of the time), left knee 4/10 (30%
    of the time)" or "4/10, 20% of the time (one figure for both knees)"."""

    def one(m) -> str:
        if m.intensity is None and m.frequency is None:
            return f"“{m.stated_as}”, in the patient's words"
        figures = [f"{m.intensity}/10" if m.intensity is not None else ""]
        if m.frequency is not None:
            figures.append(f"{m.frequency}% of the time")
        return ", ".join(f for f in figures if f)

    rows = sorted(rows, key=lambda m: m.knee != Knee.RIGHT)
    if len(rows) == 2 and one(rows[0]) == one(rows[1]) and (rows[0].stated_as or not rows[0].knee_given):
        shared = one(rows[0])
        if rows[0].intensity is None and rows[0].frequency is None:
            return shared
        return f"{shared} (one figure for both knees)"
    return ", ".join(f"{Knee(m.knee).label.lower()} {one(m)}" for m in rows)


class TreatmentStep(models.Model):
    """One part of the treatment course: how many sessions, of what, at what interval, as the source says."""

    class Kind(models.TextChoices):
        BONE_MARROW_WITH_DEXTROSE = "bone-marrow-dextrose", "Bone marrow with dextrose Prolotherapy"
        BONE_MARROW_ALONE = "bone-marrow", "Bone marrow alone (without dextrose Prolotherapy)"
        DEXTROSE = "dextrose", "Dextrose Prolotherapy"
        PRP = "prp", "Platelet-rich plasma (PRP)"

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    sessions = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How many treatments; blank where the source does not say."
    )
    interval = models.CharField(
        max_length=100, blank=True, help_text='As the source gives it, e.g. "at two month intervals".'
    )
    period = models.CharField(max_length=100, blank=True, help_text='As the source gives it, e.g. "over five years".')
    timing = models.CharField(
        max_length=100, blank=True, help_text='When it began, as the source gives it, e.g. "Four months later".'
    )
    description = models.TextField(help_text="The source's words for this step.")
    result = models.TextField(blank=True, help_text="What the source reports during or after this step, its words.")

    class Meta:
        ordering = ["case", "order"]

    def __str__(self):
        return self.summary

    @property
    def summary(self) -> str:
        """e.g. "5 × bone marrow with dextrose Prolotherapy, at two month intervals"."""
        what = self.get_kind_display()
        parts = [f"{self.sessions} × {what[0].lower()}{what[1:]}" if self.sessions else what]
        parts += [text for text in (self.interval, self.period) if text]
        return ", ".join(parts)


def _pain_figure(verbose_name: str, maximum: int) -> models.PositiveSmallIntegerField:
    """A pain figure from 0 to `maximum`, blank where the source gives none."""
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[MaxValueValidator(maximum)],
        help_text="Blank where the source gives none.",
    )


# A measurement's own fields, in the admin form's order (the loader reads and compares the same set).
MEASUREMENT_FIELDS = [
    "knee",
    "point_order",
    "point_label",
    "intensity",
    "frequency",
    "knee_given",
    "stated_as",
    "headline",
    "source_sentence",
]


class PainMeasurement(models.Model):
    """A pain figure for one knee at a labelled point in the course, as the source reports it, or the
    source's words where it gives words and no figure ("free of pain")."""

    class Headline(models.TextChoices):
        BEFORE = "before", "Before the treatment described"
        AFTER = "after", "After it"

    case = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="measurements")
    knee = models.CharField(max_length=5, choices=Knee.choices)
    point_order = models.PositiveSmallIntegerField(help_text="Order of the point in the course; 1 is the first.")
    point_label = models.CharField(max_length=100, help_text='e.g. "At presentation", "Third bone marrow treatment".')
    intensity = _pain_figure("pain intensity (0–10)", INTENSITY_MAX)
    frequency = _pain_figure("pain frequency (% of the time)", FREQUENCY_MAX)
    knee_given = models.BooleanField(
        "source names the knee",
        default=True,
        help_text="Off where the source gives one figure without naming a knee; it is then recorded for both.",
    )
    stated_as = models.CharField(
        max_length=200, blank=True, help_text='The source\'s words where they are not a number, e.g. "free of pain".'
    )
    source_sentence = models.TextField(
        blank=True, help_text="The source's sentence this figure is taken from, word for word."
    )
    headline = models.CharField(
        max_length=6,
        choices=Headline.choices,
        blank=True,
        help_text="Shown in the headline and cards: the figure just before the treatment described, and after it.",
    )

    class Meta:
        ordering = ["case", "point_order", "knee"]
        constraints = [
            models.UniqueConstraint(fields=["case", "knee", "point_order"], name="one_measurement_per_knee_and_point"),
            models.CheckConstraint(
                condition=Q(intensity__isnull=True) | Q(intensity__gte=0, intensity__lte=INTENSITY_MAX),
                name="pain_intensity_0_to_10",
                violation_error_message="Pain intensity must be between 0 and 10.",
            ),
            models.CheckConstraint(
                condition=Q(frequency__isnull=True) | Q(frequency__gte=0, frequency__lte=FREQUENCY_MAX),
                name="pain_frequency_0_to_100",
                violation_error_message="Pain frequency must be between 0 and 100%.",
            ),
            models.CheckConstraint(
                condition=Q(intensity__isnull=False) | Q(frequency__isnull=False) | ~Q(stated_as=""),
                name="pain_measurement_has_a_value_or_words",
                violation_error_message="Give a pain intensity, a pain frequency, or the source's words.",
            ),
        ]

    def __str__(self):
        return f"{self.get_knee_display()}, {self.point_label}"
