"""The staff reports (issue 19): inquiries per week, time to first contact and the funnel, over a
range of whole weeks (Monday to Sunday in the clinic's time zone), as plain tables.

Suspected spam (held_as_spam) is left out everywhere. An inquiry belongs to the week it was
submitted in, and so do its contact attempts and its current status (a cohort).

- Time to first contact: the first logged ContactAttempt's `at` minus the inquiry's `submitted_at`,
  in hours; inquiries without an attempt are counted but have no time. Per staff member: who logged
  that first attempt ("former staff" when the account was removed).
- The funnel: received → contacted → scheduled, and not a candidate and closed. The status history
  is only in the audit log, so the funnel reads the current status and the attempts:
  **contacted** = a logged attempt reached the person ("Reached them") or the status is now
  contacted or scheduled (a move to contacted needs a logged attempt); **scheduled**, **not a
  candidate**, **closed** and **open** (new or in review) = the current status. An inquiry closed
  without reaching anyone counts as closed, not contacted. Rates are of the inquiries received.
- Treatment of interest: the treatments of the article the inquiry was sent from (Article.treatments);
  an inquiry from an article about two treatments counts under both. The treatments a person tried
  are encrypted health details and are not read here.

Every figure comes from three queries, whatever the number of inquiries: one groups the inquiries
by week, kind, office, article and suggested type with the funnel's counts (the weekly tables and
the funnel by type are sums of its groups), one lists the contact attempts (the percentiles are
computed here), one reads which treatments the articles are about.
"""

import math
import statistics
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from articles.models import Article
from intake.models import ContactAttempt, Inquiry

DEFAULT_WEEKS = 12
MAX_WEEKS = 104
FORMER_STAFF = "former staff"
NO_OFFICE = "Either office, or remote"
NO_ARTICLE = "Not from an article"
NO_TYPE = "No suggestion"
NO_TREATMENT = "No treatment (no article, or an article about none)"
TOTAL = "Total"


