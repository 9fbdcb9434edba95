"""/search/: ranked full-text search with highlighted snippets, on SQLite and on PostgreSQL."""

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
