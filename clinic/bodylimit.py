"""A limit on the size of a request body, applied before Django reads any of it.

gunicorn limits the request line and headers (limit_request_*) but not the body, and Django checks
an upload's size only after its multipart parser has read it (to a temporary file past 2.5 MB). So a
300 MB POST used to be written to /tmp before the form refused the picture. Here a body larger than
settings.MAX_REQUEST_BODY (a little over the 10 MB picture limit) is answered 413 at once:

- with a Content-Length: from the header, without reading the body;
- chunked (no Content-Length): read into memory up to the limit, and refused as soon as it passes
  it, so Django only ever sees a body of known, bounded length.

`BodyLimit` wraps the WSGI application (clinic/wsgi.py, so gunicorn and runserver); the middleware
does the same check inside Django for any other way in (the test client, another WSGI server).
"""

import io

from django.conf import settings
from django.http import HttpResponse

CHUNK = 64 * 1024
# The picture limit (settings.INTAKE_UPLOAD_MAX_BYTES, 10 MB) plus room for the form's other fields
# and the multipart framing. Read by gunicorn.conf.py too, which runs before Django's settings.
DEFAULT_MAX_REQUEST_BODY = 10 * 1024 * 1024 + 512 * 1024
MESSAGE = b"Request too large. A picture may be up to 10 MB.\n"


def declared_length(environ) -> int | None:
    try:
        return int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def is_chunked(environ) -> bool:
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def read_bounded(stream, limit: int) -> bytes | None:
    """The whole of `stream` if it is at most `limit` bytes, else None (having read just past it)."""
    buffer = io.BytesIO()
    while True:
        chunk = stream.read(min(CHUNK, limit + 1 - buffer.tell()))
        if not chunk:
            return buffer.getvalue()
        buffer.write(chunk)
        if buffer.tell() > limit:
            return None


class BodyLimit:
    """WSGI middleware: 413 for a request body over `limit` bytes, before the application runs."""

    def __init__(self, application, limit: int):
        self.application = application
        self.limit = limit

    def __call__(self, environ, start_response):
        length = declared_length(environ)
        if length is not None and length > self.limit:
            return self.refuse(start_response)
        if length is None and is_chunked(environ):
            body = read_bounded(environ["wsgi.input"], self.limit)
            if body is None:
                return self.refuse(start_response)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.application(environ, start_response)

    def refuse(self, start_response):
        # gunicorn closes the connection afterwards (pre_request in gunicorn.conf.py), so it does not
        # read the rest of the body to reuse it. (A WSGI application may not set Connection itself.)
        start_response(
            "413 Request Entity Too Large",
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(MESSAGE)))],
        )
        return [MESSAGE]


class RequestBodyLimitMiddleware:
    """The same limit inside Django, first in MIDDLEWARE: a declared or chunked body over
    MAX_REQUEST_BODY is answered 413 before anything reads request.body or request.POST."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = declared_length(request.META)
        if (length is not None and length > settings.MAX_REQUEST_BODY) or (length is None and is_chunked(request.META)):
            return HttpResponse(MESSAGE, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
