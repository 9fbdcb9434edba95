"""Large uploads take turns: at most UPLOAD_TURNS of them are read, checked and answered at once on
this host, so ten pictures sent together cannot take every CPU from the people reading pages.

A POST whose multipart body is at least UPLOAD_TURN_MIN_BYTES waits for a turn (clinic/slots.py)
before Django reads its body: the multipart parsing, the form's checks, the picture's decoding and
the page drawn in answer all happen inside the turn. Waiting costs no CPU and no request slot that a
page reader needs, as gunicorn has more threads than turns (GUNICORN_THREADS). After
UPLOAD_TURN_WAIT_SECONDS without a turn the upload goes ahead anyway: it is slower for everyone then,
but the patient's answers are never refused for waiting. Small forms and every GET never wait.
"""

import logging

from django.conf import settings

from .slots import NoSlot, slot

logger = logging.getLogger(__name__)


def needs_turn(request) -> bool:
    meta = request.META
    if request.method != "POST" or not meta.get("CONTENT_TYPE", "").startswith("multipart/"):
        return False
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length >= settings.UPLOAD_TURN_MIN_BYTES


class UploadTurnMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.UPLOAD_TURNS <= 0 or not needs_turn(request):
            return self.get_response(request)
        try:
            with slot("upload", settings.UPLOAD_TURNS, wait=settings.UPLOAD_TURN_WAIT_SECONDS):
                return self.get_response(request)
        except NoSlot:
            logger.warning("upload turns: no turn within %s s; going ahead", settings.UPLOAD_TURN_WAIT_SECONDS)
            return self.get_response(request)
