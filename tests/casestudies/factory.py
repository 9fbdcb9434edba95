"""Small helpers that make the rows the case studies link to, and load the case histories."""

import datetime

from django.conf import settings

from articles.models import Article, Author, Reference, Treatment
from casestudies.loader import load_case_studies
from clinic.content import LoadReport

BONE_MARROW_ARTICLE = "bone-marrow-aspirate-prolotherapy-knee-pain"
STEM_CELL_ARTICLE = "why-stem-cell-therapy-did-not-work-knee-pain"
TREATMENTS = {
    "dextrose-prolotherapy": "Dextrose Prolotherapy",
    "platelet-rich-plasma": "Platelet Rich Plasma",
    "bone-marrow-aspirate": "Bone Marrow Aspirate",
}
CASE_1 = "case-history-1-69-year-old-man-both-knees"
CASE_2 = "case-history-2-56-year-old-weightlifter-both-knees"
CASE_3 = "case-history-3-69-year-old-woman-both-knees"


def make_treatment(slug: str) -> Treatment:
    return Treatment.objects.create(slug=slug, name=TREATMENTS.get(slug, slug), description="A treatment.")


def make_article(slug: str, *, title: str = "", published: bool = True) -> Article:
    return Article.objects.create(
        slug=slug,
        title=title or slug.replace("-", " ").capitalize(),
        summary="Summary.",
        body="Body.",
        status=Article.Status.PUBLISHED if published else Article.Status.DRAFT,
        published_on=datetime.date(2020, 1, 1) if published else None,
    )


def make_reference(article: Article, *, number: int = 2) -> Reference:
    return Reference.objects.create(
        article=article,
        number=number,
        authors="Hauser RA, Orlofsky A",
        title=(
            "Regenerative injection therapy with whole bone marrow aspirate for degenerative joint disease: "
            "a case series"
        ),
        journal="Clin Med Insights Arthritis Musculoskelet Disord",
        year=2013,
        date="2013 Sep 4",
        volume_pages="6:65-72",
    )


def make_linked_rows() -> dict:
    """Every row the case histories link to, as the articles loader will make them."""
    treatments = [make_treatment(slug) for slug in TREATMENTS]
    Author.objects.create(slug="ross-hauser", name="Ross Hauser", credentials="MD")  # the cases' reviewer
    bone_marrow = make_article(BONE_MARROW_ARTICLE, title="Bone Marrow Aspirate Prolotherapy for knee pain")
    stem_cell = make_article(STEM_CELL_ARTICLE, title="Why stem cell therapy did not or will not work for your knee")
    return {
        "treatments": treatments,
        "articles": [bone_marrow, stem_cell],
        "reference": make_reference(bone_marrow),
    }


def load_cases(content_dir=None, *, force: bool = False) -> LoadReport:
    report = LoadReport()
    load_case_studies(content_dir or settings.CONTENT_DIR, report, force=force)
    return report
