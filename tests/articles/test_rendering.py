"""Markdown to HTML: sanitised, with a table of contents and citations linked both ways."""

import pytest

from articles import services
from articles.rendering import render_body

from .factories import make_article

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert('x')</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        '<p onclick="alert(1)">para</p>',
        "<iframe src='https://evil.example/'></iframe>",
        "<style>body{display:none}</style>",
        '<svg onload="alert(1)"></svg>',
    ],
)
def test_an_editors_script_or_event_handler_never_reaches_the_page(client, hostile):
    article = make_article(body=f"Intro paragraph.\n\n{hostile}\n\nOutro paragraph.")
    html = client.get(article.get_absolute_url()).content.decode()
    body = html.split('<div class="article-body">')[1].split("</div>")[0]
    for bad in ["<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<style", "<svg", "<img"]:
        assert bad not in body.lower()
    assert "Intro paragraph." in body and "Outro paragraph." in body


def test_markdown_is_rendered_once_when_saved_not_per_request(client, django_assert_max_num_queries):
    article = make_article(body="## Heading\n\nSome **bold** text.")
    assert "<strong>bold</strong>" in article.body_html
    # A request reads the stored HTML: changing the Markdown behind the service's back shows nothing new.
    type(article).objects.filter(pk=article.pk).update(body="## Other\n\nChanged.")
    assert "<strong>bold</strong>" in client.get(article.get_absolute_url()).content.decode()
    article.refresh_from_db()
    assert services.render_article(article=article) is True
    assert "Changed." in client.get(article.get_absolute_url()).content.decode()
    assert services.render_article(article=article) is False, "rendering again with no change writes nothing"


def test_citations_link_to_existing_references_only_and_the_list_links_back(client):
    article = make_article(
        body="First (1). Again (1). Superscript.<sup>2</sup> Not a reference (7). Code `(1)`.", references=2
    )
    assert article.citations == {"1": 2, "2": 1}
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<a class="citation" href="#ref-1" id="cite-1">(1)</a>' in html
    assert '<a class="citation" href="#ref-1" id="cite-1-2">(1)</a>' in html
    assert '<sup class="citation"><a class="citation" href="#ref-2" id="cite-2">2</a></sup>' in html
    assert "Not a reference (7)." in html and "<code>(1)</code>" in html
    assert 'href="#cite-1"' in html and 'href="#cite-1-2"' in html and 'href="#cite-2"' in html


def test_numbers_inside_words_are_not_citations():
    rendered = render_body("Volume 4(1):23 and WOMAC-(post-treatment) stay text.", reference_numbers={1})
    assert "citation" not in rendered.html


def test_table_of_contents_comes_from_the_headings(client):
    article = make_article(body="## First part\n\nText.\n\n### A detail\n\nMore.\n\n## Second & last\n\nEnd.")
    assert [entry["name"] for entry in article.toc] == ["First part", "A detail", "Second & last"]
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<li class="toc-level-2"><a href="#first-part">First part</a></li>' in html
    assert '<li class="toc-level-3"><a href="#a-detail">A detail</a></li>' in html
    assert '<h2 id="first-part">First part</h2>' in html
    assert "Second &amp; last" in html


def test_an_editors_note_is_a_labelled_aside_apart_from_the_text_and_sanitised():
    rendered = render_body(
        "The clinic's sentence (1).\n\n"
        "> [!editor-note]\n> A note with a [link](#ref-1) and <script>alert(1)</script><b onclick=x>bold</b>.\n\n"
        "> A quotation stays a quotation.\n",
        reference_numbers={1},
    )
    html = rendered.html
    note = html.split("<aside")[1].split("</aside>")[0]
    assert 'class="editor-note"' in note and 'role="note"' in note and 'aria-label="Editor’s note"' in note
    assert '<p class="editor-note-label">Editor’s note</p>' in note
    assert '<a href="#ref-1">link</a>' in note
    assert "<script" not in html and "onclick" not in html and "[!editor-note]" not in html
    assert "<blockquote>\n<p>A quotation stays a quotation.</p>\n</blockquote>" in html
    # The search text and snippets are the clinic's words only.
    assert "A note" not in rendered.text and "The clinic's sentence (1)." in rendered.text


def test_a_backslash_keeps_a_bracketed_number_as_text():
    html = render_body("Misdirected \\(1) here; cited (1) there.", reference_numbers={1}).html
    assert "Misdirected (1) here" in html
    assert html.count('href="#ref-1"') == 1


def test_an_editor_cannot_smuggle_attributes_onto_an_aside():
    html = render_body(
        '<aside class="editor-note" onmouseover="x" style="color:red">Hi</aside>', reference_numbers=set()
    ).html
    assert "onmouseover" not in html and "style=" not in html


def test_a_note_right_after_a_quotation_stays_apart_from_it():
    html = render_body("> “The clinic's quote.”\n\n> [!editor-note]\n> The note.\n", reference_numbers=set()).html
    assert html.startswith("<blockquote>\n<p>“The clinic's quote.”</p>\n</blockquote>")
    assert "<aside" in html and "The note." in html.split("<aside")[1]
