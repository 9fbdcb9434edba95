"""The case histories as cards (with their treatments, headline figures and related articles), as the
home page, the case-study list and the article, treatment and case pages show them.

Kept in each process's memory for one content version (clinic.pagecache.per_content_version), so a
page rendered afresh does not ask the database again for what only a content change alters.
"""

from django.db.models import Prefetch
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article
from clinic.pagecache import per_content_version

from . import charts
from .models import CaseStudy


@per_content_version
def cards() -> tuple[CaseStudy, ...]:
    """Every case history in list order, with what a card shows and its related articles (all of
    them: whether an article is public depends on the day, so callers check `is_public`)."""
    articles = Article.objects.only("id", "slug", "title", "status", "published_on")
    return tuple(CaseStudy.objects.for_cards().prefetch_related(Prefetch("related_articles", queryset=articles)))


def card(case_id: int) -> CaseStudy | None:
    return next((case for case in cards() if case.pk == case_id), None)


def about_article(article: Article) -> list[CaseStudy]:
    """The case histories related to an article."""
    return [case for case in cards() if any(a.pk == article.pk for a in case.related_articles.all())]


def with_treatment(treatment_id: int) -> list[CaseStudy]:
    """The case histories that used a treatment."""
    return [case for case in cards() if any(t.pk == treatment_id for t in case.treatments.all())]


@per_content_version
def charts_by_case() -> dict[int, tuple[tuple[charts.KneeChart, SafeString], ...]]:
    """Each case's pain charts with their SVG, drawn once per content version."""
    return {case.pk: draw_charts(case) for case in cards()}


def draw_charts(case: CaseStudy) -> tuple[tuple[charts.KneeChart, SafeString], ...]:
    knee_charts = charts.knee_charts(case.measurements.all(), id_prefix=f"case-{case.pk}")
    # The SVG is built with ElementTree, which escapes every text and attribute.
    return tuple((chart, mark_safe(chart.svg)) for chart in knee_charts)
