"""The public pages are served from the cache to anonymous visitors, and only to them."""

import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import caches
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client, RequestFactory

from articles.models import Article, Treatment
from clinic import pagecache

A000 = "bone-marrow-aspirate-prolotherapy-knee-pain"
PAGES = [
    "/",
    "/articles/",
    f"/articles/{A000}/",
    "/treatments/",
    "/treatments/platelet-rich-plasma/",
    "/case-studies/",
    "/case-studies/case-history-1-69-year-old-man-both-knees/",
    "/articles/feed/",
    "/sitemap.xml",
    "/editorial-policy/",
]


@pytest.fixture
def page_cache(settings, django_capture_on_commit_callbacks):
    """The page cache on, starting from a fresh content version (other runs may share Redis)."""
    settings.PAGE_CACHE_ENABLED = True
    pagecache._cache_down_until = 0.0
    pagecache._bump_version()
    yield
    pagecache._cache_down_until = 0.0
    pagecache.clear_local()


@pytest.fixture
def loaded(db, page_cache, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_content", verbosity=0)


@pytest.fixture
def staff_client(db):
    user = User.objects.create_user("editor", password="x" * 16, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="articles"))
    staff = Client()
    staff.force_login(user)
    return staff


@pytest.mark.parametrize("path", PAGES)
def test_a_public_page_is_served_from_the_cache_without_queries(client, loaded, path, django_assert_num_queries):
    first = client.get(path)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"

    with django_assert_num_queries(0):
        second = client.get(path)

    assert second.status_code == 200
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["ETag"] == first["ETag"]


def test_a_cached_page_answers_a_conditional_request_with_304(client, loaded, django_assert_num_queries):
    etag = client.get(f"/articles/{A000}/")["ETag"]

    with django_assert_num_queries(0):  # from the cache
        again = client.get(f"/articles/{A000}/", HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again["ETag"] == etag


def test_editing_a_treatment_in_admin_shows_at_once_on_cached_pages(client, loaded, django_capture_on_commit_callbacks):
    assert b"Platelet Rich Plasma" in client.get("/treatments/").content
    treatment = Treatment.objects.get(slug="platelet-rich-plasma")
    admin = User.objects.create_superuser("boss", password="x" * 16)
    editor = Client()
    editor.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            f"/admin/articles/treatment/{treatment.pk}/change/",
            {"name": "PRP, renamed", "slug": treatment.slug, "description": treatment.description, "order": 1},
        )
    assert response.status_code == 302

    page = client.get("/treatments/")
    assert page["X-Page-Cache"] == "miss"
    assert b"PRP, renamed" in page.content


def test_reloading_content_retires_cached_pages(client, loaded, django_capture_on_commit_callbacks):
    client.get("/")
    Article.objects.filter(slug=A000).update(title="A changed title")

    assert client.get("/")["X-Page-Cache"] == "hit"  # a raw update does not go through a service
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_content", verbosity=0)

    page = client.get("/")
    assert page["X-Page-Cache"] == "miss"


def test_staff_never_read_or_fill_the_cache(client, staff_client, loaded):
    Article.objects.filter(slug=A000).update(status=Article.Status.DRAFT)
    with_draft = staff_client.get(f"/articles/{A000}/")
    assert with_draft.status_code == 200  # a staff preview
    assert "X-Page-Cache" not in with_draft

    assert client.get(f"/articles/{A000}/").status_code == 404  # the public never sees the preview
    client.get("/")
    assert "X-Page-Cache" not in staff_client.get("/")


def test_a_post_to_a_cached_page_is_not_answered_from_the_cache(client, loaded):
    client.get("/")

    response = client.post("/")

    assert response.status_code == 405
    assert "X-Page-Cache" not in response


@pytest.mark.parametrize("path", ["/candidate/", "/ask/", "/newsletter/", "/admin/login/", "/search/?q=knee"])
def test_forms_search_and_admin_are_never_cached(client, loaded, path, django_assert_max_num_queries):
    client.get(path)

    response = client.get(path)

    assert response.status_code == 200
    assert "X-Page-Cache" not in response


def test_missing_pages_and_unknown_query_parameters_are_not_cached(client, loaded):
    assert client.get("/articles/no-such-article/").status_code == 404
    assert "X-Page-Cache" not in client.get("/articles/no-such-article/")
    assert "X-Page-Cache" not in client.get("/articles/?utm_source=spam")
    assert client.get("/articles/?page=1")["X-Page-Cache"] == "miss"


def test_a_visitor_with_a_session_gets_the_page_rendered(client, loaded, settings):
    client.get("/")
    client.cookies[settings.SESSION_COOKIE_NAME] = "anything"

    response = client.get("/")

    assert response.status_code == 200
    assert "X-Page-Cache" not in response


def test_responses_with_a_nonce_cookie_or_no_store_are_not_stored():
    request = RequestFactory().get("/")
    plain = HttpResponse("<h1>Hi</h1>")
    assert pagecache.response_is_cacheable(request, plain)

    with_nonce = HttpResponse("x")
    with_nonce["Content-Security-Policy"] = "script-src 'self' 'nonce-abc'"
    with_cookie = HttpResponse("x")
    with_cookie.set_cookie("csrftoken", "t")
    no_store = HttpResponse("x")
    no_store["Cache-Control"] = "max-age=0, no-store"
    for response in (with_nonce, with_cookie, no_store, HttpResponse("x", status=500)):
        assert not pagecache.response_is_cacheable(request, response)

    request._csp_nonce = "abc"  # django-csp made a nonce: its header is added further out
    assert not pagecache.response_is_cacheable(request, plain)


