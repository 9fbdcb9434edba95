"""Editors' admin: the Editors group, the article list with review dates, saving through admin."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from articles.models import Article
from articles.search import search

from .factories import make_article, make_author, make_treatment

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return user


def test_editors_group_has_only_content_permissions():
    group = Group.objects.get(name="Editors")
    articles_perms = {
        f"{action}_{model}"
        for model in ["treatment", "author", "article", "articleauthor", "reference"]
        for action in ["view", "add", "change", "delete"]
    }
    mine = set(group.permissions.filter(content_type__app_label="articles").values_list("codename", flat=True))
    assert mine == articles_perms
    others = group.permissions.exclude(content_type__app_label__in=["articles", "casestudies"])
    assert not others.exists(), "no intake (inquiry), auth or clinic permissions"
    assert not Permission.objects.filter(group=group, content_type__app_label="intake").exists()


def test_editor_sees_articles_with_overdue_reviews_highlighted_and_filtered(client, editor):
    today = timezone.localdate()
    make_article(slug="overdue", title="Overdue one", next_review_due=today - datetime.timedelta(days=1))
    make_article(slug="fine", title="Fine one", next_review_due=today + datetime.timedelta(days=200))
    html = client.get("/admin/articles/article/").content.decode()
    assert "Overdue one" in html and "Fine one" in html
    assert '<strong class="review-overdue">' in html and "(overdue)" in html
    filtered = client.get("/admin/articles/article/?review=overdue").content.decode()
    assert "Overdue one" in filtered and "Fine one" not in filtered
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403


def test_saving_in_admin_renders_the_body_and_links_the_new_reference(client, editor):
    treatment = make_treatment(slug="prp", name="PRP")
    author = make_author(slug="someone", name="Some One")
    data = {
        "title": "Admin article",
        "slug": "admin-article",
        "summary": "Summary.",
        "body": "## Part\n\nA claim (1).<script>alert(1)</script>",
        "treatments": [treatment.pk],
        "status": "draft",
        "published_on": "",
        "updated_on": "",
        "last_reviewed_on": "2025-01-02",
        "reviewer": author.pk,
        "next_review_due": "2026-01-02",
        "hero_alt": "",
        "articleauthor_set-TOTAL_FORMS": "1",
        "articleauthor_set-INITIAL_FORMS": "0",
        "articleauthor_set-0-order": "0",
        "articleauthor_set-0-author": author.pk,
        "references-TOTAL_FORMS": "1",
        "references-INITIAL_FORMS": "0",
        "references-0-number": "1",
        "references-0-year": "2020",
        "references-0-date": "",
        "references-0-authors": "Doe J",
        "references-0-title": "A paper",
        "references-0-journal": "A Journal",
        "references-0-volume_pages": "1:2-3",
        "references-0-doi": "",
        "references-0-note": "",
    }
    response = client.post("/admin/articles/article/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug="admin-article")
    assert '<a class="citation" href="#ref-1" id="cite-1">(1)</a>' in article.body_html
    assert "<script" not in article.body_html
    # The draft's preview link works for the editor and nobody else.
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200 and "Doe J. A paper." in page.content.decode()
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_article_change_page_has_a_preview_link_and_prepopulated_slug(client, editor):
    article = make_article(slug="draft-x", status=Article.Status.DRAFT)
    html = client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert 'href="/articles/draft-x/"' in html and "Preview (visible to staff only)" in html
    assert "prepopulated" in client.get("/admin/articles/article/add/").content.decode()


def test_saving_or_deleting_in_admin_rebuilds_the_site_search_after_commit(
    client, editor, django_capture_on_commit_callbacks
):
    """The search index follows admin saves and deletes once they commit (articles.apps hooks the
    rebuild onto clinic.pagecache's write path, so any ORM write does the same)."""
    with django_capture_on_commit_callbacks(execute=True):
        treatment = make_treatment(slug="prp", name="PRP")
    assert search("zygomorphic").hits == []
    data = {"name": "Zygomorphic therapy", "slug": "prp", "description": "Sunflowers.", "editor_note": ""}
    data |= {"body": "", "order": "0"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/articles/treatment/{treatment.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [hit.title for hit in search("zygomorphic").hits] == ["Zygomorphic therapy for knee pain"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/articles/treatment/{treatment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert search("zygomorphic").hits == []