@dataclass(frozen=True)
class Table:
    """A report's table: `headers`, then rows whose first cell names the row. `key` names its CSV."""

    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    start: date  # a Monday
    end: date  # a Sunday
    weeks: list[date]  # the Mondays
    received: int
    by_kind: Table
    by_office: Table
    by_article: Table
    first_contact_by_week: Table
    first_contact_by_staff: Table
    funnel_by_type: Table
    funnel_by_treatment: Table

    @property
    def tables(self) -> list[Table]:
        return [
            self.by_kind,
            self.by_office,
            self.by_article,
            self.first_contact_by_week,
            self.first_contact_by_staff,
            self.funnel_by_type,
            self.funnel_by_treatment,
        ]

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def default_range(today: date | None = None) -> tuple[date, date]:
    """The last DEFAULT_WEEKS weeks, this one included."""
    today = today or timezone.localdate()
    end = week_start(today) + timedelta(days=6)
    return end - timedelta(weeks=DEFAULT_WEEKS, days=-1), end


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between the closest ranks (as
    PostgreSQL's percentile_cont); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def build_report(start: date, end: date) -> Report:
    """The report for the weeks from the one holding `start` to the one holding `end` (three queries)."""
    start, end = week_start(start), week_start(end) + timedelta(days=6)
    weeks = [start + timedelta(weeks=i) for i in range((end - start).days // 7 + 1)]
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    inquiries = Inquiry.objects.filter(held_as_spam=False, submitted_at__gte=since, submitted_at__lt=until).order_by()

    groups = _groups(inquiries)
    by_kind = _weekly(groups, weeks, lambda g: g.kind, dict(Inquiry.Kind.choices))
    by_office = _weekly(groups, weeks, lambda g: g.office or NO_OFFICE)
    by_article = _weekly(groups, weeks, lambda g: g.article or NO_ARTICLE)
    week_headers = [*(w.isoformat() for w in weeks), TOTAL]
    submitted = [sum(row[i + 1] for row in by_kind) for i in range(len(weeks))]
    by_week_contact, by_staff_contact = _first_contact(inquiries, weeks, submitted)
    return Report(
        start=start,
        end=end,
        weeks=weeks,
        received=sum(submitted),
        by_kind=Table("by-kind", "Inquiries a week, by kind", ["Kind", *week_headers], by_kind),
        by_office=Table("by-office", "Inquiries a week, by office", ["Office", *week_headers], by_office),
        by_article=Table(
            "by-article", "Inquiries a week, by the article they came from", ["Article", *week_headers], by_article
        ),
        first_contact_by_week=Table(
            "first-contact-by-week",
            "Time to first contact (hours), by week submitted",
            ["Week of", "Inquiries", "With a contact attempt", "Median hours", "90th percentile hours"],
            by_week_contact,
        ),
        first_contact_by_staff=Table(
            "first-contact-by-staff",
            "Time to first contact (hours), by who made the first attempt",
            ["Staff member", "First attempts", "Median hours", "90th percentile hours"],
            by_staff_contact,
        ),
        funnel_by_type=Table(
            "funnel-by-type",
            "Funnel by suggested type",
            ["Suggested type", *FUNNEL_HEADERS],
            _funnel_by_type(groups),
        ),
        funnel_by_treatment=Table(
            "funnel-by-treatment",
            "Funnel by treatment of interest (the article's treatments)",
            ["Treatment of interest", *FUNNEL_HEADERS],
            _funnel_by_treatment(groups, inquiries),
        ),
    )


S = Inquiry.Status


@dataclass(frozen=True)
class Group:
    """The inquiries of one week, kind, office, article and suggested type, with the funnel's counts
    (received, contacted, scheduled, not a candidate, closed, still open)."""

    week: date
    kind: str
    office: str | None
    article_id: int | None
    article: str | None
    suggested_type: int | None
    funnel: tuple


def _groups(inquiries) -> list[Group]:
    """One query: the inquiries grouped, with the funnel's conditional counts."""
    reached = ContactAttempt.objects.filter(inquiry=OuterRef("pk"), outcome=ContactAttempt.Outcome.REACHED)
    rows = (
        inquiries.annotate(week=TruncWeek("submitted_at"), reached=Exists(reached))
        .values("week", "kind", "office__label", "article_id", "article__title", "suggested_type")
        .annotate(
            received=Count("pk"),
            contacted=Count("pk", filter=Q(reached=True) | Q(status__in=[S.CONTACTED, S.SCHEDULED])),
            scheduled=Count("pk", filter=Q(status=S.SCHEDULED)),
            not_a_candidate=Count("pk", filter=Q(status=S.NOT_A_CANDIDATE)),
            closed=Count("pk", filter=Q(status=S.CLOSED)),
            still_open=Count("pk", filter=Q(status__in=[S.NEW, S.IN_REVIEW])),
        )
        .values_list(
            "week",
            "kind",
            "office__label",
            "article_id",
            "article__title",
            "suggested_type",
            "received",
            "contacted",
            "scheduled",
            "not_a_candidate",
            "closed",
            "still_open",
        )
    )
    return [Group(_week_of(row[0]), *row[1:6], tuple(row[6:])) for row in rows]


def _week_of(moment: datetime) -> date:
    """The Monday of the week holding `moment`, in the clinic's time zone (aware or not, as
    TruncWeek returns it on each database)."""
    if not isinstance(moment, datetime):
        return week_start(moment)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return week_start(moment.date())


def _weekly(groups: list[Group], weeks: list[date], label, vocabulary: dict | None = None) -> list[list]:
    """Rows of [label, inquiries a week..., total], the largest first; with a `vocabulary` (a fixed
    list, e.g. the kinds) every one of its labels in its own order, even with no inquiry."""
    counts: dict[str, dict[date, int]] = {}
    for group in groups:
        name = label(group)
        name = vocabulary.get(name, name) if vocabulary else name
        per_week = counts.setdefault(name, {})
        per_week[group.week] = per_week.get(group.week, 0) + group.funnel[0]
    ordered = sorted(counts.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    if vocabulary:
        ordered = [(name, counts.get(name, {})) for name in vocabulary.values()]
    return [[name, *(per_week.get(w, 0) for w in weeks), sum(per_week.values())] for name, per_week in ordered]


def _first_contact(inquiries, weeks: list[date], submitted: list[int]) -> tuple[list[list], list[list]]:
    """Per week (`submitted`: inquiries a week) and per staff member: median and 90th percentile
    hours to the first attempt (one query: every attempt of the inquiries, in order)."""
    attempts = (
        ContactAttempt.objects.filter(inquiry__in=inquiries)
        .order_by("inquiry_id", "at", "pk")
        .values_list(
            "inquiry_id", "at", "inquiry__submitted_at", "by_id", "by__first_name", "by__last_name", "by__username"
        )
    )
    seen: set[int] = set()
    zone = timezone.get_current_timezone()
    mondays = [datetime.combine(w, time.min, tzinfo=zone) for w in weeks]  # the weeks' starts, to bisect
    by_week: dict[date, list[float]] = {w: [] for w in weeks}
    by_staff: dict[tuple, list[float]] = {}
    for inquiry_id, at, submitted_at, by_id, first, last, username in attempts:
        if inquiry_id in seen:  # only the first attempt of each inquiry counts
            continue
        seen.add(inquiry_id)
        hours = max((at - submitted_at).total_seconds() / 3600, 0)
        by_week[weeks[bisect_right(mondays, submitted_at) - 1]].append(hours)
        name = f"{first} {last}".strip() or username if by_id else FORMER_STAFF
        by_staff.setdefault((by_id is None, name, by_id or 0), []).append(hours)
    week_rows = [
        [w.isoformat(), n, len(by_week[w]), _hours(_median(by_week[w])), _hours(percentile(by_week[w], 90))]
        for w, n in zip(weeks, submitted, strict=True)
    ]
    staff_rows = [
        [name, len(hours), _hours(_median(hours)), _hours(percentile(hours, 90))]
        for (_, name, _), hours in sorted(by_staff.items())
    ]
    return week_rows, staff_rows


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


FUNNEL_HEADERS = [
    "Received",
    "Contacted",
    "Contacted %",
    "Scheduled",
    "Scheduled %",
    "Not a candidate",
    "Not a candidate %",
    "Closed",
    "Closed %",
    "Still open",
]


def _sum(funnels) -> tuple:
    return tuple(map(sum, zip(*funnels, strict=True))) if funnels else (0,) * 6


def _funnel_row(label: str, counts) -> list:
    received, contacted, scheduled, not_a_candidate, closed, still_open = counts
    return [
        label,
        received,
        contacted,
        _rate(contacted, received),
        scheduled,
        _rate(scheduled, received),
        not_a_candidate,
        _rate(not_a_candidate, received),
        closed,
        _rate(closed, received),
        still_open,
    ]


def _funnel_by_type(groups: list[Group]) -> list[list]:
    """Every suggested type in order, then no suggestion, then all together."""
    labels = [(value, f"Type {value}") for value in (1, 2, 3)] + [(None, NO_TYPE)]
    rows = [
        _funnel_row(label, _sum([g.funnel for g in groups if g.suggested_type == value])) for value, label in labels
    ]
    return [*rows, _funnel_row(TOTAL, _sum([g.funnel for g in groups]))]


def _funnel_by_treatment(groups: list[Group], inquiries) -> list[list]:
    """Every treatment the inquiries' articles are about, the largest first, then none (one query:
    which treatments those articles are about)."""
    about: dict[int, list[str]] = {}
    for article_id, name in Article.treatments.through.objects.filter(
        article_id__in=inquiries.values("article_id")
    ).values_list("article_id", "treatment__name"):
        about.setdefault(article_id, []).append(name)
    funnels: dict[str | None, list[tuple]] = {}
    for group in groups:
        for name in about.get(group.article_id) or [None]:
            funnels.setdefault(name, []).append(group.funnel)
    counts = {name: _sum(f) for name, f in funnels.items()}
    named = sorted(((k, v) for k, v in counts.items() if k is not None), key=lambda kv: (-kv[1][0], kv[0]))
    rows = [_funnel_row(name, c) for name, c in named]
    if None in counts:
        rows.append(_funnel_row(NO_TREATMENT, counts[None]))
    return rows
