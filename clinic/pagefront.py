"""The page cache's front door: a cached page answered before Django's request handling.

A page-cache answer (clinic.pagecache) still goes through Django: the request object, the signals,
and every middleware above the page cache, which only add the same headers to every answer for the
same URL. So the WSGI app is wrapped: when Django answers a GET from the page cache, this keeps the
response exactly as it left Django (status, every header, the body in the coding the client
asked for), keyed by everything in the request that the answer depends on (scheme and proxy
header, host, script name, path, query string, Accept-Encoding). The next request with the same
key is answered from that copy, while the content version and the clinic's date are still those
the page was stored under. Anything else goes to Django: a request with a session or messages
cookie, a conditional request (Django answers 304), another method, a new version or a new day.
"""

import threading
from collections import OrderedDict

from django.conf import settings
from django.http import parse_cookie
from django.utils import timezone

from . import pagecache

# Request headers that make the answer Django's to give.
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")

_answers: OrderedDict = OrderedDict()
_lock = threading.Lock()


def clear() -> None:
    with _lock:
        _answers.clear()


def _front_key(environ) -> tuple | None:
    if environ.get("REQUEST_METHOD") != "GET" or any(name in environ for name in CONDITIONAL):
        return None
    cookies = environ.get("HTTP_COOKIE")
    if cookies:
        names = parse_cookie(cookies)
        if settings.SESSION_COOKIE_NAME in names or pagecache.MESSAGES_COOKIE in names:
            return None
    proxy = settings.SECURE_PROXY_SSL_HEADER
    return (
        environ.get("wsgi.url_scheme"),
        environ.get(proxy[0]) if proxy else None,
        environ.get("HTTP_X_FORWARDED_HOST") if settings.USE_X_FORWARDED_HOST else None,
        environ.get("HTTP_HOST"),
        environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
        environ.get("SCRIPT_NAME"),
        environ.get("PATH_INFO"),
        environ.get("QUERY_STRING"),
        environ.get("HTTP_ACCEPT_ENCODING"),
    )


def _still_current(version: str, today: str) -> bool:
    try:
        return pagecache.current_version() == version and timezone.localdate().isoformat() == today
    except Exception:  # the cache is down: let Django decide (it renders uncached)
        return False


class PageFront:
    """WSGI middleware: answers a request Django answered from the page cache before, unchanged."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        key = _front_key(environ) if settings.PAGE_CACHE_ENABLED else None
        if key is not None:
            entry = _answers.get(key)
            if entry is not None and _still_current(entry[0], entry[1]):
                start_response(entry[2], entry[3])
                return [entry[4]]

        captured = []

        def capture(status, headers, exc_info=None):
            captured.append((status, headers))
            return start_response(status, headers, exc_info)

        response = self.app(environ, capture)
        answered = environ.get(pagecache.FRONT_ENVIRON_KEY)
        if key is not None and answered and captured and captured[0][0].startswith("200 "):
            # A page-cache answer is one body of bytes. Read it from the iterable, not from an
            # HttpResponse: what wraps Django's handler (Sentry's DjangoIntegration patches it when a
            # DSN is set) returns an iterable of its own.
            try:
                body = b"".join(response)
            finally:
                if hasattr(response, "close"):
                    response.close()
            status, headers = captured[0]
            self._keep(key, (*answered, status, list(headers), body))
            return [body]
        return response

    @staticmethod
    def _keep(key, entry) -> None:
        with _lock:
            _answers[key] = entry
            _answers.move_to_end(key)
            while len(_answers) > settings.PAGE_CACHE_LOCAL_ENTRIES * 3:  # up to 3 codings a page
                _answers.popitem(last=False)
