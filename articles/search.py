"""The site search: one index over articles, treatments and case histories (SearchDocument).

On PostgreSQL: `websearch_to_tsquery` (quoted phrases, OR, -minus) over a weighted tsvector with a
GIN index, a bonus for pages holding the words as typed ("bone on bone", whose "on" the English
configuration drops), and pg_trgm similarity for "Did you mean …". Elsewhere (SQLite in the embedded
default) a small fallback parses the same syntax, matches word beginnings with a crude stem, ranks by
weighted counts and suggests with difflib: for the queries patients type (the ranking tests' fixed
set) it finds and orders the same pages.

A small synonym list widens a query: "PRP" also finds "platelet rich plasma", and so on both ways.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, FloatField, Q, Value, When
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import SearchDocument, SearchWord
from .rendering import html_to_text, without_editor_notes
from .searchquery import (
    STOPWORDS,
    WORD,
    Clause,
    clean_query,
    count_matches,
    expand_synonyms,
    flat,
    parse,
    stem,
    terms_of,
)

MAX_RESULTS = 30
SNIPPET_WORDS = 24
# Markers PostgreSQL puts around matched words; the text is escaped first, then they become <mark>.
START, STOP = "\x02", "\x03"
_QUOTE = re.compile(r"<blockquote>(.*?)</blockquote>", re.S)

# The rank a page gets on top of its text rank when it holds the query's words as typed, in order.
PHRASE_BONUS = 1.0
# What a match through a synonym counts for, against a match of the words as typed.
SYNONYM_WEIGHT = 0.5
# PostgreSQL's default weights for A (title), B (summary), C (body); the fallback counts the same way.
WEIGHTS = {"title": 1.0, "summary": 0.4, "body": 0.2}
# How alike a word must be to be suggested: pg_trgm similarity, difflib ratio.
TRIGRAM_THRESHOLD = 0.4
DIFFLIB_CUTOFF = 0.8


@dataclass
class Hit:
    kind: str  # SearchDocument.Kind
    kind_label: str
    title: str
    url: str
    snippet: SafeString
    rank: float


@dataclass
class Results:
    query: str  # as cleaned
    hits: list[Hit] = field(default_factory=list)
    suggestion: str = ""  # "Did you mean …", when a word looks misspelt
    corrected: bool = False  # the hits are for the suggestion (the query as typed found nothing)


def _marked(text: str) -> SafeString:
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))


def highlight(text: str, terms: list[str], *, words: int = SNIPPET_WORDS) -> SafeString:
    """An escaped excerpt of `text` around the first term found, every term's words wrapped in <mark>."""
    flat = " ".join(text.split())
    stems = [stem(t) for t in terms if t]
    if not stems:
        return _marked(" ".join(flat.split()[:words]))
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True)) + r")\w*", re.I
    )
    found = pattern.search(flat)
    start = flat.rfind(" ", 0, max(0, found.start() - 60)) + 1 if found else 0
    excerpt_words = flat[start:].split()
    excerpt = " ".join(excerpt_words[:words])
    prefix = "… " if start else ""
    suffix = " …" if len(excerpt_words) > words else ""
    return _marked(prefix + pattern.sub(lambda m: START + m.group(0) + STOP, excerpt) + suffix)


# --- The index --------------------------------------------------------------------------------


def _document(kind: str, page, **fields) -> SearchDocument:
    """The index's entry for one public page (a treatment, article or case study), found by its slug."""
    return SearchDocument(kind=kind, key=page.slug, url=page.get_absolute_url(), **fields)


