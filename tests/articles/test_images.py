"""Hero and author images: checked, resized for srcset, served from MEDIA_ROOT with caching headers."""

import io
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles import services
from articles.images import make_renditions, validate_public_image
from tests.conftest import ROOT, free_port, service_env, stop_group, wait_until

from .factories import make_article, make_author


def image_bytes(width=2000, height=1000, fmt="JPEG", exif=False):
    buffer = io.BytesIO()
    image = Image.new("RGB" if fmt == "JPEG" else "RGBA", (width, height), (200, 30, 30))
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # camera make, standing in for GPS and the like
        kwargs["exif"] = data.tobytes()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def upload(name="hero.jpg", **kwargs):
    return SimpleUploadedFile(name, image_bytes(**kwargs), content_type="image/jpeg")


def test_validator_accepts_jpeg_and_png_and_refuses_the_rest():
    validate_public_image(upload())
    validate_public_image(upload("x.png", fmt="PNG"))
    with pytest.raises(ValidationError):
        validate_public_image(SimpleUploadedFile("evil.jpg", b"<script>alert(1)</script>"))
    with pytest.raises(ValidationError):
        validate_public_image(upload("anim.gif", fmt="GIF"))
    huge = SimpleUploadedFile("big.jpg", b"0" * (11 * 1024 * 1024))
    with pytest.raises(ValidationError, match="10 MB"):
        validate_public_image(huge)


@pytest.mark.django_db
def test_renditions_are_resized_never_enlarged_and_lose_exif():
    article = make_article()
    article.hero_image.save("hero.jpg", upload(exif=True))
    renditions = make_renditions(article.hero_image)
    assert [(r["width"], r["height"]) for r in renditions] == [(480, 240), (960, 480), (1440, 720)]
    with Image.open(Path(settings.MEDIA_ROOT) / renditions[0]["name"]) as small:
        assert small.size == (480, 240) and not small.getexif()
    author = make_author()
    author.photo.save("me.png", upload("me.png", width=300, height=300, fmt="PNG"))
    assert [r["width"] for r in make_renditions(author.photo)] == [300]


@pytest.mark.django_db
def test_article_page_serves_the_hero_with_srcset_and_a_missing_image_is_absent(client):
    article = make_article(slug="with-hero", hero_alt="A knee")
    plain = client.get("/articles/with-hero/").content.decode()
    assert "article-hero" not in plain and "og:image" not in plain
    article.hero_image.save("hero.jpg", upload())
    services.refresh_article_hero(article=article)
    html = client.get("/articles/with-hero/").content.decode()
    img = re.search(r'<img class="article-hero[^>]+>', html).group(0)
    assert 'alt="A knee"' in img and 'width="960" height="480"' in img
    srcset = re.search(r'srcset="([^"]+)"', img).group(1)
    urls = [part.split()[0] for part in srcset.split(", ")]
    assert [part.split()[1] for part in srcset.split(", ")] == ["480w", "960w", "1440w"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        body = b"".join(response.streaming_content)
        assert body[:2] == b"\xff\xd8"
        again = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert again.status_code == 304
    assert '<meta property="og:image" content="http://127.0.0.1:8000/media/renditions/' in html


@pytest.mark.django_db
def test_media_view_serves_images_only_and_nothing_outside_media_root(client):
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    (media / "page.html").write_text("<script>alert(1)</script>")
    (media / "drawing.svg").write_text("<svg onload='alert(1)'></svg>")
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    private.mkdir(parents=True, exist_ok=True)
    (private / "mri.jpg").write_bytes(image_bytes(10, 10))
    (media / "authors").mkdir(exist_ok=True)
    (media / "authors" / "face.jpg").write_bytes(image_bytes(10, 10))
    assert client.get("/media/page.html").status_code == 404
    assert client.get("/media/drawing.svg").status_code == 404
    assert client.get("/media/../private/mri.jpg").status_code == 404
    assert client.get("/media/%2e%2e/private/mri.jpg").status_code == 404
    assert client.get("/media/missing.jpg").status_code == 404
    assert client.get("/media/authors").status_code == 404
    original = client.get("/media/authors/face.jpg")
    assert original.status_code == 200 and original["Cache-Control"] == "public, max-age=86400"
    assert client.post("/media/authors/face.jpg").status_code in (403, 405)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_uploaded_images_are_served_by_gunicorn_with_debug_off(tmp_path, collected_static):
    article = make_article(slug="served-hero", hero_alt="Knee")
    article.hero_image.save("hero.jpg", upload())
    services.refresh_article_hero(article=article)
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = service_env(GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", STATIC_ROOT=str(collected_static))
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "clinic.wsgi:application", "--config", "gunicorn.conf.py"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def get(path):
        try:
            with urllib.request.urlopen(base + path, timeout=5) as response:
                return response.status, dict(response.headers), response.read()
        except OSError:
            return None, {}, b""

    try:
        wait_until(lambda: proc.poll() is not None or get("/healthz")[0], timeout=60, what="gunicorn")
        assert proc.poll() is None, log.read_text()[-2000:]
        status, _, body = get("/articles/served-hero/")
        assert status == 200
        srcset = re.search(rb'srcset="([^"]+)"', body).group(1).decode()
        for candidate in srcset.split(", "):
            status, headers, data = get(candidate.split()[0])
            assert status == 200 and headers["Content-Type"] == "image/jpeg" and data[:2] == b"\xff\xd8"
            assert "immutable" in headers["Cache-Control"]
    finally:
        stop_group(proc)


@pytest.mark.django_db
def test_author_photo_is_shown_resized_and_a_missing_one_is_absent(client):
    with_photo = make_author(slug="pictured", name="Pictured Person")
    without = make_author(slug="plain", name="Plain Person")
    with_photo.photo.save("me.jpg", upload(width=800, height=800))
    services.refresh_author_photo(author=with_photo)
    make_article(slug="authored", authors=[with_photo, without])
    html = client.get("/articles/authored/").content.decode()
    photos = re.findall(r'<img class="author-photo"[^>]+>', html)
    assert len(photos) == 1 and 'srcset="/media/renditions/' in photos[0] and "480w" in photos[0]
    assert "Plain Person, MD" in html
