"""Pages while the database is down: a clear 503 instead of a 500, and a form kept whole.

Django turns any uncaught exception into handler500 (ours: `server_error`). When the exception is
a lost database connection (OperationalError or InterfaceError, anywhere in its chain), the visitor
gets the 503 page (templates/503.html, which needs no database) with Retry-After. A POST to a view
that offers `outage_response(request)` (the intake forms) gets that instead: the form again with
everything typed, so nothing the patient wrote is lost. Any other error stays a 500.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60


def is_database_outage(exc: BaseException | None) -> bool:
    """True if `exc`, or an exception it was raised from, says the database cannot be reached."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _form_view_response(request):
    """The view's own outage answer for a POST (the form with what was typed), or None."""
    if request.method != "POST":
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not hasattr(view_class, "outage_response"):
        return None
    view = view_class(**getattr(match.func, "view_initkwargs", {}))
    view.setup(request, *match.args, **match.kwargs)
    return view.outage_response()


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """handler500: 503 with Retry-After for a database outage (the form kept, on a form POST)."""
    if not is_database_outage(sys.exc_info()[1]):
        return _page(request, "500.html", 500)
    return _outage(request)


@requires_csrf_token
def bad_request(request, exception, template_name="400.html"):
    """handler400: the session could not be saved because the database went away (Django says
    SessionInterrupted, a 400) is an outage too; anything else is Django's own 400."""
    if is_database_outage(exception):
        return _outage(request)
    return defaults.bad_request(request, exception)


def _outage(request):
    logger.warning("database unavailable: answering 503 for %s %s", request.method, request.path_info)
    try:
        response = _form_view_response(request)
    except Exception:  # the kept form could not be drawn: the plain 503 page still says what to do
        logger.exception("could not draw the form for the 503 answer")
        response = None
    if response is None:
        response = _page(request, "503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _page(request, template_name: str, status: int):
    return HttpResponse(loader.get_template(template_name).render({}), status=status)