def _documents() -> list[SearchDocument]:
    from casestudies.models import CaseStudy

    from .models import Article, Treatment

    docs = [
        _document(
            SearchDocument.Kind.TREATMENT,
            treatment,
            title=f"{treatment.name} for knee pain",
            summary=treatment.description,
            # The clinic's quoted words only: not the page's headings and "From the clinic's article …" lines.
            body=html_to_text(" ".join(_QUOTE.findall(without_editor_notes(treatment.body_html)))),
            order=treatment.order,
        )
        for treatment in Treatment.objects.all()
    ]
    docs += [
        _document(
            SearchDocument.Kind.ARTICLE,
            article,
            title=article.title,
            summary=article.summary,
            body=article.body_text,
            public_from=article.published_on,
            order=100,
        )
        for article in Article.objects.filter(status=Article.Status.PUBLISHED, published_on__isnull=False)
    ]
    for case in CaseStudy.objects.prefetch_related("treatments", "steps", "measurements"):
        steps = [f"{step.description} {step.result}" for step in case.steps.all()]
        docs.append(
            _document(
                SearchDocument.Kind.CASE_STUDY,
                case,
                title=case.title,
                summary=f"{case.condition}. Treatments: {', '.join(t.name for t in case.treatments.all())}.",
                body="\n".join([case.presenting_history, case.prior_treatments, *steps, case.outcome]),
                order=200 + case.order,
            )
        )
    return docs


@transaction.atomic
def rebuild_index() -> int:
    """Rewrite the search index (documents and the "Did you mean" words) from the public content.

    Call after content changes (the loader, admin saves). Published articles are indexed with the date
    they become public, so one scheduled for tomorrow is found from tomorrow. Safe to rerun; returns
    the number of documents.
    """
    docs = _documents()
    SearchDocument.objects.all().delete()
    SearchDocument.objects.bulk_create(docs)
    words = {
        word
        for doc in docs
        for word in re.findall(r"[a-z]{4,}", f"{doc.title} {doc.summary} {doc.body}".lower())
        if len(word) <= 100
    }
    SearchWord.objects.all().delete()
    SearchWord.objects.bulk_create(SearchWord(word=word) for word in sorted(words))
    return len(docs)


def _public():
    today = timezone.localdate()
    return SearchDocument.objects.filter(Q(public_from__isnull=True) | Q(public_from__lte=today))


# --- PostgreSQL -------------------------------------------------------------------------------


def _vector():
    from django.contrib.postgres.search import SearchVector

    # Must stay the expression of the index in migrations/0006_site_search_postgres.py.
    return (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )


def _postgres(query: str) -> list[Hit]:
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

    alternatives = [SearchQuery(alt, search_type="websearch", config="english") for alt in expand_synonyms(query)]
    search_query = alternatives[0]
    for alt in alternatives[1:]:
        search_query = search_query | alt
    vector = _vector()
    rank = SearchRank(vector, alternatives[0])
    if len(alternatives) > 1:
        synonyms = alternatives[1]
        for alt in alternatives[2:]:
            synonyms = synonyms | alt
        rank = rank + Value(SYNONYM_WEIGHT) * SearchRank(vector, synonyms)
    terms = terms_of(query)
    if len(WORD.findall(query)) > 1 and '"' not in query:
        # The words as typed, stopwords and all: "bone on bone" ranks the pages saying so first.
        phrase = SearchQuery(query, search_type="phrase", config="english")
        rank = rank + Case(
            When(document=phrase, then=Value(PHRASE_BONUS)), default=Value(0.0), output_field=FloatField()
        )
    docs = (
        _public()
        .alias(document=vector)
        .filter(document=search_query)
        .annotate(
            rank=rank,
            headline=SearchHeadline(
                "body",
                search_query,
                config="english",
                start_sel=START,
                stop_sel=STOP,
                max_words=SNIPPET_WORDS,
                min_words=12,
                max_fragments=1,
            ),
        )
        .order_by("-rank", "order", "title")[:MAX_RESULTS]
    )
    hits = []
    for doc in docs:
        snippet = _marked(doc.headline) if START in doc.headline else highlight(doc.summary or doc.body, terms)
        hits.append(_hit(doc, snippet, doc.rank))
    return hits


def _postgres_suggestion(term: str) -> str:
    from django.contrib.postgres.search import TrigramSimilarity

    best = (
        SearchWord.objects.annotate(similarity=TrigramSimilarity("word", term))
        .filter(similarity__gt=TRIGRAM_THRESHOLD)
        .order_by("-similarity", "word")
        .values_list("word", flat=True)
        .first()
    )
    return best or ""


