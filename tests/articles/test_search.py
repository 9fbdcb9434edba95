"""/search/: ranked full-text search with highlighted snippets, on SQLite and on PostgreSQL."""

import datetime
import re

import pytest
from django.db import connection

from articles.models import Article
from articles.search import search

from .conftest import A000, A002
from .factories import make_article

pytestmark = pytest.mark.django_db


def result_slugs(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return re.findall(r'<h2 class="h5 mb-1"><a href="/articles/([^/]+)/">', response.content.decode())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dextrose", [A002, A000]),
        ("bone marrow", [A000, A002]),
        ("stem cells", [A002, A000]),
        ("rugby", [A000]),
        ("periarticular", [A002]),
        ("platelet rich plasma", [A002, A000]),
    ],
)
def test_search_finds_the_right_articles_best_first(client, loaded, query, expected):
    assert result_slugs(client, query) == expected


def test_search_highlights_the_words_in_an_escaped_snippet(client, loaded):
    make_article(slug="escaped", title="Escaped", body="An editor wrote `<b>bold</b>` near the word zygomatic here.")
    html = client.get("/search/", {"q": "zygomatic"}).content.decode()
    snippet = re.search(r'<p class="search-snippet mb-0">(.*?)</p>', html, re.S).group(1)
    assert "<mark>zygomatic</mark>" in snippet
    # Escaped on SQLite; PostgreSQL's headline drops tag-like text itself. Never live markup.
    assert "bold" in snippet and "<b>" not in snippet
    html = client.get("/search/", {"q": "rugby"}).content.decode()
    assert "<mark>rugby</mark>" in html


