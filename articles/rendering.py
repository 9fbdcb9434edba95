r"""Markdown to safe HTML for an article body, with a table of contents and linked citations.

Pure functions, no database: `articles.services` calls `render_body` when an article changes and
stores the result, so no page request ever runs Markdown or the sanitiser.

Two constructs beyond plain Markdown, for editors:
- An editor's note, a quote block whose first line is `[!editor-note]`:

      > [!editor-note]
      > The clinic's page shows no video here.

  It renders as `<aside class="editor-note" role="note">`, labelled "Editor's note", visibly apart
  from the clinic's words, which stay as they were. Sanitised like the rest of the body. A quotation
  just before or after it stays a quotation of its own (Markdown would otherwise join quote blocks
  that only a blank line separates).
- `\(1)`: a number in brackets that is text, not a citation link (Markdown's backslash escape).
"""

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

# What an article body may contain after sanitising. No <h1> (the page has its title), no images
# or embeds (nothing may load from another host; a hero image is uploaded instead), no scripts,
# styles or event attributes: whatever an editor types, nh3 removes everything else.
ALLOWED_TAGS = {
    "a", "abbr", "aside", "b", "blockquote", "br", "cite", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    # Only what EditorNotes sets; nh3 keeps these on any aside, and an editor may type the same.
    "aside": {"class", "role", "aria-label"},
    "p": {"class"},
    "sup": {"class"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# "(1)" as the source prints it, not preceded by a letter or digit (so "4(1):" stays text), or
# "<sup>1</sup>", the superscript form the clinic's pages also use.
CITATION = r"(?<![\w(])\((\d{1,3})\)|<sup>(\d{1,3})</sup>"


@dataclass
class RenderedBody:
    html: str
    text: str  # plain text for search and snippets
    toc: list[dict] = field(default_factory=list)  # [{"id", "name", "level"}], h2 and h3
    citations: dict[str, int] = field(default_factory=dict)  # reference number -> markers in the text


def citation_anchor(number: int, occurrence: int) -> str:
    """The id of the occurrence-th marker citing `number` (1-based); the reference list links back to it."""
    return f"cite-{number}" if occurrence == 1 else f"cite-{number}-{occurrence}"


EDITOR_NOTE_MARK = "[!editor-note]"
EDITOR_NOTE_LABEL = "Editor’s note"
EDITOR_NOTE_CLASS = "editor-note"


_NOTE_START = re.compile(r"^ {0,3}> ?\[!editor-note\]", re.IGNORECASE)
_SEPARATOR = "<!-- -->"  # a block of its own between quote blocks; nh3 drops the comment


class _SeparateNotes(Preprocessor):
    """Keep an editor's note and a quotation next to it from being joined into one quote block."""

    def run(self, lines):
        out: list[str] = []
        in_note = False
        for line in lines:
            if _NOTE_START.match(line):
                previous = next((old for old in reversed(out) if old.strip()), "")
                if previous.lstrip().startswith(">"):
                    out += ["", _SEPARATOR, ""]
                in_note = True
            elif in_note and line.lstrip().startswith(">") and out and not out[-1].strip():
                out += [_SEPARATOR, ""]
                in_note = False
            elif in_note and line.strip() and not line.lstrip().startswith(">") and out and not out[-1].strip():
                in_note = False
            out.append(line)
        return out


class _EditorNotes(Treeprocessor):
    """`> [!editor-note]` quote blocks become labelled asides (before inline parsing, so the mark
    is still plain text)."""

    def run(self, root):
        for quote in root.iter("blockquote"):
            first = quote[0] if len(quote) else None
            if first is None or first.tag != "p" or not (first.text or "").lstrip().startswith(EDITOR_NOTE_MARK):
                continue
            first.text = first.text.lstrip()[len(EDITOR_NOTE_MARK) :].lstrip()
            if not first.text and not len(first):
                quote.remove(first)
            quote.tag = "aside"
            quote.set("class", EDITOR_NOTE_CLASS)
            quote.set("role", "note")
            quote.set("aria-label", EDITOR_NOTE_LABEL)
            label = etree.Element("p")
            label.set("class", "editor-note-label")
            label.text = EDITOR_NOTE_LABEL
            quote.insert(0, label)


class _CitationProcessor(InlineProcessor):
    def __init__(self, md, *, numbers: set[int], counts: dict[int, int]):
        super().__init__(CITATION, md)
        self.numbers = numbers
        self.counts = counts

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        superscript = m.group(2) is not None
        number = int(m.group(2) if superscript else m.group(1))
        if number not in self.numbers:
            # Not a reference of this article: leave the text exactly as written.
            return None, None, None
        self.counts[number] = self.counts.get(number, 0) + 1
        link = etree.Element("a")
        link.set("href", f"#ref-{number}")
        link.set("id", citation_anchor(number, self.counts[number]))
        link.set("class", "citation")
        if superscript:
            link.text = str(number)
            wrapper = etree.Element("sup")
            wrapper.set("class", "citation")
            wrapper.append(link)
            return wrapper, m.start(0), m.end(0)
        link.text = f"({number})"
        return link, m.start(0), m.end(0)


def _flatten_toc(tokens: list[dict]) -> list[dict]:
    entries = []
    for token in tokens:
        if token["level"] in (2, 3):
            entries.append({"id": token["id"], "name": html.unescape(token["name"]), "level": token["level"]})
        entries.extend(_flatten_toc(token["children"]))
    return entries


_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|li|h[2-6]|blockquote|aside|td|th|pre)>|<br\s*/?>")
_EDITOR_NOTE = re.compile(r'<aside\b[^>]*\bclass="editor-note"[^>]*>.*?</aside>', re.S)
_SPACE = re.compile(r"[ \t\u00a0]+")


def without_editor_notes(fragment: str) -> str:
    """Rendered HTML with the editor's notes taken out: the clinic's own words only."""
    return _EDITOR_NOTE.sub("", fragment)


def html_to_text(fragment: str) -> str:
    """Readable plain text of sanitised HTML: one line per block, entities decoded."""
    text = _BLOCK_END.sub("\n", fragment)
    text = html.unescape(_TAG.sub("", text))
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def render_body(source: str, *, reference_numbers: set[int]) -> RenderedBody:
    """Render an article's Markdown `source` to sanitised HTML.

    Citation markers whose number is in `reference_numbers` become links to "#ref-N" with ids
    the reference list links back to; other numbers stay plain text. Headings get ids for the
    table of contents.
    """
    counts: dict[int, int] = {}
    md = markdown.Markdown(extensions=["toc", "sane_lists", "tables"], output_format="html")
    # Above the raw-HTML pattern (90), so "<sup>2</sup>" is seen as a citation; below backticks
    # and escapes, so code spans are left alone.
    md.inlinePatterns.register(_CitationProcessor(md, numbers=reference_numbers, counts=counts), "citation", 175)
    # Above "inline" (20): the note's mark is matched before inline patterns could touch it.
    md.treeprocessors.register(_EditorNotes(md), "editor_notes", 25)
    md.preprocessors.register(_SeparateNotes(md), "separate_editor_notes", 5)
    raw = md.convert(source)
    clean = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        # Links open in the same tab (no target attribute is allowed), so no rel is needed.
        link_rel=None,
        strip_comments=True,
    )
    return RenderedBody(
        html=clean,
        text=html_to_text(without_editor_notes(clean)),
        toc=_flatten_toc(md.toc_tokens),
        citations={str(number): count for number, count in sorted(counts.items())},
    )
