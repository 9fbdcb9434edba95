"""Whole-page caching of the public pages, invalidated by a content version.

A page is cached where it is declared: its view carries `@cached_page(...)`, naming the query
parameters that page uses (a request with any other parameter renders uncached, so random
parameters cannot fill the cache).

A cached page is stored under a key holding the current *content version*, a random token kept in
Django's cache (Redis in production). Every write to what the public pages show calls
`content_changed()`, which sets a new token after commit: every page cached before is then simply
never read again and expires. The content apps call it from their write paths (`retire_on_writes`
in each app's `ready()`: any save or delete of a content row, in admin, a shell, a command or a
data migration; and `load_content`). The key also holds the clinic's date, because an article
scheduled for today becomes public at midnight without any row changing.

Only anonymous GETs are served from or stored in the cache. Never cached: a request carrying a
session or messages cookie (it may be signed-in staff seeing a draft or a preview banner),
anything but a 200, a response that sets a cookie, uses a CSRF token, says no-store / private /
no-cache, or whose Content-Security-Policy carries a nonce (a nonce must differ on every response).

Each page is stored with its brotli and gzip bodies, compressed once when stored, and answered by
the request's Accept-Encoding (`Vary: Accept-Encoding`; each encoding has its own ETag).

Each web process keeps the pages it served most recently in memory too (PAGE_CACHE_LOCAL_ENTRIES),
so a hit costs no round trip to Redis; it asks Redis for the current version at most every
PAGE_CACHE_VERSION_CHECK seconds (1 s by default), so a change shows in every process within that.
`per_content_version` keeps other derived values (the site chrome) in memory for one version.

If the cache is down the page is rendered as if there were no cache (and the cache is left alone
for a few seconds, so a hung Redis costs one timeout, not one per request).
"""

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import caches
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import cc_delim_re, patch_vary_headers, set_response_etag

from .codings import accepted_codings, compressed_bodies, etag_for_coding

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"
# Set on the WSGI environ when a page is answered from the cache: (version, date) (clinic.pagefront).
FRONT_ENVIRON_KEY = "clinic.pagecache.answered"
# Cookies that can change what a page shows (the messages framework's cookie is "messages").
MESSAGES_COOKIE = "messages"
UNCACHEABLE_CACHE_CONTROL = {"no-store", "no-cache", "private"}
# After a cache error, how long this process renders without trying the cache again.
BACKOFF_SECONDS = 5.0

_cache_down_until = 0.0
# This process's copy of the version (value, when fetched), its most recent pages, and the values
# kept for one content version (per_content_version).
_local_version: tuple[str, float] | None = None
_local_pages: OrderedDict = OrderedDict()
_local_values: dict[str, tuple[str, object]] = {}
_local_lock = threading.Lock()


# --- Declaring a cached page -------------------------------------------------------------------


def cached_page(*query_params: str):
    """Mark a view (function, class-based view or Feed class) as a page cached for the public.

    `query_params` are the query string parameters the page uses; a request with any other renders
    uncached. A class keeps the mark in its subclasses.
    """
    allowed = frozenset(query_params)

    def mark(view):
        if isinstance(view, type):
            view.page_cache_query = allowed
            return view

        @wraps(view)
        def cached_view(*args, **kwargs):
            return view(*args, **kwargs)

        cached_view.page_cache_query = allowed
        return cached_view

    return mark


@lru_cache(maxsize=2048)
def _allowed_query(path_info: str) -> frozenset[str] | None:
    """The query parameters of the cached page at this path, or None if it is not a cached page."""
    try:
        func = resolve(path_info).func
    except Resolver404:
        return None
    allowed = getattr(func, "page_cache_query", None)
    if allowed is None:
        allowed = getattr(getattr(func, "view_class", None), "page_cache_query", None)
    return allowed


# --- The cache and this process's copies --------------------------------------------------------


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def _cache_available() -> bool:
    return time.monotonic() >= _cache_down_until


def _cache_failed(action: str, exc: Exception) -> None:
    global _cache_down_until
    _cache_down_until = time.monotonic() + BACKOFF_SECONDS
    logger.warning("pagecache: %s failed (%s); rendering uncached for a while", action, type(exc).__name__)