def test_drafts_are_not_found(client, loaded):
    make_article(slug="hidden", title="Xylophone draft", status=Article.Status.DRAFT)
    assert result_slugs(client, "xylophone") == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "<script>alert(1)</script>",
        "'; DROP TABLE articles_article; --",
        "\x00\x01 nul",
        '!!! & | :* () "',
        "a" * 5000,
        "the and of",
        "-dextrose",
        '"unterminated',
        "knee OR",
    ],
)
def test_an_empty_or_hostile_query_gives_a_friendly_page(client, loaded, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert 'role="status"' in html
    assert Article.objects.count() == 2


def test_search_page_without_a_query_shows_just_the_form(client, loaded):
    html = client.get("/search/").content.decode()
    assert '<label class="form-label" for="search-q">' in html and 'role="status"' not in html


def test_query_is_cleaned_and_capped():
    query = search("  stem\x00 cells  " + "x" * 500).query
    assert query.startswith("stem cells ") and len(query) == 200 and "\x00" not in query


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists on PostgreSQL only")
def test_postgresql_search_can_use_the_gin_index(loaded):
    from django.contrib.postgres.search import SearchQuery, SearchVector

    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body_text", weight="C", config="english")
    )
    queryset = Article.objects.alias(document=vector).filter(
        document=SearchQuery("dextrose", search_type="websearch", config="english")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = queryset.explain()
        cursor.execute("SET enable_seqscan = on")
    assert "articles_article_search_idx" in plan


# --- Issue 15: one index over articles, treatments and case histories; the patients' queries ---------

T_PRP = "/treatments/platelet-rich-plasma/"
T_BONE_MARROW = "/treatments/bone-marrow-aspirate/"
T_DEXTROSE = "/treatments/dextrose-prolotherapy/"
ART_000 = f"/articles/{A000}/"
ART_002 = f"/articles/{A002}/"
CASES = {
    1: "/case-studies/case-history-1-69-year-old-man-both-knees/",
    2: "/case-studies/case-history-2-56-year-old-weightlifter-both-knees/",
    3: "/case-studies/case-history-3-69-year-old-woman-both-knees/",
}
EVERY_PAGE = {T_PRP, T_BONE_MARROW, T_DEXTROSE, ART_000, ART_002, *CASES.values()}


def result_urls(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return re.findall(r'<h2 class="h5 mb-1"><a href="([^"]+)">', response.content.decode())


# The same answers on SQLite and on PostgreSQL: (the first results, in order or as a set, and all results).
def test_prp_finds_the_prp_treatment_first_and_platelet_rich_plasma_pages(client, loaded):
    urls = result_urls(client, "PRP")
    assert urls[0] == T_PRP
    # "platelet-rich plasma" in case history 2 and article 000 is found through the synonym list.
    assert set(urls) == {T_PRP, ART_002, CASES[2], T_BONE_MARROW, ART_000}


def test_bone_on_bone_ranks_the_pages_with_the_phrase_first(client, loaded):
    urls = result_urls(client, "bone on bone")
    with_phrase = {T_BONE_MARROW, ART_002}  # "bone on bone people", "the bone on bone situation"
    assert set(urls[:2]) == with_phrase
    assert urls.index(ART_002) < urls.index(ART_000), "the article without the phrase comes after"
    assert set(urls) == with_phrase | {ART_000, *CASES.values()}


def test_a_misspelt_word_gets_did_you_mean_and_the_results_for_it(client, loaded):
    html = client.get("/search/", {"q": "prolotheraphy"}).content.decode()
    assert 'Showing results for <a href="?q=prolotherapy">prolotherapy</a>' in html
    urls = result_urls(client, "prolotheraphy")
    assert urls[0] == T_DEXTROSE
    assert set(urls) == EVERY_PAGE
    # A query that finds something still offers the spelling it probably meant.
    html = client.get("/search/", {"q": "cortisone prolotheraphy"}).content.decode()
    assert "prolotherapy" in html and ("Did you mean" in html or "Showing results for" in html)


def test_stem_cell_knee_finds_the_stem_cell_pages_first(client, loaded):
    urls = result_urls(client, "stem cell knee")
    assert set(urls[:3]) == {ART_002, ART_000, T_BONE_MARROW}
    assert urls.index(ART_002) < urls.index(ART_000)
    assert set(urls) == EVERY_PAGE  # every page says "knee" and "stem cell" or "bone marrow aspirate"


def test_cortisone_finds_the_pages_that_mention_it(client, loaded):
    urls = result_urls(client, "cortisone")
    assert urls[0] == ART_002
    assert set(urls) == {ART_002, T_PRP, T_BONE_MARROW}


def test_synonyms_work_both_ways(loaded):
    prolo = {hit.url for hit in search("prolo").hits}
    assert {T_DEXTROSE, ART_000, ART_002} <= prolo
    plasma = {hit.url for hit in search("platelet rich plasma").hits}
    assert T_BONE_MARROW in plasma, "says only “PRP”"
    marrow = {hit.url for hit in search("bone marrow aspirate").hits}
    assert ART_002 in marrow


def test_websearch_syntax_phrases_or_and_minus(loaded):
    assert [hit.url for hit in search('"bone marrow" -stem').hits] == [CASES[1]]
    assert {hit.url for hit in search("rugby OR periarticular").hits} == {ART_000, CASES[1], ART_002}
    assert {hit.url for hit in search("rugby").hits} == {ART_000, CASES[1]}


def test_snippets_are_short_and_marked(client, loaded):
    results = search("cortisone")
    for hit in results.hits:
        assert len(re.sub(r"<[^>]+>", "", hit.snippet).split()) <= 26
        assert "<mark>cortisone</mark>" in hit.snippet.lower()


def test_results_say_what_kind_of_page_each_is(client, loaded):
    html = client.get("/search/", {"q": "rugby"}).content.decode()
    assert '<p class="search-kind mb-0">Article</p>' in html
    assert '<p class="search-kind mb-0">Case history</p>' in html


def test_the_header_has_a_search_box_on_every_page(client, loaded):
    for path in ["/", "/articles/", ART_002, T_PRP, CASES[1], "/contact/", "/editorial-policy/", "/candidate/"]:
        html = client.get(path).content.decode()
        assert '<form class="site-search' in html and 'action="/search/"' in html, path
        assert '<label class="visually-hidden" for="site-search-q">Search the site</label>' in html, path


def test_an_article_scheduled_for_later_is_not_found_until_its_day(loaded):
    make_article(slug="later", title="Zanzibar later", published_on=datetime.date(2999, 1, 1))
    assert search("zanzibar").hits == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index and pg_trgm exist on PostgreSQL only")
def test_postgresql_site_search_uses_its_gin_index_and_pg_trgm(loaded):
    from django.contrib.postgres.search import SearchQuery

    from articles.models import SearchDocument
    from articles.search import _vector

    queryset = SearchDocument.objects.alias(document=_vector()).filter(
        document=SearchQuery("cortisone", search_type="websearch", config="english")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = queryset.explain()
        cursor.execute("SET enable_seqscan = on")
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
    assert "articles_searchdocument_search_idx" in plan
