"""Reading after sending: from the patient's own answers, never from the staff-only rubric."""

import re

import pytest
from django.utils import timezone

from articles.models import Article
from intake.models import Inquiry
from tests.intake.conftest import candidate_data

pytestmark = pytest.mark.django_db


def thanks_page(client) -> str:
    """The thank-you page without what differs between two inquiries (reference, name, times)."""
    html = client.get("/thanks/").content.decode()
    html = re.sub(r"KN-\d{4}-\d{6}", "KN-REF", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.mark.parametrize("duration", ["lt3m", "gt5y"])
def test_no_rubric_type_changes_what_the_patient_sees(client, offices, django_capture_on_commit_callbacks, duration):
    Article.objects.create(
        title="Bone marrow", slug="bm", summary="s", body="b", status="published", published_on=timezone.localdate()
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/candidate/", candidate_data(duration=duration, onset="not_sure"))
    inquiry = Inquiry.objects.get()
    pages = set()
    for suggested_type in (None, 1, 2, 3):
        Inquiry.objects.filter(pk=inquiry.pk).update(suggested_type=suggested_type)
        pages.add(thanks_page(client))
    assert len(pages) == 1
    (page,) = pages
    assert "Bone marrow" in page and 'href="/treatments/"' in page
    for slug in ("dextrose-prolotherapy", "platelet-rich-plasma", "bone-marrow-aspirate"):
        assert f'href="/treatments/{slug}/"' not in page  # never one treatment picked for them


def test_long_standing_pain_gets_the_case_histories_and_the_articles(
    client, offices, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    call_command("load_content", verbosity=0)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/candidate/", candidate_data(duration="gt5y"))
    page = client.get("/thanks/").content.decode()
    assert "Case histories" in page and page.count('href="/case-studies/') >= 3
    assert page.count('href="/articles/') >= 2


def test_recent_pain_gets_the_articles_without_case_histories(client, offices, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/candidate/", candidate_data(duration="lt3m", onset="recent_injury"))
    assert "Case histories" not in client.get("/thanks/").content.decode()
