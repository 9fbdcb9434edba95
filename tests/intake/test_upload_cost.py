"""Bounded cost per request: the picture is decoded only for a valid form that passed the spam
checks and the rate limit, its pixel count is checked from the header against a lower ceiling, and
a large JPEG is decoded at a reduced scale."""

import io
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image
from PIL.JpegImagePlugin import JpegImageFile

from intake.models import Inquiry

from .conftest import candidate_data, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


def jpeg(size=(64, 48)):
    return SimpleUploadedFile("report.jpg", image_bytes("JPEG", size=size), content_type="image/jpeg")


def test_the_picture_is_not_decoded_unless_the_rest_of_the_form_passes(client, offices):
    with mock.patch("intake.forms.clean_report_image") as decode:
        response = client.post("/candidate/", candidate_data(image=jpeg(), email="not an address"))
    assert response.status_code == 200
    decode.assert_not_called()
    assert not Inquiry.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [{"website": "http://spam.example"}, {"altcha": ""}],  # the honeypot; no solved proof of work
)
def test_a_form_held_as_suspected_spam_keeps_no_picture_and_never_decodes_one(client, offices, settings, overrides):
    settings.CAPTCHA_TEST_MODE = False  # the proof of work is checked
    with mock.patch("intake.forms.clean_report_image") as decode:
        response = client.post("/candidate/", candidate_data(image=jpeg(), **overrides))
    assert response.status_code == 302
    decode.assert_not_called()
    held = Inquiry.objects.get()
    assert held.held_as_spam and not held.image
    assert any("picture was sent and not kept" in reason for reason in held.spam_reasons)


@override_settings(INTAKE_RATE_LIMIT="2/h")
def test_uploads_count_toward_the_rate_limit_even_when_the_form_is_refused(client, offices):
    for _ in range(2):
        client.post("/candidate/", candidate_data(image=jpeg(), email="not an address"))
    with mock.patch("intake.forms.clean_report_image") as decode:
        response = client.post("/candidate/", candidate_data(image=jpeg()))
    assert response.status_code == 429
    decode.assert_not_called()


def test_a_picture_over_the_pixel_ceiling_is_refused_from_its_header_before_decoding(client, offices, settings):
    assert settings.INTAKE_UPLOAD_MAX_PIXELS == 24_000_000
    buffer = io.BytesIO()
    Image.new("1", (6000, 4100)).save(buffer, "PNG")  # 24.6 megapixels
    upload = SimpleUploadedFile("scan.png", buffer.getvalue(), content_type="image/png")
    with mock.patch.object(Image.Image, "load", autospec=True, side_effect=AssertionError("decoded")) as load:
        response = client.post("/candidate/", candidate_data(image=upload))
    assert "too many pixels" in response.content.decode()
    load.assert_not_called()


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_and_kept_at_most_the_maximum_side(
    client, offices, django_capture_on_commit_callbacks, settings
):
    settings.INTAKE_UPLOAD_MAX_SIDE = 1000
    real_draft = JpegImageFile.draft
    with (
        mock.patch.object(JpegImageFile, "draft", autospec=True, side_effect=real_draft) as draft,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post("/candidate/", candidate_data(image=jpeg(size=(4000, 3000))))
    assert response.status_code == 302
    assert draft.called and draft.call_args.args[2][0] <= 1000  # asked for no more than it keeps
    with Image.open(Inquiry.objects.get().image.open("rb")) as stored:
        assert max(stored.size) == 1000 and stored.size == (1000, 750)


def test_when_every_picture_slot_is_busy_the_form_comes_back_with_the_answers(client, offices):
    from intake.image_slots import image_slot
    from intake.views import IMAGES_BUSY

    with image_slot():  # another request is decoding a picture
        response = client.post("/candidate/", candidate_data(image=jpeg(), message="Knee locks on stairs"))
    assert response.status_code == 503
    body = response.content.decode()
    assert IMAGES_BUSY in body and "Knee locks on stairs" in body
    assert not Inquiry.objects.exists()
    with image_slot():  # released: the slot is free again
        pass


def test_a_form_without_a_picture_is_stored_while_every_picture_slot_is_busy(client, offices):
    """Found by `make chaos` under load: a submission with no picture was refused as "busy"
    because the view took a picture slot for every submission."""
    from intake.image_slots import image_slot
    from intake.views import IMAGES_BUSY

    with image_slot():  # another request is decoding a picture
        response = client.post("/candidate/", candidate_data(message="Knee locks on stairs"))
        assert response.status_code == 302, IMAGES_BUSY in response.content.decode()
    assert Inquiry.objects.get().message == "Knee locks on stairs"


@override_settings(UPLOAD_TURN_WAIT_SECONDS=0.1)
def test_a_picture_sent_while_another_upload_holds_the_turn_is_stored_after_the_wait(client, offices, caplog):
    """Through the whole stack of middleware: the upload waits for the turn (clinic/uploadturns.py),
    goes ahead when the wait runs out, and the patient's answers and picture are kept."""
    from clinic.slots import slot

    buffer = io.BytesIO()
    Image.effect_noise((700, 500), 64).convert("RGB").save(buffer, "PNG")  # noise: a large file
    picture = SimpleUploadedFile("report.png", buffer.getvalue(), content_type="image/png")
    assert picture.size >= 256 * 1024
    with slot("upload", 1):  # another large upload is being read
        response = client.post("/candidate/", candidate_data(image=picture, message="Knee locks on stairs"))
    assert response.status_code == 302
    stored = Inquiry.objects.get()
    assert stored.message == "Knee locks on stairs" and stored.image
    # It did wait for the turn: the middleware is in the stack, not only in its own unit tests.
    assert "upload turns: no turn within 0.1 s" in caplog.text
