"""The one image pipeline (clinic.images) that articles and intake share."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from clinic.images import ImagePolicy, clean_image, open_checked

POLICY = ImagePolicy(
    formats=frozenset({"JPEG", "PNG"}),
    max_bytes=1024 * 1024,
    max_pixels=10_000,
    too_large="too large",
    unreadable="unreadable",
    wrong_format="wrong format",
    too_many_pixels="too many pixels",
)


def upload(size=(80, 60), fmt="JPEG", **save):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 30)).save(buffer, fmt, **save)
    return SimpleUploadedFile(f"x.{fmt.lower()}", buffer.getvalue())


def test_each_refusal_carries_the_callers_own_message():
    cases = [
        (SimpleUploadedFile("big.jpg", b"0" * (1024 * 1024 + 1)), "too large"),
        (SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)></svg>"), "unreadable"),
        (upload(fmt="GIF"), "wrong format"),
        (upload(size=(200, 200)), "too many pixels"),
        (SimpleUploadedFile("cut.jpg", upload().read()[:300]), "unreadable"),
    ]
    for file, message in cases:
        with pytest.raises(ValidationError) as refused:
            open_checked(file, POLICY)
        assert refused.value.messages == [message]


def test_a_decompression_bomb_is_refused_from_its_header():
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")
    policy = ImagePolicy(**{**POLICY.__dict__, "max_pixels": 10**10})
    with pytest.raises(ValidationError, match="unreadable"):
        open_checked(SimpleUploadedFile("bomb.png", buffer.getvalue()), policy)


def test_clean_image_keeps_the_format_and_drops_the_metadata():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    file = upload(exif=exif.tobytes())
    data, fmt = clean_image(file, POLICY)
    assert fmt == "JPEG" and file.tell() == 0
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.size == (80, 60) and not image.getexif()
