"""The public forms' layout is rendered once per content version (intake/formhtml.py): each view
gets the HTML `{% crispy form %}` renders, with its own start time and submission token, and
showing a form writes nothing."""

import re

import pytest
from crispy_forms.utils import render_crispy_form
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from clinic.models import Office
from intake.forms import CandidateForm, QuestionForm

HIDDEN = re.compile(r'name="(started|submission_token)" value="([^"]*)"')


def hidden(html: str) -> dict:
    return dict(HIDDEN.findall(html))


@pytest.mark.parametrize("url, form_class", [("/candidate/", CandidateForm), ("/ask/", QuestionForm)])
def test_each_view_shows_the_html_crispy_renders_with_its_own_values(client, offices, url, form_class):
    first = client.get(url).content.decode()
    second = client.get(url).content.decode()
    one, two = hidden(first), hidden(second)
    assert set(one) == set(two) == {"started", "submission_token"}
    assert one["submission_token"] != two["submission_token"]
    for page, values in ((first, one), (second, two)):
        expected = render_crispy_form(form_class(initial=values))
        assert expected in page
    assert "intake-started-stand-in" not in first + second and "00000000-0000-4000-8000-00000000f0e1" not in second


def test_showing_the_form_writes_nothing(client, offices):
    client.get("/candidate/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/candidate/").status_code == 200
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))]
    assert writes == []


def test_an_office_renamed_shows_on_the_next_view(client, offices):
    assert "Oak Park" in client.get("/candidate/").content.decode()
    office = Office.objects.get(slug="oak-park")
    office.label = "Oak Park <new building>"
    office.save()
    html = client.get("/candidate/").content.decode()
    assert "Oak Park &lt;new building&gt;" in html and "<new building>" not in html


def test_the_question_form_keeps_the_article_it_was_opened_from(client, offices):
    slugs = list(Article.objects.published().values_list("slug", flat=True)[:2])
    assert len(slugs) == 2
    for slug in [*slugs, "<script>", slugs[0]]:
        html = client.get("/ask/", {"article": slug}).content.decode()
        found = re.findall(r'name="article_slug"(?: value="([^"]*)")?', html)
        assert found == [slug if slug != "<script>" else ""]


def test_a_form_sent_back_with_errors_keeps_what_was_typed(client, offices):
    client.get("/candidate/")
    response = client.post("/candidate/", {"first_name": "Ada <b>", "email": "not an address"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="first_name" value="Ada &lt;b&gt;"' in html
    assert "Enter an email address in the correct format" in html