def current_version() -> str:
    """The content version (this process's copy, checked against the cache every
    PAGE_CACHE_VERSION_CHECK seconds)."""
    global _local_version
    now = time.monotonic()
    if _local_version is not None and now - _local_version[1] < settings.PAGE_CACHE_VERSION_CHECK:
        return _local_version[0]
    cache = _cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        # First request after a start or a flush: any token will do, as long as all agree on it.
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    _local_version = (version, now)
    return version


def _get_page(key: str):
    with _local_lock:
        entry = _local_pages.get(key)
        if entry is not None:
            if entry[0] > time.monotonic():
                _local_pages.move_to_end(key)
                return entry[1]
            del _local_pages[key]
    stored = _cache().get(key)
    if stored is not None:
        _remember(key, stored)
    return stored


def _remember(key: str, stored) -> None:
    with _local_lock:
        _local_pages[key] = (time.monotonic() + settings.PAGE_CACHE_SECONDS, stored)
        _local_pages.move_to_end(key)
        while len(_local_pages) > settings.PAGE_CACHE_LOCAL_ENTRIES:
            _local_pages.popitem(last=False)


def _set_page(key: str, stored) -> None:
    _remember(key, stored)
    _cache().set(key, stored, settings.PAGE_CACHE_SECONDS)


def clear_local() -> None:
    """Forget this process's copies (tests; a version change makes them unreachable anyway)."""
    global _local_version
    with _local_lock:
        _local_pages.clear()
        _local_values.clear()
        _local_version = None
    from . import pagefront  # it builds on this module

    pagefront.clear()


def per_content_version(func: Callable[[], object]) -> Callable[[], object]:
    """Keep what `func()` returns in this process's memory until the content version changes.

    For what many pages show and only a content change alters (the offices in the footer, the
    treatments menu). With CHROME_CACHE_ENABLED off, or the cache down, `func` runs every time.
    The value is shared by every request: return something nobody mutates (lists, tuples).
    """
    name = f"{func.__module__}.{func.__qualname__}"

    @wraps(func)
    def cached():
        if not settings.CHROME_CACHE_ENABLED or not _cache_available():
            return func()
        try:
            version = current_version()
        except Exception as exc:
            _cache_failed("reading the version", exc)
            return func()
        entry = _local_values.get(name)
        if entry is not None and entry[0] == version:
            return entry[1]
        value = func()
        _local_values[name] = (version, value)
        return value

    return cached


# --- Invalidation ------------------------------------------------------------------------------


def content_changed() -> None:
    """Retire every cached page: call after any write to what the public pages show.

    Inside a transaction the new version is set after commit (once, however many rows changed), so
    no request can cache the old content under the new version. Never raises: if the cache is down,
    the pages cached before expire within PAGE_CACHE_SECONDS (and a restarted Redis starts empty
    anyway). Safe to rerun.
    """
    connection = transaction.get_connection()
    pending = getattr(connection, "pagecache_bump", None)
    if pending is not None and any(entry[1] is pending for entry in connection.run_on_commit):
        return  # this transaction retires the pages already

    def bump():
        connection.pagecache_bump = None
        _bump_version()
        for callback in _after_commit:
            callback()

    connection.pagecache_bump = bump
    transaction.on_commit(bump)


_after_commit: list[Callable[[], object]] = []


def after_content_commit(callback: Callable[[], object]) -> None:
    """Also run `callback` once after each commit that retired the cached pages (e.g. rebuild the
    site search's index), after the new version is set. Call from an app's `ready()`."""
    if callback not in _after_commit:
        _after_commit.append(callback)


def _bump_version() -> None:
    clear_local()
    try:
        _cache().set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception as exc:  # the cache may fail in many ways; a content save must not
        logger.warning("pagecache: could not retire cached pages (%s)", type(exc).__name__)


def _on_write(sender, **kwargs) -> None:
    if kwargs.get("action", "post_").startswith("post_"):
        # This process forgets its copies at once (what it reads again before the commit is kept
        # under the old version, which the commit retires); every process, after commit.
        clear_local()
        content_changed()


