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
    def __init__(self, start_tag):
        super().__init__()
        self.start_tag, self.depth, self.parts = start_tag, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == self.start_tag:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == self.start_tag:
            self.depth -= 1
        if tag in {"p", "li", "h1", "h2", "h3", "blockquote", "ul", "ol"}:
            self.parts.append(" ")

    def handle_data(self, data):
        if self.depth > 0:
            self.parts.append(data)


def page_text(html: str, tag: str = "main") -> str:
    """The visible text inside `tag`, whitespace collapsed."""
    parser = _Text(tag)
    parser.feed(html)
    return normalise("".join(parser.parts))


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
