"""Loading the case histories from content/case-studies/*.yaml (run by `manage.py load_content`).

Links to other apps' rows (the source reference, treatments, related articles) are resolved by
natural key: article slug + reference number, and slugs. A link whose target is not loaded yet is
left out and reported ("missing ..."); the case loads anyway, and a later load adds the link.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from articles.models import Article, Author, Reference, Treatment
from clinic.content import CREATED, UNCHANGED, UPDATED, LoadReport, load_yaml, sync_row

from .models import MEASUREMENT_FIELDS, CaseStudy, Knee, PainMeasurement, TreatmentStep

MISSING = "missing"  # a link the file names but whose target row does not exist (yet)

FIELDS = [
    "title",
    "number",
    "order",
    "patient_age",
    "patient_sex",
    "knees",
    "condition",
    "presenting_history",
    "prior_treatments",
    "diagnosis",
    "outcome",
    "follow_up",
    "evidence",
]
STEP_FIELDS = ["kind", "sessions", "interval", "period", "timing", "description", "result"]
REVIEW_FIELDS = ["last_reviewed_on", "next_review_due"]


@transaction.atomic
def load_case_studies(content_dir: Path, report: LoadReport, *, force: bool = False) -> None:
    """Create or update a CaseStudy, its treatment steps and pain measurements per file.

    Inputs: `content_dir` (the files are `case-studies/*.yaml` under it), the `report` to add a row to
    per case (and per missing link), `force` to overwrite cases edited in admin.
    Side effects: writes CaseStudy, TreatmentStep and PainMeasurement rows and the case's links.
    Safe to rerun: an unchanged file changes nothing, and a case edited in admin is left alone.
    """
    for path in sorted((content_dir / "case-studies").glob("*.yaml")):
        data = load_yaml(path)
        slug = data["slug"]
        label = f"case study {slug}"
        try:
            _load_one(data, slug=slug, label=label, report=report, force=force)
        except (KeyError, ValueError, ValidationError) as exc:
            raise ValueError(f"{path}: {exc!r}") from exc


def _load_one(data: dict, *, slug: str, label: str, report: LoadReport, force: bool) -> None:
    values = {name: data.get(name, "") for name in FIELDS}
    review = data.get("review") or {}
    values.update({name: review.get(name) for name in REVIEW_FIELDS})
    source = _resolve_source(data.get("source"), label=label, report=report)
    treatments = _resolve_slugs(Treatment, data.get("treatments", []), what="treatment", label=label, report=report)
    articles = _resolve_slugs(
        Article, data.get("related_articles", []), what="related article", label=label, report=report
    )
    values["reviewer"] = Author.objects.filter(slug=review.get("reviewer") or "").first()
    if review.get("reviewer") and values["reviewer"] is None:
        report.add(MISSING, f"{label}: reviewer {review['reviewer']!r} not found; loaded without a reviewer")
    steps = [{"order": i, **{f: step.get(f, _blank(f)) for f in STEP_FIELDS}} for i, step in enumerate(data["course"])]
    measurements = _measurement_rows(data.get("measurements", []))
    related = {
        "source": _source_key(source),
        "treatments": sorted(t.slug for t in treatments),
        "related_articles": sorted(a.slug for a in articles),
        "steps": steps,
        "measurements": measurements,
    }
    case, status = sync_row(
        CaseStudy, lookup={"slug": slug}, values=values, related=related, current_related=_snapshot, force=force
    )
    if status in (CREATED, UPDATED):
        case.source = source
        case.save(update_fields=["source"])
        case.treatments.set(treatments)
        case.related_articles.set(articles)
        case.steps.all().delete()
        case.measurements.all().delete()
        for row in steps:
            _create(TreatmentStep, case=case, **row)
        for row in measurements:
            _create(PainMeasurement, case=case, **row)
    elif status == UNCHANGED and case.source_id is None and source is not None:
        # The reference row was replaced (its article's reference list reloaded): point at the new one.
        case.source = source
        case.save(update_fields=["source"])
        status = UPDATED
    report.add(status, label)


def _create(model, **values):
    row = model(**values)
    row.full_clean()
    row.save()
    return row


def _blank(field: str):
    return None if field == "sessions" else ""


def _measurement_rows(points: list[dict]) -> list[dict]:
    """Rows for PainMeasurement from the file's points.

    Each point gives figures under `right` / `left` (the source names the knee), `both` (the source
    states it of both knees) or `knee_not_given` (one figure, no knee named: recorded for both knees,
    flagged). A knee with no figure at a point gets no row.
    """
    rows = []
    for order, point in enumerate(points, start=1):
        for key, knees, knee_given in [
            ("right", [Knee.RIGHT], True),
            ("left", [Knee.LEFT], True),
            ("both", [Knee.RIGHT, Knee.LEFT], True),
            ("knee_not_given", [Knee.RIGHT, Knee.LEFT], False),
        ]:
            figures = point.get(key)
            if not figures:
                continue
            for knee in knees:
                rows.append(
                    {
                        "knee": str(knee),
                        "point_order": order,
                        "point_label": point["point"],
                        "intensity": figures.get("intensity"),
                        "frequency": figures.get("frequency"),
                        "knee_given": knee_given,
                        "stated_as": figures.get("stated_as", ""),
                        "source_sentence": " ".join(str(point.get("sentence") or "").split()),
                        "headline": point.get("headline", ""),
                    }
                )
    return sorted(rows, key=lambda r: (r["point_order"], r["knee"]))


def _snapshot(case: CaseStudy) -> dict:
    """The same shape as `related` in _load_one, read from the database."""
    return {
        "source": _source_key(case.source),
        "treatments": sorted(case.treatments.values_list("slug", flat=True)),
        "related_articles": sorted(case.related_articles.values_list("slug", flat=True)),
        "steps": [
            {"order": step["order"], **{f: step[f] for f in STEP_FIELDS}}
            for step in case.steps.order_by("order").values("order", *STEP_FIELDS)
        ],
        "measurements": list(case.measurements.order_by("point_order", "knee").values(*MEASUREMENT_FIELDS)),
    }


def _source_key(reference: Reference | None):
    return [reference.article.slug, reference.number] if reference else None


def _resolve_source(spec: dict | None, *, label: str, report: LoadReport) -> Reference | None:
    if not spec:
        return None
    reference = (
        Reference.objects.select_related("article")
        .filter(article__slug=spec["article"], number=spec["reference"])
        .first()
    )
    if reference is None:
        report.add(
            MISSING,
            f"{label}: source reference {spec['reference']} of article {spec['article']!r} not found; "
            "loaded without its source (load the articles first)",
        )
    return reference


def _resolve_slugs(model, slugs: list[str], *, what: str, label: str, report: LoadReport) -> list:
    found = {row.slug: row for row in model.objects.filter(slug__in=slugs)}
    for slug in slugs:
        if slug not in found:
            report.add(MISSING, f"{label}: {what} {slug!r} not found; loaded without that link")
    return [found[slug] for slug in slugs if slug in found]
