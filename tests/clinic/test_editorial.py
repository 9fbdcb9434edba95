"""Issue 15: the editorial policy page, the feed and favicon on every page, the treatment pages."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command

from articles.models import Treatment
from tests.articles.conftest import A000, A002, editor_notes, normalise

pytestmark = pytest.mark.django_db

PAGES = [
    *["/", "/articles/", f"/articles/{A000}/", "/treatments/", "/treatments/platelet-rich-plasma/"],
    *["/case-studies/", "/contact/", "/privacy/", "/editorial-policy/", "/search/?q=knee", "/candidate/"],
]
SOURCES = settings.CONTENT_DIR / "sources"


@pytest.fixture
def loaded(db):
    call_command("load_content", verbosity=0)


def test_the_editorial_policy_says_who_writes_reviews_how_often_corrections_and_interest(client, loaded):
    html = client.get("/editorial-policy/").content.decode()
    for heading in ["Who writes", "Figures and dates", "Who reviews, and how often", "How corrections are made",
                    "Conflict of interest"]:  # fmt: skip
        assert f">{heading}</h2>" in html
    for author in ["Ross Hauser, MD", "David N. Woznica, MD", "Danielle R. Steilen-Matias, MMS, PA-C"]:
        assert author in html
    assert "at least once a year" in html and "editor’s note" in html
    assert "case series published by the clinic’s own physicians" in html


@pytest.mark.parametrize("slug", [A000, A002])
def test_every_article_links_to_the_editorial_policy(client, loaded, slug):
    html = client.get(f"/articles/{slug}/").content.decode()
    header = html.split('<header class="article-header')[1].split("</header>")[0]
    assert 'href="/editorial-policy/"' in header


def test_every_page_advertises_the_feed_and_the_favicon(client, loaded):
    for path in PAGES:
        html = client.get(path).content.decode()
        head = html.split("</head>")[0]
        assert head.count('<link rel="alternate" type="application/atom+xml"') == 1, path
        assert 'href="/articles/feed/"' in head, path
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in head, path


def test_the_favicon_is_served_by_the_site(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    svg = (settings.BASE_DIR / "static" / "favicon.svg").read_text()
    assert svg.startswith("<svg") and "<script" not in svg


def test_each_treatment_page_quotes_only_the_clinics_words(client, loaded):
    source = normalise(" ".join(path.read_text(encoding="utf-8") for path in SOURCES.glob("*.txt")))
    for treatment in Treatment.objects.all():
        html = client.get(treatment.get_absolute_url()).content.decode()
        body = html.split('<div class="article-body treatment-body">')[1].split("</div>")[0]
        body = re.sub(r'<aside\b[^>]*class="editor-note.*?</aside>', " ", body, flags=re.S)
        quotes = re.findall(r"<blockquote>(.*?)</blockquote>", body, re.S)
        parts = [part for quote in quotes for part in re.findall(r"<(?:p|li)>([^<]+)", quote)]
        assert len(parts) >= 4, treatment.slug
        for part in parts:
            assert normalise(part) in source, (treatment.slug, part)
        assert ">What it is</h2>" in body and ">Who it may suit</h2>" in body
        assert "General patient type" in body, "the patient type guide, quoted"
        assert "may or may not work for your specific condition" in html.split("</main>")[0], "the disclaimer"
        assert ">Articles about " in html


def test_treatment_pages_list_their_articles_and_case_histories_with_the_disclosure(client, loaded):
    html = client.get("/treatments/platelet-rich-plasma/").content.decode()
    assert f'href="/articles/{A002}/"' in html
    cards = re.findall(r'<article class="card.*?</article>', html, re.S)
    assert len(cards) == 1 and "56-year-old" in cards[0]
    assert "not a typical result and not a prediction" in cards[0]
    html = client.get("/treatments/bone-marrow-aspirate/").content.decode()
    assert len(re.findall(r'<article class="card', html)) == 3
    assert any("whole bone marrow aspirate" in note for note in editor_notes(html))