def test_a_change_made_in_another_process_shows_once_the_version_is_rechecked(client, loaded, settings):
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"  # from this process's memory

    caches["default"].set(pagecache.VERSION_KEY, "set-by-another-process", timeout=None)
    settings.PAGE_CACHE_VERSION_CHECK = 0

    assert client.get("/")["X-Page-Cache"] == "miss"


def test_the_pages_render_when_the_cache_is_down(client, loaded, redis_server, settings):
    settings.PAGE_CACHE_VERSION_CHECK = 0  # ask Redis on every request, as once the check is due
    pagecache.clear_local()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "pagecache-test",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.get("/")["X-Page-Cache"] == "hit"

    redis_server.stop()
    try:
        for path in PAGES:
            response = client.get(path)
            assert response.status_code == 200, path
            assert "X-Page-Cache" not in response
        assert b"Caring Medical" in client.get("/").content
        pagecache._bump_version()  # a content save while Redis is down does not fail either
    finally:
        caches["default"].close()


def test_an_article_saved_outside_admin_shows_at_once_on_cached_pages(
    client, loaded, django_capture_on_commit_callbacks
):
    """A shell, a command or a data migration saves through the ORM: the cached pages retire too."""
    path = f"/articles/{A000}/"
    assert client.get(path)["X-Page-Cache"] == "miss"
    assert client.get(path)["X-Page-Cache"] == "hit"
    article = Article.objects.get(slug=A000)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        article.title = "A title changed in a shell"
        article.save()
        article.treatments.clear()  # a second write in the same transaction: still one retirement
    assert len(callbacks) == 1

    page = client.get(path)
    assert page["X-Page-Cache"] == "miss"
    assert b"A title changed in a shell" in page.content
    assert b"A title changed in a shell" in client.get("/articles/").content


def test_deleting_a_case_history_outside_admin_retires_cached_pages(client, loaded, django_capture_on_commit_callbacks):
    from casestudies.models import CaseStudy

    path = "/case-studies/case-history-1-69-year-old-man-both-knees/"
    assert client.get(path).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        CaseStudy.objects.filter(slug=path.split("/")[2]).delete()

    assert client.get(path).status_code == 404


def test_pages_are_cached_where_their_views_say_so():
    from articles.views import ArticleListView

    assert ArticleListView.page_cache_query == {"page", "treatment"}
    assert pagecache._allowed_query("/articles/") == {"page", "treatment"}
    assert pagecache._allowed_query("/sitemap.xml") == frozenset()
    assert pagecache._allowed_query("/candidate/") is None
    assert pagecache._allowed_query("/no-such-page/") is None


@pytest.mark.parametrize(
    ("accept", "coding"),
    [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"), ("", None), ("identity", None)],
)
def test_a_cached_page_is_sent_compressed_as_the_client_accepts(client, loaded, accept, coding):
    import gzip

    import brotli

    path = f"/articles/{A000}/"
    plain = client.get(path, HTTP_ACCEPT_ENCODING="")
    first = client.get(path, HTTP_ACCEPT_ENCODING=accept)  # stored with every coding at the first miss
    assert first["X-Page-Cache"] == "hit"

    assert "Accept-Encoding" in first["Vary"]
    assert first.get("Content-Encoding") == coding
    assert int(first["Content-Length"]) == len(first.content)
    body = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[coding](first.content)
    assert body == plain.content
    if coding:
        assert len(first.content) < len(plain.content) / 3
        assert first["ETag"] != plain["ETag"]
        # A conditional request in the same coding gets 304.
        again = client.get(path, HTTP_ACCEPT_ENCODING=accept, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304


def test_the_first_request_gets_the_page_compressed_too(client, loaded):
    response = client.get(f"/articles/{A000}/", HTTP_ACCEPT_ENCODING="gzip, br")

    assert response["X-Page-Cache"] == "miss"
    assert response["Content-Encoding"] == "br"


def test_pages_built_per_request_are_compressed(client, loaded):
    """Forms are never cached; GZipMiddleware compresses them, with its BREACH padding and Django's
    masked CSRF token (a different token body on every response)."""
    import gzip
    import re

    first = client.get("/candidate/", HTTP_ACCEPT_ENCODING="gzip")
    second = client.get("/candidate/", HTTP_ACCEPT_ENCODING="gzip")

    assert "X-Page-Cache" not in first
    assert first["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in first["Vary"]
    html = gzip.decompress(first.content).decode()
    assert "csrfmiddlewaretoken" in html
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.search(html).group(1) != token.search(gzip.decompress(second.content).decode()).group(1)
    assert "Content-Encoding" not in client.get("/candidate/")  # a client that asks for none


def test_migrate_retires_cached_pages(client, loaded, django_capture_on_commit_callbacks):
    """A data migration writes through historical models, whose signals no receiver hears."""
    path = f"/articles/{A000}/"
    client.get(path)
    Article.objects.filter(slug=A000).update(title="Changed by a data migration")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("migrate", verbosity=0)

    page = client.get(path)
    assert page["X-Page-Cache"] == "miss"
    assert b"Changed by a data migration" in page.content


def test_rendering_a_treatments_body_retires_cached_pages(client, loaded, django_capture_on_commit_callbacks):
    """articles.services.render_treatment writes with .update(), which sends no signal."""
    from articles import services

    path = "/treatments/platelet-rich-plasma/"
    client.get(path)
    assert client.get(path)["X-Page-Cache"] == "hit"
    treatment = Treatment.objects.get(slug="platelet-rich-plasma")
    treatment.body = "Words written for this test only."
    with django_capture_on_commit_callbacks(execute=True):
        assert services.render_treatment(treatment=treatment)
    page = client.get(path)
    assert page["X-Page-Cache"] == "miss"
