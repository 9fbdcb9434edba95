import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from intake.models import Inquiry
from tests.intake.conftest import candidate_data, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    # Every POST with a file counts toward the per-address rate limit (issue 14).
    cache.clear()


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (41.0, 53.0, 0.0)}  # GPSInfo
    return exif.tobytes()


def upload(content: bytes, name="report.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post(client, capture, image):
    with capture(execute=True):
        return client.post("/candidate/", candidate_data(image=image))


@pytest.mark.parametrize("fmt,ext", [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_an_image_is_re_encoded_without_metadata_under_a_random_private_name(
    client, offices, django_capture_on_commit_callbacks, fmt, ext
):
    response = post(
        client, django_capture_on_commit_callbacks, upload(image_bytes(fmt, exif=gps_exif()), f"my-knee.{ext}")
    )
    assert response.status_code == 302
    stored = Inquiry.objects.get().image
    assert stored.name.startswith("inquiries/") and stored.name.endswith(f".{ext}")
    assert "my-knee" not in stored.name
    path = Path(stored.path)
    assert path.is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert not path.is_relative_to(settings.MEDIA_ROOT)
    # The bytes on disk are encrypted (intake.crypto); the storage opens them decrypted.
    with stored.open("rb") as handle, Image.open(handle) as image:
        assert image.format == fmt and image.size == (64, 48)
        assert not image.getexif()
        assert "exif" not in image.info


@pytest.mark.parametrize(
    "content,message",
    [
        (b"\xff\xd8\xff\xe0" + b"garbage" * 100, "We could not read this file as an image."),
        (b"<svg onload=alert(1)></svg>", "We could not read this file as an image."),
        (b"", "The submitted file is empty."),
        (image_bytes("GIF"), "We could not read this file as an image."),
        (image_bytes("JPEG")[:200], "We could not read this file as an image."),
    ],
    ids=["corrupt-jpeg", "svg", "empty", "gif", "truncated"],
)
def test_a_file_that_is_not_an_acceptable_image_is_refused_beside_the_field(client, offices, content, message):
    html = client.post("/candidate/", candidate_data(image=upload(content))).content.decode()
    assert message in html
    assert Inquiry.objects.count() == 0


def test_an_image_over_10_mb_is_refused(client, offices):
    content = image_bytes("PNG") + b"\0" * (10 * 1024 * 1024)
    html = client.post("/candidate/", candidate_data(image=upload(content, "big.png"))).content.decode()
    assert "larger than 10 MB" in html


def _png(size, mode="1") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


def test_an_image_with_too_many_pixels_is_refused(client, offices):
    html = client.post("/candidate/", candidate_data(image=upload(_png((8000, 8000)), "scan.png"))).content.decode()
    assert "too many pixels" in html


def test_a_decompression_bomb_is_refused(client, offices):
    bomb = _png((20000, 20000))  # 400 megapixels in a few dozen kilobytes
    assert len(bomb) < 1024 * 1024
    response = client.post("/candidate/", candidate_data(image=upload(bomb, "bomb.png")))
    assert response.status_code == 200
    assert "We could not read this file as an image." in response.content.decode()


@pytest.fixture
def inquiry_with_image(client, offices, django_capture_on_commit_callbacks):
    post(client, django_capture_on_commit_callbacks, upload(image_bytes("PNG"), "x.png", "image/png"))
    return Inquiry.objects.get()


def staff(*perms):
    user = User.objects.create_user(f"staff{User.objects.count()}", password="pw-long-enough-123", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=perms))
    return user


def test_staff_with_permission_download_the_image_as_an_attachment(client, inquiry_with_image):
    client.force_login(staff("view_inquiry"))
    response = client.get(f"/admin/intake/inquiry/{inquiry_with_image.pk}/image/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{inquiry_with_image.reference}.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_staff_without_permission_and_the_public_cannot_get_the_image(client, inquiry_with_image):
    url = f"/admin/intake/inquiry/{inquiry_with_image.pk}/image/"
    assert client.get(url)["Location"].startswith("/admin/login/")
    client.force_login(staff())
    assert client.get(url).status_code == 403
    assert client.get(f"/media/{inquiry_with_image.image.name}").status_code == 404
    with pytest.raises(ValueError):
        inquiry_with_image.image.url  # noqa: B018  (private files have no URL)
