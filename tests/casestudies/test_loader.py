import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from casestudies.loader import MISSING
from casestudies.models import CaseStudy, PainMeasurement, TreatmentStep
from clinic.content import CREATED, SKIPPED, UNCHANGED, UPDATED

from .factory import BONE_MARROW_ARTICLE, CASE_1, CASE_2, CASE_3, load_cases, make_linked_rows, make_reference

pytestmark = pytest.mark.django_db

# Every pain figure in the source, and nothing else: (point, knee, intensity, frequency, knee given).
SOURCE_FIGURES = {
    CASE_1: {
        ("At presentation", "left", 4, 30, True),
        ("At presentation", "right", 7, 90, True),
        # "completely free of pain or stiffness in both knees": words, no figure (issue 15: not 0/10).
        ("Two months after the final (fifth) treatment", "left", None, None, True),
        ("Two months after the final (fifth) treatment", "right", None, None, True),
    },
    CASE_2: {
        # No figures at presentation; later figures are not per knee.
        ("Final dextrose Prolotherapy visit, before the PRP and bone marrow treatments", "left", 4, 100, False),
        ("Final dextrose Prolotherapy visit, before the PRP and bone marrow treatments", "right", 4, 100, False),
        ("Third bone marrow treatment", "left", 2, 30, False),
        ("Third bone marrow treatment", "right", 2, 30, False),
    },
    CASE_3: {
        ("At presentation", "left", 4, None, True),
        ("At presentation", "right", 5, None, True),
        ("After the first month of dextrose Prolotherapy", "left", 2, None, False),
        ("After the first month of dextrose Prolotherapy", "right", 2, None, False),
        ("One year after the final Prolotherapy, before the bone marrow treatments", "left", 4, 20, False),
        ("One year after the final Prolotherapy, before the bone marrow treatments", "right", 4, 20, False),
        ("Second bone marrow treatment", "left", 1, 20, False),
        ("Second bone marrow treatment", "right", 1, 20, False),
        # "free of pain": words, no figure (issue 15: not 0/10).
        ("Eight months after the final treatment", "left", None, None, False),
        ("Eight months after the final treatment", "right", None, None, False),
    },
}

# The course as the source gives it: (sessions, what, interval, period).
SOURCE_COURSES = {
    CASE_1: [(5, "bone-marrow-dextrose", "at two month intervals", "")],
    CASE_2: [
        (29, "dextrose", "", "over five years"),
        (None, "prp", "", ""),
        (3, "bone-marrow", "at 2–3 month intervals", ""),
    ],
    CASE_3: [(6, "dextrose", "", "over a ten month period"), (2, "bone-marrow-dextrose", "five months apart", "")],
}


def figures(slug):
    return set(
        PainMeasurement.objects.filter(case__slug=slug).values_list(
            "point_label", "knee", "intensity", "frequency", "knee_given"
        )
    )


def test_the_three_case_histories_hold_exactly_the_sources_figures():
    make_linked_rows()
    load_cases()
    assert list(CaseStudy.objects.values_list("slug", "number", "patient_age", "patient_sex")) == [
        (CASE_1, 1, 69, "male"),
        (CASE_2, 2, 56, "male"),
        (CASE_3, 3, 69, "female"),
    ]
    for slug, expected in SOURCE_FIGURES.items():
        assert figures(slug) == expected, slug


def test_the_treatment_course_is_recorded_as_the_source_gives_it():
    load_cases()
    for slug, expected in SOURCE_COURSES.items():
        steps = TreatmentStep.objects.filter(case__slug=slug).order_by("order")
        assert list(steps.values_list("sessions", "kind", "interval", "period")) == expected, slug
    case_2_bone_marrow = TreatmentStep.objects.get(case__slug=CASE_2, kind="bone-marrow")
    assert case_2_bone_marrow.timing == "Three months after plasma treatment"
    assert "(without dextrose prolotherapy)" in case_2_bone_marrow.description


def test_links_resolve_by_article_slug_reference_number_and_treatment_slug():
    rows = make_linked_rows()
    report = load_cases()
    assert not [label for status, label in report.rows if status == MISSING]
    case = CaseStudy.objects.get(slug=CASE_2)
    assert case.source == rows["reference"]
    assert set(case.treatments.values_list("slug", flat=True)) == {
        "dextrose-prolotherapy",
        "platelet-rich-plasma",
        "bone-marrow-aspirate",
    }
    assert set(case.related_articles.values_list("slug", flat=True)) == {
        BONE_MARROW_ARTICLE,
        "why-stem-cell-therapy-did-not-work-knee-pain",
    }
    # The reverse names the articles app's templates use.
    assert rows["articles"][0].case_studies.count() == 3
    assert rows["treatments"][1].case_studies.get() == case


