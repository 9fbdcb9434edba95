import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

A000 = "bone-marrow-aspirate-prolotherapy-knee-pain"
A002 = "why-stem-cell-therapy-did-not-work-knee-pain"


@pytest.fixture
def loaded(db):
    """The real content/ loaded, as `make run` does."""
    call_command("load_content", verbosity=0)


class _Text(HTMLParser):
    def __init__(self, start_tag, *, skip_editor_notes=False):
        super().__init__()
        self.start_tag, self.depth, self.parts = start_tag, 0, []
        self.skip_editor_notes, self.in_note = skip_editor_notes, 0

    def handle_starttag(self, tag, attrs):
        if tag == self.start_tag:
            self.depth += 1
        if tag == "aside" and (self.in_note or "editor-note" in (dict(attrs).get("class") or "").split()):
            self.in_note += 1

    def handle_endtag(self, tag):
        if tag == self.start_tag:
            self.depth -= 1
        if tag == "aside" and self.in_note:
            self.in_note -= 1
        if tag in {"p", "li", "h1", "h2", "h3", "blockquote", "ul", "ol", "aside"}:
            self.parts.append(" ")

    def handle_data(self, data):
        if self.depth > 0 and not (self.skip_editor_notes and self.in_note):
            self.parts.append(data)


def page_text(html: str, tag: str = "main", *, skip_editor_notes: bool = False) -> str:
    """The visible text inside `tag`, whitespace collapsed; without the editor's notes if asked
    (they are the site's words, beside the clinic's: the fidelity checks compare the clinic's only)."""
    parser = _Text(tag, skip_editor_notes=skip_editor_notes)
    parser.feed(html)
    return normalise("".join(parser.parts))


def editor_notes(html: str) -> list[str]:
    """The text of each editor's note on the page, in order."""
    notes = re.findall(r'<aside\b[^>]*class="editor-note[^"]*"[^>]*>(.*?)</aside>', html, re.S)
    return [normalise(re.sub(r"<[^>]+>", " ", note)) for note in notes]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
