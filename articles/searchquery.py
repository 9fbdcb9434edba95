"""The site search's query language, shared by PostgreSQL and the fallback: what a patient typed,
cleaned, split into terms, widened by synonyms, and parsed as websearch_to_tsquery's syntax."""

import re
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
WORD = re.compile(r"\w+", re.UNICODE)
TOKEN = re.compile(r'-?"[^"]*"?|\S+')

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


def clean_query(raw: str | None) -> str:
    """The query as we will search it: control characters dropped, spaces collapsed, length capped."""
    text = CONTROL.sub(" ", raw or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def terms_of(query: str) -> list[str]:
    """Lower-case words that carry meaning (stopwords dropped), each once, at most MAX_TERMS."""
    terms = []
    for word in WORD.findall(query.lower()):
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


def flat(text: str) -> str:
    """Lower-case words separated by single spaces, for phrase matching ("platelet-rich" → "platelet rich")."""
    return " ".join(WORD.findall(text.lower()))


@dataclass
class Clause:
    words: list[str] = field(default_factory=list)  # stems, each must begin a word
    phrases: list[str] = field(default_factory=list)  # flat phrases, each must appear
    excluded: list[str] = field(default_factory=list)  # stems or phrases that must not appear


def parse(query: str) -> list[Clause]:
    """websearch_to_tsquery's syntax: words, "quoted phrases", -exclusions, OR between alternatives."""
    clauses = [Clause()]
    for token in TOKEN.findall(query):
        if token == "OR":
            clauses.append(Clause())
            continue
        negative = token.startswith("-") and len(token) > 1
        token = token[1:] if negative else token
        quoted = token.startswith('"')
        words = list(WORD.findall(token.lower()))
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


def count_matches(stem_or_phrase: str, flat: str) -> int:
    if " " in stem_or_phrase:
        return len(re.findall(rf"(?<!\w){re.escape(stem_or_phrase)}(?!\w)", flat))
    return len(re.findall(rf"(?<!\w){re.escape(stem_or_phrase)}", flat))
