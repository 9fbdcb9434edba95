"""The two seed articles, as the clinic wrote them, on the site; the loader that puts them there."""

import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from articles.models import Article, Author, Reference, Treatment

from .conftest import A000, A002, editor_notes, normalise, page_text

# The clinic's pages as received, kept beside the content transcribed from them.
SEEDS = Path(settings.CONTENT_DIR) / "sources"
SEED_000 = SEEDS / "000_9e52c8f30da88552.txt"
SEED_002 = SEEDS / "002_59b9c9d37ea37bf6.txt"
# The page furniture after the article (forms, offices, reviews) starts here in both seeds.
CHROME_START = "Make an Appointment |"
REFERENCE_LINE = re.compile(r"^(\d+)\.? ([A-Z][\w-]+ [A-Z]{1,2}[,.])")


def seed_parts(path: Path):
    """(title, body lines, reference lines) of a seed page, chrome dropped."""
    text = path.read_text(encoding="utf-8").split(CHROME_START)[0]
    lines = [normalise(line.lstrip(" •")) for line in text.splitlines()]
    lines = [line for line in lines if line]
    title = lines[0].replace("Caring Medical - Where the world comes for Prolotherapy", "")
    body = [line for line in lines[1:] if not REFERENCE_LINE.match(line)]
    references = [line for line in lines[1:] if REFERENCE_LINE.match(line)]
    return title, body, references


def article_page(client, slug):
    response = client.get(f"/articles/{slug}/")
    assert response.status_code == 200
    return response.content.decode()


def assert_in_order(lines, text):
    position = 0
    for line in lines:
        found = text.find(line, position)
        assert found >= 0, f"missing or out of order: {line!r}"
        position = found + len(line)


def test_article_000_has_every_paragraph_bullet_heading_and_case_figure_in_order(client, loaded):
    title, body, _ = seed_parts(SEED_000)
    html = article_page(client, A000)
    # The clinic's words only: the editor's notes between them are the site's, compared apart.
    text = page_text(html, skip_editor_notes=True)
    assert f'<h1 id="article-title">{title}</h1>' in html
    assert_in_order(body, text)
    # Every figure of the three case histories.
    source = SEED_000.read_text(encoding="utf-8").split(CHROME_START)[0]
    figures = set(re.findall(r"\d+/10|\d+%(?:–\d+%)?|\d+-year-old", source))
    assert {"7/10", "90%", "50%–55%", "69-year-old", "56-year-old", "100%"} <= figures
    for figure in figures:
        assert figure in text


def test_article_002_has_every_paragraph_bullet_heading_and_quote_in_order(client, loaded):
    title, body, _ = seed_parts(SEED_002)
    author_lines, body = body[:3], body[3:]
    html = article_page(client, A002)
    text = page_text(html, skip_editor_notes=True)
    assert title == "Why stem cell therapy did not or will not work for your knee pain – an update"
    assert f'<h1 id="article-title">{title}</h1>' in html
    assert_in_order(body, text)
    for line in author_lines:  # "Ross Hauser, MD, Caring Medical ..., Fort Myers, Florida"
        name_and_credentials = line.split(", Caring Medical")[0]
        assert name_and_credentials in text


def test_headings_lists_and_quotes_keep_their_structure(client, loaded):
    html = article_page(client, A002)
    assert '<h2 id="video-what-type-of-treatment-do-i-need">Video: What type of treatment do I need?</h2>' in html
    # No player for a video the source does not link.
    assert "<iframe" not in html and "<video" not in html
    # The sentence with nothing after it in the source stays, with no invented list: an editor's note
    # says so (issue 15), and the clinic's next paragraph follows it.
    assert re.search(
        r"<p>Our other published research includes:</p>\n<aside [^>]*editor-note[^>]*>.*?</aside>\n"
        r"<p>These studies represent",
        html,
        re.S,
    )
    # Nested bullets: the patient types carry their notes as a sub-list.
    assert re.search(r"<li>General patient type 1:[^<]*<ul>\s*<li>Injury is still causing pain", html)
    # The quote introduced with "Listen to this" has no quotation marks in the source; the next one does.
    assert "<blockquote>\n<p>Studies have reported that the (Prolotherapy) improvements" in html
    assert "<blockquote>\n<p>“Ignoring the patient’s other pain sources" in html
    assert html.count("<blockquote>") == 3
    html_000 = article_page(client, A000)
    assert re.search(r"<li>Patient is a 69-year-old male presented with pain in both knees.<ul>\s*<li>4/10", html_000)
    assert "<blockquote>\n<p>“Although a growing interest" in html_000
    assert "<iframe" not in html_000 and "<video" not in html_000


