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

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
MAX_RESULTS = 30
SNIPPET_WORDS = 24
# Markers PostgreSQL puts around matched words; the text is escaped first, then they become <mark>.
START, STOP = "\x02", "\x03"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_QUOTE = re.compile(r"<blockquote>(.*?)</blockquote>", re.S)

# Each group's phrases mean the same to a patient; a query naming one also searches for the others.
SYNONYMS: list[tuple[str, ...]] = [
    ("prp", "platelet rich plasma"),
    ("prolo", "prolotherapy"),
    ("stem cell", "bone marrow aspirate"),
]
# Words the English text-search configuration ignores; the fallback ignores them too.
_STOPWORDS = """
    a an and are as at be but by for from has have how i in into is it its of on or our so that the
    their then there these they this to was we were what when which who why will with you your
"""
STOPWORDS = frozenset(_STOPWORDS.split())
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


def clean_query(raw: str | None) -> str:
    """The query as we will search it: control characters dropped, spaces collapsed, length capped."""
    text = _CONTROL.sub(" ", raw or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def terms_of(query: str) -> list[str]:
    """Lower-case words that carry meaning (stopwords dropped), each once, at most MAX_TERMS."""
    terms = []
    for word in _WORD.findall(query.lower()):
        if word not in STOPWORDS and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def stem(word: str) -> str:
    """A crude English stem, matched against word beginnings: "cells" → "cell", "therapy" → "therap"."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 4 and word[-1] in "ey":
        word = word[:-1]
    return word


def expand_synonyms(query: str) -> list[str]:
    """The query, then the query with each synonym it contains swapped for the others of its group."""
    alternatives = [query]
    lowered = query.lower()
    for group in SYNONYMS:
        for phrase in group:
            pattern = re.compile(rf"(?<!\w){re.escape(phrase)}s?(?!\w)", re.IGNORECASE)
            if pattern.search(lowered):
                for other in group:
                    if other != phrase:
                        swapped = pattern.sub(f'"{other}"' if " " in other else other, query)
                        if swapped not in alternatives:
                            alternatives.append(swapped)
                break
    return alternatives


def _flat(text: str) -> str:
    """Lower-case words separated by single spaces, for phrase matching ("platelet-rich" → "platelet rich")."""
    return " ".join(_WORD.findall(text.lower()))


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


def _documents() -> list[SearchDocument]:
    from casestudies.models import CaseStudy

    from .models import Article, Treatment

    docs = []
    for treatment in Treatment.objects.all():
        docs.append(
            SearchDocument(
                kind=SearchDocument.Kind.TREATMENT,
                key=treatment.slug,
                url=treatment.get_absolute_url(),
                title=f"{treatment.name} for knee pain",
                summary=treatment.description,
                # The clinic's quoted words only: not the page's headings and "From the clinic's article …" lines.
                body=html_to_text(" ".join(_QUOTE.findall(without_editor_notes(treatment.body_html)))),
                order=treatment.order,
            )
        )
    for article in Article.objects.filter(status=Article.Status.PUBLISHED, published_on__isnull=False):
        docs.append(
            SearchDocument(
                kind=SearchDocument.Kind.ARTICLE,
                key=article.slug,
                url=article.get_absolute_url(),
                title=article.title,
                summary=article.summary,
                body=article.body_text,
                public_from=article.published_on,
                order=100,
            )
        )
    for case in CaseStudy.objects.prefetch_related("treatments", "steps", "measurements"):
        steps = [f"{step.description} {step.result}" for step in case.steps.all()]
        docs.append(
            SearchDocument(
                kind=SearchDocument.Kind.CASE_STUDY,
                key=case.slug,
                url=case.get_absolute_url(),
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
    if len(_WORD.findall(query)) > 1 and '"' not in query:
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


@dataclass
class _Clause:
    words: list[str] = field(default_factory=list)  # stems, each must begin a word
    phrases: list[str] = field(default_factory=list)  # flat phrases, each must appear
    excluded: list[str] = field(default_factory=list)  # stems or phrases that must not appear


def _parse(query: str) -> list[_Clause]:
    """websearch_to_tsquery's syntax: words, "quoted phrases", -exclusions, OR between alternatives."""
    clauses = [_Clause()]
    for token in _TOKEN.findall(query):
        if token == "OR":
            clauses.append(_Clause())
            continue
        negative = token.startswith("-") and len(token) > 1
        token = token[1:] if negative else token
        quoted = token.startswith('"')
        words = list(_WORD.findall(token.lower()))
        if quoted and words:
            phrase = " ".join(words)
            (clauses[-1].excluded if negative else clauses[-1].phrases).append(phrase)
            continue
        for word in words:
            if word in STOPWORDS:
                continue
            target = clauses[-1].excluded if negative else clauses[-1].words
            if stem(word) not in target:
                target.append(stem(word))
    return [c for c in clauses if c.words or c.phrases]


def _count(stem_or_phrase: str, flat: str) -> int:
    if " " in stem_or_phrase:
        return len(re.findall(rf"(?<!\w){re.escape(stem_or_phrase)}(?!\w)", flat))
    return len(re.findall(rf"(?<!\w){re.escape(stem_or_phrase)}", flat))


def _fallback_rank(clauses: list[_Clause], fields: dict[str, str]) -> float:
    """The best clause's weighted count of its words and phrases (0 when no clause matches)."""
    best = 0.0
    everything = " ".join(fields.values())
    for clause in clauses:
        items = clause.words + clause.phrases
        if any(_count(item, everything) == 0 for item in items):
            continue
        if any(_count(item, everything) for item in clause.excluded):
            continue
        score = 0.0
        for item in items:
            for name, flat in fields.items():
                count = _count(item, flat)
                # Diminishing returns, as ts_rank has: the tenth mention adds less than the first.
                score += WEIGHTS[name] * sum(1 / n for n in range(1, count + 1)) / len(items)
        best = max(best, score / 10)
    return best


def _fallback(query: str) -> list[Hit]:
    typed, *others = expand_synonyms(query)
    typed_clauses = _parse(typed)
    synonym_clauses = [clause for alt in others for clause in _parse(alt)]
    clauses = typed_clauses + synonym_clauses
    if not clauses:
        return []
    words = _WORD.findall(query.lower())
    phrase = " ".join(words) if len(words) > 1 and '"' not in query else ""
    terms = [t for clause in clauses for t in clause.words + clause.phrases]
    hits = []
    for doc in _public():
        fields = {"title": _flat(doc.title), "summary": _flat(doc.summary), "body": _flat(doc.body)}
        rank = _fallback_rank(typed_clauses, fields) + SYNONYM_WEIGHT * _fallback_rank(synonym_clauses, fields)
        if rank <= 0:
            continue
        if phrase and _count(phrase, " ".join(fields.values())):
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
