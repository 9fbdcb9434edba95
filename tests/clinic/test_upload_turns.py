"""Large uploads take turns (clinic/uploadturns.py), so ten pictures sent together leave the CPU to
the people reading pages; a turn that does not come in time never costs the patient their answers."""

import threading
from unittest import mock

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from clinic import slots
from clinic.slots import NoSlot, slot
from clinic.uploadturns import UploadTurnMiddleware, needs_turn

BIG = 300 * 1024


def upload_request(size=BIG, content_type="multipart/form-data; boundary=x", method="post"):
    request = getattr(RequestFactory(), method)("/candidate/")
    request.META.update(CONTENT_TYPE=content_type, CONTENT_LENGTH=str(size))
    return request


def test_only_large_multipart_posts_wait_for_a_turn():
    assert needs_turn(upload_request())
    assert not needs_turn(upload_request(size=10_000))  # a form without a picture
    assert not needs_turn(upload_request(content_type="application/x-www-form-urlencoded"))
    assert not needs_turn(upload_request(method="get"))
    bad = upload_request()
    bad.META["CONTENT_LENGTH"] = "lots"
    assert not needs_turn(bad)


def test_a_large_upload_waits_until_the_turn_before_it_ends():
    """The request reaches Django's body reading only after the upload holding the turn is done."""
    order = []
    waiting = threading.Event()
    real_sleep = slots.time.sleep

    def sleep(seconds):  # the waiting request polls: say so, then wait as usual
        waiting.set()
        real_sleep(seconds)

    def view(request):
        order.append("second upload read")
        return HttpResponse("ok")

    middleware = UploadTurnMiddleware(view)
    responses = []
    with slot("upload", 1), mock.patch.object(slots.time, "sleep", sleep):
        thread = threading.Thread(target=lambda: responses.append(middleware(upload_request())))
        thread.start()
        assert waiting.wait(timeout=30), "the second upload never waited"
        order.append("first upload done")
    thread.join(timeout=30)
    assert order == ["first upload done", "second upload read"]
    assert responses[0].content == b"ok"


@override_settings(UPLOAD_TURN_WAIT_SECONDS=0.1)
def test_an_upload_that_waited_too_long_goes_ahead_anyway(caplog):
    middleware = UploadTurnMiddleware(lambda request: HttpResponse("answers kept"))
    with slot("upload", 1):
        response = middleware(upload_request())
    assert response.content == b"answers kept"
    assert "no turn within 0.1 s" in caplog.text


def test_a_small_form_never_waits_even_when_every_turn_is_taken():
    middleware = UploadTurnMiddleware(lambda request: HttpResponse("stored"))
    with slot("upload", 1), mock.patch.object(slots.time, "sleep", side_effect=AssertionError("waited")):
        assert middleware(upload_request(size=5_000)).content == b"stored"


def test_slots_are_counted_per_name_and_freed_when_released():
    with slot("upload", 2), slot("upload", 2):
        with pytest.raises(NoSlot), slot("upload", 2):
            pass
        with slot("image", 1):  # another name: its own slots
            pass
    with slot("upload", 1):  # all released
        pass