def test_missing_links_are_reported_and_the_cases_load_without_them():
    report = load_cases()
    assert CaseStudy.objects.count() == 3
    assert CaseStudy.objects.filter(source__isnull=True).count() == 3
    missing = [label for status, label in report.rows if status == MISSING]
    assert f"case study {CASE_1}: source reference 2 of article '{BONE_MARROW_ARTICLE}' not found" in missing[0]
    assert any("treatment 'platelet-rich-plasma' not found; loaded without that link" in m for m in missing)


def test_links_are_added_once_the_articles_are_loaded():
    load_cases()
    rows = make_linked_rows()
    report = load_cases()
    assert report.count(UPDATED) == 3
    case = CaseStudy.objects.get(slug=CASE_3)
    assert case.source == rows["reference"]
    assert case.treatments.count() == 2
    assert load_cases().count(UNCHANGED) == 3


def test_loading_twice_changes_nothing():
    make_linked_rows()
    assert load_cases().count(CREATED) == 3
    before = list(PainMeasurement.objects.values())
    report = load_cases()
    assert report.count(UNCHANGED) == 3 and not [s for s, _ in report.rows if s != UNCHANGED]
    assert list(PainMeasurement.objects.values()) == before


def test_an_editors_change_is_kept_and_reported(tmp_path, settings):
    shutil.copytree(settings.CONTENT_DIR, tmp_path / "content")
    make_linked_rows()
    load_cases(tmp_path / "content")
    PainMeasurement.objects.filter(case__slug=CASE_1, point_order=1, knee="left").update(frequency=35)
    path = tmp_path / "content" / "case-studies" / "01-case-history-1.yaml"
    path.write_text(path.read_text().replace("69-year-old man with", "69-year-old man, with"))
    report = load_cases(tmp_path / "content")
    assert (SKIPPED, f"case study {CASE_1}") in report.rows
    assert PainMeasurement.objects.get(case__slug=CASE_1, point_order=1, knee="left").frequency == 35

    load_cases(tmp_path / "content", force=True)
    assert PainMeasurement.objects.get(case__slug=CASE_1, point_order=1, knee="left").frequency == 30
    assert CaseStudy.objects.get(slug=CASE_1).title.startswith("Case history 1: a 69-year-old man, with")


def test_a_changed_file_updates_the_figures(tmp_path, settings):
    shutil.copytree(settings.CONTENT_DIR, tmp_path / "content")
    load_cases(tmp_path / "content")
    path = tmp_path / "content" / "case-studies" / "02-case-history-2.yaml"
    path.write_text(path.read_text().replace("{intensity: 2, frequency: 30}", "{intensity: 2}"))
    report = load_cases(tmp_path / "content")
    assert (UPDATED, f"case study {CASE_2}") in report.rows
    assert set(
        PainMeasurement.objects.filter(case__slug=CASE_2, point_order=2).values_list("frequency", flat=True)
    ) == {None}


def test_a_replaced_reference_is_relinked_on_the_next_load():
    rows = make_linked_rows()
    load_cases()
    # The articles loader rewrote the article's reference list: the case's link was set to null.
    rows["reference"].delete()
    assert CaseStudy.objects.filter(source__isnull=True).count() == 3
    new = make_reference(rows["articles"][0])
    report = load_cases()
    assert report.count(UPDATED) == 3
    assert set(CaseStudy.objects.values_list("source", flat=True)) == {new.pk}


def test_a_bad_figure_in_a_file_stops_the_load_and_names_the_file(tmp_path, settings):
    shutil.copytree(settings.CONTENT_DIR, tmp_path / "content")
    path = tmp_path / "content" / "case-studies" / "01-case-history-1.yaml"
    path.write_text(path.read_text().replace("{intensity: 7, frequency: 90}", "{intensity: 11, frequency: 90}"))
    with pytest.raises(ValueError, match="01-case-history-1.yaml"):
        load_cases(tmp_path / "content")


def test_load_content_loads_the_case_histories_linked_to_the_articles_content():
    out = StringIO()
    call_command("load_content", stdout=out)
    assert CaseStudy.objects.count() == 3
    assert f"created case study {CASE_1}" in out.getvalue()
    assert "missing" not in out.getvalue()
    for case in CaseStudy.objects.select_related("source__article"):
        assert case.source.number == 2 and case.source.authors.startswith("Hauser RA, Orlofsky A")
        assert case.source.article.slug == "bone-marrow-aspirate-prolotherapy-knee-pain"
        assert case.related_articles.filter(slug="bone-marrow-aspirate-prolotherapy-knee-pain").exists()
        assert case.treatments.filter(slug="bone-marrow-aspirate").exists()
