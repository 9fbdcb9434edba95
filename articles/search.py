"""Full-text search over published articles: PostgreSQL's, with its GIN index, or a plain
substring search elsewhere (SQLite in the embedded default). Both rank and highlight."""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Article

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
MAX_RESULTS = 50
# Markers PostgreSQL puts around matched words; the text is escaped first, then they become <mark>.
START, STOP = "\x02", "\x03"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Hit:
    article: Article
    snippet: SafeString
    rank: float


def clean_query(raw: str | None) -> str:
    """The query as we will search it: control characters dropped, spaces collapsed, length capped."""
    text = _CONTROL.sub(" ", raw or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def terms_of(query: str) -> list[str]:
    """Lower-case words, a naive plural "s" dropped so "cells" also finds "cell"."""
    terms = []
    for word in _WORD.findall(query.lower()):
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def _marked(text: str) -> SafeString:
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))


def highlight(text: str, terms: list[str], *, words: int = 40) -> SafeString:
    """An escaped excerpt of `text` around the first term found, every term wrapped in <mark>."""
    if not terms:
        return _marked(" ".join(text.split()[:words]))
    pattern = re.compile("|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    flat = " ".join(text.split())
    found = pattern.search(flat)
    start = 0
    if found:
        start = flat.rfind(" ", 0, max(0, found.start() - 120)) + 1
    excerpt_words = flat[start:].split()[:words]
    excerpt = " ".join(excerpt_words)
    prefix = "… " if start else ""
    suffix = " …" if len(flat[start:].split()) > words else ""
    return _marked(prefix + pattern.sub(lambda m: START + m.group(0) + STOP, excerpt) + suffix)


def _postgres(query: str) -> list[Hit]:
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector

    # Must stay the expression of the index in migrations/0003_search_index.py.
    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body_text", weight="C", config="english")
    )
    search_query = SearchQuery(query, search_type="websearch", config="english")
    articles = (
        Article.objects.published()
        .alias(document=vector)
        .filter(document=search_query)
        .annotate(
            rank=SearchRank(vector, search_query),
            headline=SearchHeadline(
                "body_text",
                search_query,
                config="english",
                start_sel=START,
                stop_sel=STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-published_on")
        .defer("body", "body_html")[:MAX_RESULTS]
    )
    return [Hit(article=a, snippet=_marked(a.headline), rank=a.rank) for a in articles]


def _fallback(query: str) -> list[Hit]:
    terms = terms_of(query)
    if not terms:
        return []
    condition = Q()
    for term in terms:
        condition &= Q(title__icontains=term) | Q(summary__icontains=term) | Q(body_text__icontains=term)
    hits = []
    for article in Article.objects.published().filter(condition).defer("body", "body_html")[:MAX_RESULTS]:
        title, summary, body = article.title.lower(), article.summary.lower(), article.body_text.lower()
        rank = sum(3 * title.count(t) + 2 * summary.count(t) + body.count(t) for t in terms)
        hits.append(Hit(article=article, snippet=highlight(article.body_text, terms), rank=float(rank)))
    hits.sort(key=lambda hit: (-hit.rank, hit.article.title))
    return hits


def search_articles(raw_query: str | None) -> tuple[str, list[Hit]]:
    """(the cleaned query, ranked hits with highlighted snippets) for what a visitor typed."""
    query = clean_query(raw_query)
    if not query:
        return query, []
    if connection.vendor == "postgresql":
        return query, _postgres(query)
    return query, _fallback(query)
