"""The public pages: lists, article, treatments, drafts, feed, sitemap, JSON-LD, conditional GETs."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from django.utils.http import http_date

from articles.models import Article

from .conftest import A000, A002
from .factories import make_article, make_author, make_treatment

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def jsonld_blocks(html):
    return [
        json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def test_article_list_shows_published_articles_newest_first_and_pages(client):
    for day in range(1, 13):
        make_article(slug=f"day-{day}", title=f"Day {day}", published_on=datetime.date(2024, 1, day))
    make_article(slug="a-draft", title="A draft", status=Article.Status.DRAFT)
    make_article(slug="future", title="Future", published_on=timezone.localdate() + datetime.timedelta(days=3))
    html = client.get("/articles/").content.decode()
    titles = re.findall(r'<h2 class="h5 mb-1"><a href="/articles/[^"]+/">([^<]+)</a>', html)
    assert titles == [f"Day {day}" for day in range(12, 2, -1)]
    assert "A draft" not in html and "Future" not in html
    page_2 = client.get("/articles/?page=2").content.decode()
    assert "Day 2" in page_2 and "Day 1" in page_2 and "Day 12" not in page_2


def test_article_list_filters_by_treatment(client, loaded):
    prp = make_treatment(slug="only-here", name="Only here")
    make_article(slug="filtered", title="Filtered article", treatments=[prp])
    html = client.get("/articles/?treatment=only-here").content.decode()
    assert "Filtered article" in html and "Bone Marrow Aspirate Prolotherapy" not in html
    assert 'aria-current="page">Only here</a>' in html
    assert client.get("/articles/?treatment=no-such-thing").status_code == 404
    assert client.get("/articles/?page=abc").status_code == 404


def test_treatment_page_lists_its_description_and_published_articles(client, loaded):
    html = client.get("/treatments/platelet-rich-plasma/").content.decode()
    assert "<h1>Platelet Rich Plasma</h1>" in html
    assert "healing factors found in your blood platelets" in html
    assert f'href="/articles/{A002}/"' in html
    listing = client.get("/treatments/").content.decode()
    for name in ["Dextrose Prolotherapy", "Platelet Rich Plasma", "Bone Marrow Aspirate"]:
        assert name in listing
    assert client.get("/treatments/unknown/").status_code == 404


def test_article_page_shows_authors_dates_calls_to_action_print_and_email(client, loaded):
    Article.objects.filter(slug=A002).update(
        last_reviewed_on=datetime.date(2025, 3, 1), updated_on=datetime.date(2025, 2, 1)
    )
    html = client.get(f"/articles/{A002}/").content.decode()
    assert "Ross Hauser, MD" in html and "Danielle R. Steilen-Matias, MMS, PA-C" in html
    # Issue 15: the source gives no publication date; the site's own date is labelled as such.
    assert 'First shown on this site <time datetime="2026-11-20">November 20, 2026</time>' in html
    assert ">Published <" not in html
    assert 'Updated <time datetime="2025-02-01">' in html
    assert '<dt>Page last reviewed</dt><dd><time datetime="2025-03-01">' in html
    assert "<dt>Medical reviewer</dt><dd>Ross Hauser, MD</dd>" in html and "<dt>Next review due</dt>" in html
    assert 'href="/editorial-policy/"' in html
    assert f'href="/ask/?article={A002}"' in html and 'href="/candidate/"' in html
    assert "data-print hidden>Print this article</button>" in html and "/static/js/print.js" in html
    assert 'href="mailto:?subject=Why%20stem%20cell' in html
    mailto = re.search(r'href="(mailto:[^"]+)"', html).group(1)
    assert mailto.endswith(f"%0A%0Ahttp%3A//127.0.0.1%3A8000/articles/{A002}/")
    assert f'<link rel="canonical" href="http://127.0.0.1:8000/articles/{A002}/">' in html
    assert '<meta property="og:title" content="Why stem cell therapy' in html
    # Article 000 has no named author: the clinic is.
    clinic_byline = 'By\n      Caring Medical Regenerative Medicine Clinics <span class="byline-note">(the clinic'
    assert clinic_byline in client.get(f"/articles/{A000}/").content.decode()


def test_article_page_json_ld_is_a_medical_web_page_with_authors_review_and_citations(client, loaded):
    Article.objects.filter(slug=A002).update(last_reviewed_on=datetime.date(2025, 3, 1))
    data = jsonld_blocks(client.get(f"/articles/{A002}/").content.decode())
    assert len(data) == 1
    page = data[0]
    assert page["@context"] == "https://schema.org" and page["@type"] == "MedicalWebPage"
    assert [a["name"] for a in page["author"]] == ["Ross Hauser", "David N. Woznica", "Danielle R. Steilen-Matias"]
    assert all(a["@type"] == "Person" for a in page["author"])
    assert page["lastReviewed"] == "2025-03-01"
    assert [c["@type"] for c in page["citation"]] == ["ScholarlyArticle"] * 5
    assert page["citation"][0]["sameAs"] == "https://doi.org/10.1016/j.biomaterials.2016.11.049"
    assert {t["name"] for t in page["about"]} == {
        "Dextrose Prolotherapy",
        "Platelet Rich Plasma",
        "Bone Marrow Aspirate",
    }
    clinic_page = jsonld_blocks(client.get(f"/articles/{A000}/").content.decode())[0]
    assert clinic_page["author"][0]["@type"] == "MedicalOrganization"
    # Issue 15: every article has a review date and a medical reviewer, in the page and the JSON-LD.
    assert page["reviewedBy"] == {
        "@type": "Person",
        "name": "Ross Hauser",
        "honorificSuffix": "MD",
        "affiliation": {"@type": "MedicalOrganization", "name": "Caring Medical Florida"},
    }
    assert clinic_page["lastReviewed"] == "2026-12-02" and clinic_page["reviewedBy"]["name"] == "Ross Hauser"
    Article.objects.filter(slug=A000).update(last_reviewed_on=None, reviewer=None)
    clinic_page = jsonld_blocks(client.get(f"/articles/{A000}/").content.decode())[0]
    assert "lastReviewed" not in clinic_page and "reviewedBy" not in clinic_page, "none is invented"


def test_a_draft_is_404_for_the_public_and_previewable_by_staff(client):
    draft = make_article(slug="draft", title="Draft title", status=Article.Status.DRAFT)
    assert client.get("/articles/draft/").status_code == 404
    assert "Draft title" not in client.get("/search/?q=draft").content.decode()
    visitor = User.objects.create_user("visitor", password="x")
    client.force_login(visitor)
    assert client.get("/articles/draft/").status_code == 404, "logged in is not enough"
    editor = User.objects.create_user("editor", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.get(draft.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200 and "Draft title" in html
    assert "<strong>Preview.</strong> This article is a draft" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_article_page_costs_the_same_queries_whatever_the_number_of_authors_and_references(
    client, django_assert_max_num_queries
):
    make_article(slug="small", authors=[make_author()], treatments=[make_treatment()], references=1)
    make_article(
        slug="big",
        authors=[make_author() for _ in range(6)],
        treatments=[make_treatment() for _ in range(3)],
        references=25,
        body=" ".join(f"Claim ({n})." for n in range(1, 26)),
    )
    # Last-Modified lookup, article, authors, treatments, references, offices in the footer, and
    # (once the case-studies app is merged) the related case histories.
    with django_assert_max_num_queries(7):
        small = client.get("/articles/small/")
    with django_assert_max_num_queries(7):
        big = client.get("/articles/big/")
    assert small.status_code == big.status_code == 200
    assert big.content.decode().count('class="backlink') == 25


def test_pages_answer_conditional_requests_with_304(client, loaded):
    for path in [f"/articles/{A002}/", "/articles/", "/articles/feed/"]:
        response = client.get(path)
        assert response.status_code == 200 and response["ETag"] and response["Last-Modified"], path
        assert client.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304, path
        assert client.get(path, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304, path
    for path in ["/treatments/", "/treatments/bone-marrow-aspirate/", "/search/?q=knee"]:
        response = client.get(path)
        assert client.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304, path


def test_a_changed_article_is_sent_again_not_304(client, loaded):
    path = f"/articles/{A002}/"
    first = client.get(path)
    Article.objects.filter(slug=A002).update(
        body_html="<p>Changed.</p>", modified_at=timezone.now() + datetime.timedelta(seconds=5)
    )
    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200 and "Changed." in again.content.decode()
    old = http_date((timezone.now() - datetime.timedelta(days=2)).timestamp())
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=old).status_code == 200


def test_atom_feed_is_valid_xml_with_the_published_articles(client, loaded):
    make_article(slug="draft", title="Secret draft", status=Article.Status.DRAFT)
    response = client.get("/articles/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    titles = {entry.find(f"{ATOM}title").text for entry in entries}
    assert titles == {"Bone Marrow Aspirate Prolotherapy for knee pain", Article.objects.get(slug=A002).title}
    links = {entry.find(f"{ATOM}link").get("href") for entry in entries}
    assert f"http://testserver/articles/{A000}/" in links
    authors = {entry.find(f"{ATOM}author/{ATOM}name").text for entry in entries}
    assert "Ross Hauser, MD, David N. Woznica, MD, Danielle R. Steilen-Matias, MMS, PA-C" in authors


def test_sitemap_lists_articles_treatments_and_the_lists_not_drafts(client, loaded):
    make_article(slug="draft-in-sitemap", status=Article.Status.DRAFT)
    root = ET.fromstring(client.get("/sitemap.xml").content)
    locations = {url.find(f"{SITEMAP}loc").text for url in root.findall(f"{SITEMAP}url")}
    for path in [f"/articles/{A000}/", f"/articles/{A002}/", "/treatments/dextrose-prolotherapy/",
                 "/treatments/platelet-rich-plasma/", "/treatments/bone-marrow-aspirate/", "/articles/",
                 "/treatments/", "/"]:  # fmt: skip
        assert f"http://testserver{path}" in locations
    assert not any("draft-in-sitemap" in loc for loc in locations)


def test_home_page_lists_the_treatments_and_latest_articles(client, loaded):
    html = client.get("/").content.decode()
    assert 'href="/treatments/bone-marrow-aspirate/"' in html and f'href="/articles/{A002}/"' in html


def test_lists_label_the_sites_own_date_and_never_call_it_published(client, loaded):
    for path in ["/articles/", "/treatments/platelet-rich-plasma/"]:
        html = client.get(path).content.decode()
        assert 'First shown on this site <time datetime="2026-11-20">' in html, path
        assert ">Published <" not in html, path
    Article.objects.filter(slug=A000).update(source_published_on=datetime.date(2019, 5, 1))
    assert 'Published <time datetime="2019-05-01">' in client.get("/articles/").content.decode()
