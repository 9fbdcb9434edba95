"""Whole-page caching of the public pages, invalidated by a content version.

A cached page is stored under a key holding the current *content version*, a random token kept in
Django's cache (Redis in production). Every write to what the public pages show (articles,
treatments, authors, case studies, offices, `load_content`) calls `content_changed()`, which sets
a new token after commit: every page cached before is then simply never read again and expires.
The key also holds the clinic's date, because an article scheduled for today becomes public at
midnight without any row changing.

Only anonymous GETs of the pages listed in CACHED_PAGES are served from or stored in the cache.
Never cached: a request carrying a session or messages cookie (it may be signed-in staff seeing a
draft or a preview banner), anything but a 200, a response that sets a cookie, uses a CSRF token,
says no-store / private / no-cache, or whose Content-Security-Policy carries a nonce (a nonce must
differ on every response). A query string is cached only for the parameters a page uses; others
render uncached, so random parameters cannot fill the cache.

Each web process keeps the pages it served most recently in memory too (PAGE_CACHE_LOCAL_ENTRIES),
so a hit costs no round trip to Redis; it asks Redis for the current version at most every
PAGE_CACHE_VERSION_CHECK seconds (1 s by default), so a change shows in every process within that.

If the cache is down the page is rendered as if there were no cache (and the cache is left alone
for a few seconds, so a hung Redis costs one timeout, not one per request).
"""

import logging
import threading
import time
import uuid
from collections import OrderedDict
from functools import lru_cache, partial

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import cc_delim_re, set_response_etag

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"
# URL name -> the query parameters that page uses (others bypass the cache).
CACHED_PAGES: dict[str, frozenset[str]] = {
    "clinic:home": frozenset(),
    "clinic:contact": frozenset(),
    "clinic:privacy": frozenset(),
    "articles:list": frozenset({"page", "treatment"}),
    "articles:detail": frozenset(),
    "articles:feed": frozenset(),
    "articles:treatment_list": frozenset(),
    "articles:treatment": frozenset(),
    "casestudies:list": frozenset({"page"}),
    "casestudies:detail": frozenset(),
    "django.contrib.sitemaps.views.sitemap": frozenset(),
}
# Cookies that can change what a page shows (the messages framework's cookie is "messages").
MESSAGES_COOKIE = "messages"
UNCACHEABLE_CACHE_CONTROL = {"no-store", "no-cache", "private"}
# After a cache error, how long this process renders without trying the cache again.
BACKOFF_SECONDS = 5.0

_cache_down_until = 0.0
# This process's copy of the version (value, when fetched) and its most recent pages.
_local_version: tuple[str, float] | None = None
_local_pages: OrderedDict = OrderedDict()
_local_lock = threading.Lock()


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def _cache_available() -> bool:
    return time.monotonic() >= _cache_down_until


def _cache_failed(action: str, exc: Exception) -> None:
    global _cache_down_until
    _cache_down_until = time.monotonic() + BACKOFF_SECONDS
    logger.warning("pagecache: %s failed (%s); rendering uncached for a while", action, type(exc).__name__)


def _current_version() -> str:
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
        _local_version = None


# --- Invalidation (the service the admin and the content loader call) --------------------------


def content_changed() -> None:
    """Retire every cached page: call after any write to what the public pages show.

    Inside a transaction the new version is set after commit, so no request can cache the old
    content under the new version. Never raises: if the cache is down, the pages cached before
    expire within PAGE_CACHE_SECONDS (and a restarted Redis starts empty anyway). Safe to rerun.
    """
    transaction.on_commit(partial(_bump_version))


def _bump_version() -> None:
    clear_local()
    try:
        _cache().set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception as exc:  # the cache may fail in many ways; a content save must not
        logger.warning("pagecache: could not retire cached pages (%s)", type(exc).__name__)


# --- The middleware ----------------------------------------------------------------------------


@lru_cache(maxsize=2048)
def _view_name(path_info: str) -> str:
    try:
        return resolve(path_info).view_name
    except Resolver404:
        return ""


def _page_key(request) -> str | None:
    """The cache key for this request, or None if it must not use the cache."""
    if not settings.PAGE_CACHE_ENABLED or request.method != "GET" or not _cache_available():
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or MESSAGES_COOKIE in request.COOKIES:
        return None
    allowed = CACHED_PAGES.get(_view_name(request.path_info))
    if allowed is None or not set(request.GET).issubset(allowed):
        return None
    query = request.GET.urlencode() if request.GET else ""
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: let the rest of the stack answer it
        return None
    version = _current_version()
    today = timezone.localdate().isoformat()
    return f"pagecache:page:{version}:{today}:{request.scheme}://{host}{request.path}?{query}"


def response_is_cacheable(request, response) -> bool:
    """Whether a response may be stored for every anonymous visitor."""
    if response.status_code != 200 or response.streaming or response.cookies:
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
    page does not need.
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
            status, headers, content = stored
            response = HttpResponse(content, status=status, headers=dict(headers))
            response["X-Page-Cache"] = "hit"
            return response

        response = self.get_response(request)
        if key is not None and response_is_cacheable(request, response):
            if not response.has_header("ETag"):
                set_response_etag(response)
            headers = [(k, v) for k, v in response.items() if k.lower() != "x-page-cache"]
            try:
                _set_page(key, (response.status_code, headers, response.content))
            except Exception as exc:
                _cache_failed("storing", exc)
            else:
                response["X-Page-Cache"] = "miss"
        return response
