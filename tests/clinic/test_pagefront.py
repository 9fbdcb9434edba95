"""A page Django answered from the page cache is answered again before Django (clinic.pagefront)."""

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from articles.models import Article
from clinic import pagecache
from clinic.pagefront import PageFront

ARTICLE = "/articles/bone-marrow-aspirate-prolotherapy-knee-pain/"


class CountingApp:
    def __init__(self):
        self.django = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.django(environ, start_response)


@pytest.fixture
def front(db, settings, django_capture_on_commit_callbacks):
    settings.PAGE_CACHE_ENABLED = True
    pagecache._cache_down_until = 0.0
    pagecache._bump_version()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_content", verbosity=0)
    app = CountingApp()
    # As Django's test client does: a request must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield PageFront(app), app
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        pagecache.clear_local()


def get(front_app, path=ARTICLE, **extra):
    environ = RequestFactory()._base_environ(**{"PATH_INFO": path, "REQUEST_METHOD": "GET", **extra})
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    response = front_app(environ, start_response)
    body = b"".join(response)
    if hasattr(response, "close"):
        response.close()  # as a WSGI server does
    return answer["status"], answer["headers"], body


def test_a_cached_page_is_answered_without_django_and_unchanged(front, django_assert_num_queries):
    front_app, django = front
    get(front_app)  # miss: rendered and stored
    status, headers, body = get(front_app)  # hit, through Django
    assert django.calls == 2 and headers["X-Page-Cache"] == "hit"

    with django_assert_num_queries(0):
        again = get(front_app)

    assert django.calls == 2  # Django was not asked
    assert again == (status, headers, body)
    assert "Content-Security-Policy" in headers and "X-Content-Type-Options" in headers


def test_each_coding_is_kept_apart(front):
    front_app, django = front
    for _ in range(2):
        get(front_app, HTTP_ACCEPT_ENCODING="br")
        get(front_app)
    calls = django.calls

    _, br_headers, _ = get(front_app, HTTP_ACCEPT_ENCODING="br")
    _, plain_headers, plain = get(front_app)

    assert django.calls == calls
    assert br_headers["Content-Encoding"] == "br" and "Content-Encoding" not in plain_headers
    assert b"<h1" in plain


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}=abc"},
        {"HTTP_COOKIE": "theme=dark; messages=abc"},
        {"HTTP_IF_NONE_MATCH": '"anything"'},
        {"REQUEST_METHOD": "HEAD"},
        {"QUERY_STRING": "page=2"},
    ],
)
def test_sessions_conditional_requests_other_methods_and_other_urls_go_to_django(front, extra):
    """(Other cookies do not matter: Django answers those from the page cache too.)"""
    front_app, django = front
    get(front_app)
    get(front_app)
    calls = django.calls

    get(front_app, **extra)

    assert django.calls == calls + 1


def test_a_content_change_reaches_the_next_request(front, django_capture_on_commit_callbacks):
    front_app, django = front
    get(front_app)
    get(front_app)
    with django_capture_on_commit_callbacks(execute=True):
        article = Article.objects.get(slug=ARTICLE.split("/")[2])
        article.title = "Changed while the front held the page"
        article.save()

    status, headers, body = get(front_app)

    assert headers["X-Page-Cache"] == "miss"
    assert b"Changed while the front held the page" in body


class WrappedResponse:
    """An iterable over Django's response, as Sentry's WSGI middleware returns (not an HttpResponse)."""

    def __init__(self, response):
        self.response, self.closed = response, False

    def __iter__(self):
        yield from self.response

    def close(self):
        self.closed = True
        self.response.close()


def test_a_wrapped_django_handler_is_fronted_too(front):
    """Sentry's DjangoIntegration wraps Django's WSGI handler once a DSN is set."""
    front_app, django = front
    wrapped = []

    def wrap(environ, start_response):
        wrapped.append(WrappedResponse(django(environ, start_response)))
        return wrapped[-1]

    front_app.app = wrap
    get(front_app)  # miss
    status, headers, body = get(front_app)  # hit, through Django
    assert django.calls == 2 and headers["X-Page-Cache"] == "hit"
    assert all(response.closed for response in wrapped)

    assert get(front_app) == (status, headers, body)
    assert django.calls == 2
