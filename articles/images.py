"""Uploaded article and author images: checked by clinic.images, resized into a few widths for srcset.

Renditions are re-encoded JPEGs (which also drops EXIF data such as a camera's GPS position),
named by a hash of the original's bytes, so their URLs never change meaning and can be cached for
a year (see clinic.media).
"""

import hashlib
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from clinic.images import ImagePolicy, encode, open_checked, upright

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
PUBLIC_IMAGES = ImagePolicy(
    formats=ACCEPTED_FORMATS,
    max_bytes=MAX_UPLOAD_BYTES,
    max_pixels=MAX_PIXELS,
    too_large="The image is larger than 10 MB; please upload a smaller one.",
    unreadable="This file is not an image we can use (JPEG, PNG or WebP).",
    wrong_format="Please upload a JPEG, PNG or WebP image.",
    too_many_pixels="The image has too many pixels (over 40 megapixels).",
)
WIDTHS = (480, 960, 1440)
RENDITION_DIR = "renditions"
JPEG_QUALITY = 82


def validate_public_image(file) -> None:
    """Refuse anything that is not a reasonably sized, wholly readable JPEG, PNG or WebP picture."""
    open_checked(file, PUBLIC_IMAGES).close()


def make_renditions(field_file, *, widths=WIDTHS) -> list[dict]:
    """Write resized JPEG copies of an uploaded image; return [{"name", "width", "height"}].

    Never enlarges: an image narrower than a width gets one rendition at its own width. Safe to
    rerun: a rendition that already exists (same source bytes, same width) is not written again.
    """
    if not field_file:
        return []
    field_file.open("rb")
    try:
        data = field_file.read()
    finally:
        field_file.close()
    digest = hashlib.sha256(data).hexdigest()[:16]
    with Image.open(BytesIO(data)) as source:
        image = upright(source)
        if image.mode not in ("RGB", "L"):
            # Flatten transparency onto white: JPEG has no alpha channel.
            background = Image.new("RGB", image.size, (255, 255, 255))
            background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
            image = background
        renditions = []
        for width in sorted({min(w, image.width) for w in widths}):
            height = round(image.height * width / image.width)
            name = f"{RENDITION_DIR}/{digest}-{width}.jpg"
            if not default_storage.exists(name):
                resized = image.resize((width, height), Image.Resampling.LANCZOS)
                data = encode(resized.convert("RGB"), "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
                default_storage.save(name, ContentFile(data))
            renditions.append({"name": name, "width": width, "height": height})
    return renditions


def picture(renditions: list[dict], *, default_width: int = 960) -> dict | None:
    """What an <img> needs: src (the rendition nearest default_width), srcset, width and height."""
    if not renditions:
        return None
    ordered = sorted(renditions, key=lambda r: r["width"])
    fallback = next((r for r in ordered if r["width"] >= default_width), ordered[-1])
    return {
        "src": default_storage.url(fallback["name"]),
        "srcset": ", ".join(f"{default_storage.url(r['name'])} {r['width']}w" for r in ordered),
        "width": fallback["width"],
        "height": fallback["height"],
    }