# --- Elsewhere (SQLite) -------------------------------------------------------------------------


def _fallback_rank(clauses: list[Clause], fields: dict[str, str]) -> float:
    """The best clause's weighted count of its words and phrases (0 when no clause matches)."""
    best = 0.0
    everything = " ".join(fields.values())
    for clause in clauses:
        items = clause.words + clause.phrases
        if any(count_matches(item, everything) == 0 for item in items):
            continue
        if any(count_matches(item, everything) for item in clause.excluded):
            continue
        score = 0.0
        for item in items:
            for name, text in fields.items():
                count = count_matches(item, text)
                # Diminishing returns, as ts_rank has: the tenth mention adds less than the first.
                score += WEIGHTS[name] * sum(1 / n for n in range(1, count + 1)) / len(items)
        best = max(best, score / 10)
    return best


def _fallback(query: str) -> list[Hit]:
    typed, *others = expand_synonyms(query)
    typed_clauses = parse(typed)
    synonym_clauses = [clause for alt in others for clause in parse(alt)]
    clauses = typed_clauses + synonym_clauses
    if not clauses:
        return []
    words = WORD.findall(query.lower())
    phrase = " ".join(words) if len(words) > 1 and '"' not in query else ""
    terms = [t for clause in clauses for t in clause.words + clause.phrases]
    hits = []
    for doc in _public():
        fields = {"title": flat(doc.title), "summary": flat(doc.summary), "body": flat(doc.body)}
        rank = _fallback_rank(typed_clauses, fields) + SYNONYM_WEIGHT * _fallback_rank(synonym_clauses, fields)
        if rank <= 0:
            continue
        if phrase and count_matches(phrase, " ".join(fields.values())):
            rank += PHRASE_BONUS
        hits.append(_hit(doc, highlight(doc.body or doc.summary, terms), rank))
    hits.sort(key=lambda hit: -hit.rank)  # stable: ties keep the index's order
    return hits[:MAX_RESULTS]


def _fallback_suggestion(term: str) -> str:
    words = list(SearchWord.objects.filter(word__startswith=term[:1]).values_list("word", flat=True))
    matches = difflib.get_close_matches(term, words, n=1, cutoff=DIFFLIB_CUTOFF)
    return matches[0] if matches else ""


# --- Both ---------------------------------------------------------------------------------------


def _hit(doc: SearchDocument, snippet: SafeString, rank: float) -> Hit:
    return Hit(
        kind=doc.kind,
        kind_label=doc.get_kind_display(),
        title=doc.title,
        url=doc.url,
        snippet=snippet,
        rank=float(rank),
    )


def _known(term: str) -> bool:
    return SearchWord.objects.filter(word__startswith=stem(term)).exists()


def suggest(query: str) -> str:
    """The query with each word the index does not know swapped for the closest one it does, or ""."""
    postgres = connection.vendor == "postgresql"
    changed = False
    words = []
    for word in query.split():
        bare = word.lower().strip('"-')
        if len(bare) >= 4 and bare.isalpha() and bare not in STOPWORDS and not _known(bare):
            better = _postgres_suggestion(bare) if postgres else _fallback_suggestion(bare)
            if better and better != bare:
                word, changed = better, True
        words.append(word)
    return " ".join(words) if changed else ""


def search(raw_query: str | None) -> Results:
    """Ranked hits with short highlighted snippets for what a visitor typed, and a suggestion for a
    misspelt word. When the query as typed finds nothing but the suggestion does, the hits are the
    suggestion's (`corrected`)."""
    query = clean_query(raw_query)
    if not terms_of(query) and not query.strip('"- '):
        return Results(query=query)
    run = _postgres if connection.vendor == "postgresql" else _fallback
    hits = run(query) if terms_of(query) else []
    suggestion = suggest(query)
    if not hits and suggestion:
        return Results(query=query, hits=run(suggestion), suggestion=suggestion, corrected=True)
    return Results(query=query, hits=hits, suggestion=suggestion)