def test_every_numbered_reference_is_listed_in_order_and_cited_in_the_text(client, loaded):
    for seed, slug, count in [(SEED_000, A000, 2), (SEED_002, A002, 5)]:
        _, _, reference_lines = seed_parts(seed)
        assert len(reference_lines) == count
        html = article_page(client, slug)
        section = html.split('id="references-title"')[1]
        text = page_text(section, "ol")
        for number, line in enumerate(reference_lines, start=1):
            ref = Reference.objects.get(article__slug=slug, number=number)
            assert line.startswith(f"{number}") and ref.authors in line and ref.title in line
            assert ref.journal in line and ref.volume_pages in line and str(ref.year) in line
            assert f'<li id="ref-{number}" value="{number}">' in section
            # The marker in the text links to the reference, which links back.
            assert f'href="#ref-{number}" id="cite-{number}"' in html
            assert f'href="#cite-{number}"' in section
        assert_in_order(
            [f"{Reference.objects.get(article__slug=slug, number=n).authors}." for n in range(1, count + 1)], text
        )


def test_reference_details_are_exactly_those_of_the_source(loaded):
    hauser = Reference.objects.get(article__slug=A000, number=2)
    assert (hauser.authors, hauser.year, hauser.volume_pages) == ("Hauser RA, Orlofsky A", 2013, "6:65-72")
    assert hauser.journal == "Clin Med Insights Arthritis Musculoskelet Disord" and hauser.date == "2013 Sep 4"
    pei = Reference.objects.get(article__slug=A002, number=1)
    assert pei.doi == "10.1016/j.biomaterials.2016.11.049" and pei.note == "Epub 2016 Nov 25."
    assert Reference.objects.get(article__slug=A002, number=3).doi == "10.4061/2011/429187"
    # The source gives no DOI for these: none is made up.
    assert Reference.objects.filter(doi="").count() == 5


def test_article_002_authors_are_in_the_source_order_with_credentials(loaded):
    article = Article.objects.get(slug=A002)
    authors = [str(link.author) for link in article.articleauthor_set.order_by("order")]
    assert authors == ["Ross Hauser, MD", "David N. Woznica, MD", "Danielle R. Steilen-Matias, MMS, PA-C"]
    assert Author.objects.get(slug="ross-hauser").office.slug == "fort-myers"
    assert not Article.objects.get(slug=A000).authors.exists()


def test_site_chrome_is_not_article_text(loaded):
    for article in Article.objects.all():
        for chrome in ["Make an Appointment", "First Name", "Enter code", "Subscribe to E-Newsletter",
                       "Print Friendly", "Facebook", "Fax", "out-of-network", "© 2020"]:  # fmt: skip
            assert chrome not in article.body


def test_treatments_have_the_contract_slugs_and_the_articles_own_definitions(loaded):
    assert list(Treatment.objects.values_list("slug", flat=True)) == [
        "dextrose-prolotherapy",
        "platelet-rich-plasma",
        "bone-marrow-aspirate",
    ]
    bone_marrow = Treatment.objects.get(slug="bone-marrow-aspirate").description
    assert bone_marrow.startswith("Bone Marrow Aspirate or Bone Marrow Prolotherapy refers to the use of bone marrow")
    assert (
        "injection of sugar water into a damaged joint"
        in Treatment.objects.get(slug="dextrose-prolotherapy").description
    )


# --- The loader ---------------------------------------------------------------------------------