def retire_on_writes(*content_models: type[models.Model]) -> None:
    """Retire the cached pages after every save or delete of these models, and every change to
    their many-to-many fields, wherever it is made. Call from the app's `ready()`.

    (A queryset `.update()` sends no signal: a service that updates rows calls content_changed().
    A data migration writes through historical models, which send signals of their own: `migrate`
    retires the pages when it finishes, see retire_after_migrate.)
    """
    for model in content_models:
        uid = f"pagecache:{model._meta.label}"
        post_save.connect(_on_write, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"{uid}:delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(_on_write, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}")


def retire_after_migrate(sender, **kwargs) -> None:
    """post_migrate receiver (clinic.apps): a data migration may have changed what pages show.

    Only the version: the after_content_commit callbacks may read tables a partial `migrate` has not
    made yet (the release's load_content rebuilds the search index)."""
    _bump_version()


# --- Answers and the middleware ---------------------------------------------------------------


def _answer(request, stored, state: str) -> HttpResponse:
    """A response for `stored` (status, headers, bodies), in the best coding the client accepts."""
    status, headers, bodies = stored
    coding = ""
    for candidate in accepted_codings(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        if candidate in bodies:
            coding = candidate
            break
    body = bodies[coding]
    response = HttpResponse(body, status=status, headers=dict(headers))
    response["Content-Length"] = str(len(body))
    if len(bodies) > 1:
        patch_vary_headers(response, ("Accept-Encoding",))
    if coding:
        response["Content-Encoding"] = coding
        response["ETag"] = etag_for_coding(response.get("ETag", ""), coding)
    response["X-Page-Cache"] = state
    if state == "hit":
        # The answer, as it leaves Django, may be given again by clinic.pagefront for this version.
        request.environ[FRONT_ENVIRON_KEY] = request.pagecache_stamp
    return response


def _page_key(request) -> str | None:
    """The cache key for this request, or None if it must not use the cache."""
    if not settings.PAGE_CACHE_ENABLED or request.method != "GET" or not _cache_available():
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or MESSAGES_COOKIE in request.COOKIES:
        return None
    allowed = _allowed_query(request.path_info)
    if allowed is None or not allowed.issuperset(request.GET):
        return None
    query = request.GET.urlencode() if request.GET else ""
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: let the rest of the stack answer it
        return None
    version = current_version()
    today = timezone.localdate().isoformat()
    request.pagecache_stamp = (version, today)
    return f"pagecache:page:{version}:{today}:{request.scheme}://{host}{request.path}?{query}"


def response_is_cacheable(request, response) -> bool:
    """Whether a response may be stored for every anonymous visitor."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if response.has_header("Content-Encoding"):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False  # the page holds a CSRF token (a form)
    cache_control = {
        part.split("=")[0].strip().lower() for part in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if cache_control & UNCACHEABLE_CACHE_CONTROL:
        return False
    for header in ("Content-Security-Policy", "Content-Security-Policy-Report-Only"):
        if "'nonce-" in response.get(header, ""):
            return False
    if isinstance(getattr(request, "_csp_nonce", None), str):
        return False  # a nonce was made for this page; its header is added further out
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    return b"csrfmiddlewaretoken" not in response.content


class PageCacheMiddleware:
    """Serve the public pages from the cache, and store them there.

    Sits right after ConditionalGetMiddleware (so a cached page still answers If-None-Match and
    If-Modified-Since with 304) and before the session, CSRF and auth middleware, which a cached
    page does not need. GZipMiddleware, further out, leaves the compressed answers alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            key = _page_key(request)
            stored = _get_page(key) if key else None
        except Exception as exc:
            _cache_failed("reading", exc)
            key = stored = None
        if stored is not None:
            return _answer(request, stored, "hit")

        response = self.get_response(request)
        if key is None or not response_is_cacheable(request, response):
            return response
        if not response.has_header("ETag"):
            set_response_etag(response)
        headers = [(k, v) for k, v in response.items() if k.lower() not in {"x-page-cache", "content-length"}]
        stored = (response.status_code, headers, compressed_bodies(response.content))
        try:
            _set_page(key, stored)
        except Exception as exc:
            _cache_failed("storing", exc)
            return response
        return _answer(request, stored, "miss")
