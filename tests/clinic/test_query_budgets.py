"""A public page rendered afresh (page cache off, every request a miss) costs at most 4 queries.

The site chrome and the case-history cards are read once per content version (the first request
here); after that each page asks only for its own rows. Runs on SQLite and on PostgreSQL.
"""

import pytest
from django.core.management import call_command

from articles.models import Article

PAGES = [
    "/",
    "/articles/bone-marrow-aspirate-prolotherapy-knee-pain/",
    "/case-studies/case-history-1-69-year-old-man-both-knees/",
    "/treatments/platelet-rich-plasma/",
]


@pytest.fixture
def loaded(db):
    call_command("load_content", verbosity=0)


@pytest.mark.parametrize("path", PAGES)
def test_a_page_rendered_afresh_costs_at_most_four_queries(client, loaded, path, django_assert_max_num_queries):
    first = client.get(path)
    assert first.status_code == 200
    assert "X-Page-Cache" not in first

    with django_assert_max_num_queries(4):
        again = client.get(path)

    assert again.status_code == 200
    assert again.content == first.content


def test_the_budget_holds_however_many_articles_link_to_treatments_and_case_histories(
    client, loaded, django_assert_max_num_queries
):
    article = Article.objects.get(slug="bone-marrow-aspirate-prolotherapy-knee-pain")
    for n in range(5):
        other = Article.objects.get(pk=article.pk)
        other.pk = None
        other.slug = f"copy-{n}"
        other.save()
        other.treatments.set(article.treatments.all())
    for path in PAGES:
        client.get(path)
        with django_assert_max_num_queries(4):
            assert client.get(path).status_code == 200


def test_the_budget_covers_the_case_cards_and_related_case_histories(client, loaded, django_assert_max_num_queries):
    """The treatment page's case cards and the article's related case histories (each with its
    disclosure) come from the per-content-version cards, not from queries of their own."""
    for path, heading in [(PAGES[1], "Related case histories"), (PAGES[3], "Case histories")]:
        client.get(path)
        with django_assert_max_num_queries(4):
            html = client.get(path).content.decode()
        assert heading in html and "/case-studies/case-history-" in html
        assert "not a typical result" in html, "the endorsement disclosure"