def load(*args):
    out = StringIO()
    call_command("load_content", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def content(tmp_path):
    shutil.copytree(settings.CONTENT_DIR, tmp_path / "content")
    return tmp_path / "content"


def snapshot():
    return (
        list(Article.objects.order_by("pk").values()),
        list(Reference.objects.order_by("pk").values()),
        list(Author.objects.order_by("pk").values()),
        list(Treatment.objects.order_by("pk").values()),
        list(Article.treatments.through.objects.order_by("pk").values()),
    )


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    load()
    first = snapshot()
    output = load()
    assert snapshot() == first
    assert "0 created, 0 updated" in output and "0 skipped" in output


@pytest.mark.django_db
def test_an_edited_file_updates_the_article_and_its_references_in_place(content):
    load("--content-dir", str(content))
    article = Article.objects.get(slug=A002)
    reference_ids = list(article.references.order_by("number").values_list("pk", flat=True))
    path = content / "articles" / f"{A002}.md"
    text = path.read_text().replace("Nothing in medicine is 100%.", "Nothing in medicine is ever 100%.")
    text = text.replace("journal: Journal of Pain Research", "journal: J Pain Res")
    path.write_text(text)
    output = load("--content-dir", str(content))
    article.refresh_from_db()
    assert "Nothing in medicine is ever 100%." in article.body_html
    assert article.references.get(number=5).journal == "J Pain Res"
    assert list(article.references.order_by("number").values_list("pk", flat=True)) == reference_ids
    assert f"updated article {A002}" in output


@pytest.mark.django_db
def test_an_editors_admin_change_is_kept_and_reported(content):
    load("--content-dir", str(content))
    Article.objects.filter(slug=A000).update(summary="An editor's summary.")
    path = content / "articles" / f"{A000}.md"
    path.write_text(path.read_text().replace("There is even variations", "There are even variations"))
    output = load("--content-dir", str(content))
    article = Article.objects.get(slug=A000)
    assert article.summary == "An editor's summary." and "There is even variations" in article.body
    assert f"skipped article {A000}" in output

    load("--content-dir", str(content), "--force")
    assert "There are even variations" in Article.objects.get(slug=A000).body


@pytest.mark.django_db
def test_an_editors_reference_change_counts_as_an_edit(content):
    load("--content-dir", str(content))
    Reference.objects.filter(article__slug=A002, number=4).update(note="checked by the editor")
    path = content / "articles" / f"{A002}.md"
    path.write_text(path.read_text().replace("More validation for", "More validation, for"))
    assert f"skipped article {A002}" in load("--content-dir", str(content))
    assert Reference.objects.get(article__slug=A002, number=4).note == "checked by the editor"


@pytest.mark.django_db
def test_a_file_whose_slug_differs_from_its_name_is_refused_with_its_name(content):
    path = content / "articles" / f"{A000}.md"
    path.write_text(path.read_text().replace(f"slug: {A000}", "slug: something-else"))
    with pytest.raises(ValueError, match=f"{A000}.md"):
        load("--content-dir", str(content))
    assert not Article.objects.exists(), "a failed load leaves nothing half-done"


# --- Editor's notes (issue 15) --------------------------------------------------------------------

# Each discrepancy between the clinic's words and what the page can show, and the words of its note.
EXPECTED_NOTES = {
    A000: [
        "whole bone marrow aspirate",  # "concentrate" against the paper's whole marrow aspirate
        "did not include the video",  # "described in the video below"
    ],
    A002: [
        "reference 1 below is Pei 2017",  # the misdirected "(1)", and the 2014 study has no entry
        "lists nothing after this sentence",  # "Our other published research includes:"
        "did not include this video",  # "Video: What type of treatment do I need?"
    ],
}


@pytest.mark.parametrize("slug", [A000, A002])
def test_each_discrepancy_has_a_visible_editors_note_and_nothing_else_does(client, loaded, slug):
    html = article_page(client, slug)
    body = html.split('<div class="article-body">')[1].split('id="references-title"')[0]
    notes = editor_notes(body)
    assert len(notes) == len(EXPECTED_NOTES[slug])
    for note, words in zip(notes, EXPECTED_NOTES[slug], strict=True):
        assert note.startswith("Editor’s note") and words in note
    assert body.count('role="note"') == len(notes)
    # The notes are not the clinic's words: none of them is in the source page.
    source = normalise((SEED_000 if slug == A000 else SEED_002).read_text(encoding="utf-8"))
    assert all(note.removeprefix("Editor’s note ") not in source for note in notes)


def test_the_misdirected_citation_is_text_and_the_right_one_still_links(client, loaded):
    html = article_page(client, A002)
    assert "Our 2014 study in the  The Open Arthritis Journal (1) we examined" in html
    # Reference 1 (Pei 2017) is cited once, by the Pei paragraph, not by the 2014 study's sentence.
    assert html.count('href="#ref-1"') == 1
    assert re.search(r'Biomaterials suggests .*?<a class="citation" href="#ref-1" id="cite-1">\(1\)</a>', html)
    assert Article.objects.get(slug=A002).citations["1"] == 1


def test_the_reference_slips_keep_the_sources_wording_with_a_note(client, loaded):
    html = article_page(client, A002)
    section = html.split('id="references-title"')[1]
    ref2 = section.split('id="ref-2"')[1].split("</li>")[0]
    assert "2013 Jan;6:CMAMD-S10951" in ref2 and "2013 Sep 4;6:65-72" in editor_notes(ref2)[0]
    ref3 = section.split('id="ref-3"')[1].split("</li>")[0]
    assert "<cite>Stem Cell International</cite>" in ref3
    assert "Stem Cells International" in editor_notes(ref3)[0]
    assert len(editor_notes(section)) == 2


def test_the_bone_marrow_definition_keeps_concentrate_with_a_note_wherever_shown(client, loaded):
    treatment = Treatment.objects.get(slug="bone-marrow-aspirate")
    assert "bone marrow concentrate injections" in treatment.description
    for path in ["/", "/treatments/", "/treatments/bone-marrow-aspirate/"]:
        html = client.get(path).content.decode()
        assert "bone marrow concentrate" in html
        assert any("whole bone marrow aspirate" in note for note in editor_notes(html)), path
