"""The one pipeline for uploaded images (article heroes, author photos, patients' report images).

Checks run cheapest first: the byte size, then the format and the pixel count read from the
header (before any pixel is decoded, so a decompression bomb costs nothing), then Pillow's verify
and a full decode (truncated or corrupt data fails there). `encode` writes only the pixels back:
no EXIF (a phone's GPS position), comments or colour profiles. Each caller brings its own limits
and wording in an `ImagePolicy`.
"""

import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps


@dataclass(frozen=True)
class ImagePolicy:
    """What a caller accepts, and what it tells the person whose file is refused."""

    formats: frozenset[str]  # Pillow format names, e.g. {"JPEG", "PNG", "WEBP"}
    max_bytes: int
    max_pixels: int
    too_large: str
    unreadable: str  # also said for a decompression bomb: Pillow refuses it before the pixel check
    wrong_format: str
    too_many_pixels: str
    # Pictures are kept at most this many pixels on their long side; a JPEG larger than that is
    # decoded at a reduced scale (Image.draft: 1/2, 1/4 or 1/8 of the work and memory).
    max_side: int | None = None


def open_checked(file, policy: ImagePolicy) -> Image.Image:
    """Check an uploaded file against `policy` and return it fully decoded (the caller closes it).

    Raises ValidationError with the policy's message for a file too large, unreadable, of another
    format or with too many pixels. Leaves the file positioned at its start.
    """
    _check_size(file, policy)
    with _reading(file, policy):
        with Image.open(file) as probe:
            width, height = _check_probe(probe, policy)
            probe.verify()
        file.seek(0)
        image = Image.open(file)
        try:
            if policy.max_side and image.format == "JPEG" and max(width, height) > policy.max_side:
                scale = policy.max_side / max(width, height)
                image.draft(image.mode, (max(1, int(width * scale)), max(1, int(height * scale))))
            image.load()  # decode every byte: truncated or corrupt data fails here
            if policy.max_side and max(image.size) > policy.max_side:
                fmt = image.format
                image.thumbnail((policy.max_side, policy.max_side))
                image.format = fmt
        except BaseException:
            image.close()
            raise
        return image


def check_header(file, policy: ImagePolicy) -> None:
    """The cheap part of open_checked: size, format and pixel count from the header, no pixel
    decoded. Raises ValidationError like open_checked."""
    _check_size(file, policy)
    with _reading(file, policy), Image.open(file) as probe:
        _check_probe(probe, policy)


def _check_size(file, policy: ImagePolicy) -> None:
    if file.size > policy.max_bytes:
        raise ValidationError(policy.too_large)


@contextmanager
def _reading(file, policy: ImagePolicy):
    """Read `file` from its start with Pillow: a decompression bomb is an error, any error Pillow
    raises on a hostile file means the policy's "unreadable", and the file is left at its start."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            file.seek(0)
            yield
    except ValidationError:
        raise
    except Exception as exc:  # Pillow raises many kinds of errors on hostile files; all mean "unreadable"
        raise ValidationError(policy.unreadable) from exc
    finally:
        file.seek(0)


def _check_probe(probe: Image.Image, policy: ImagePolicy) -> tuple[int, int]:
    if probe.format not in policy.formats:
        raise ValidationError(policy.wrong_format)
    width, height = probe.size
    if width * height > policy.max_pixels:
        raise ValidationError(policy.too_many_pixels)
    return width, height


def upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says; a broken orientation tag leaves it as it is."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # a broken tag is no reason to refuse or lose the picture
        return image


def encode(image: Image.Image, fmt: str, *, quality: int = 90, **options) -> bytes:
    """The pixels of `image` written as `fmt` ("JPEG", "PNG" or "WEBP") without any metadata."""
    out = BytesIO()
    # Pillow carries some metadata from image.info into the file it writes (a JPEG comment, a PNG
    # colour profile): only the transparency key, which is pixels, is kept.
    image.info = {k: v for k, v in image.info.items() if k == "transparency"}
    if fmt == "JPEG":
        image.convert("L" if image.mode == "L" else "RGB").save(out, "JPEG", quality=quality, **options)
    elif fmt == "PNG":
        if image.mode not in ("1", "L", "LA", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True, **options)
    elif fmt == "WEBP":
        image.convert("RGBA" if "A" in image.getbands() else "RGB").save(out, "WEBP", quality=quality, **options)
    else:
        raise ValueError(f"no encoder for {fmt!r}")
    return out.getvalue()


def clean_image(file, policy: ImagePolicy, *, quality: int = 90) -> tuple[bytes, str]:
    """Check `file` and re-encode it upright in its own format without metadata: (bytes, format)."""
    with open_checked(file, policy) as image:
        fmt = image.format
        try:
            return encode(upright(image), fmt, quality=quality), fmt
        except Exception as exc:  # an encoder refusing odd pixel data: the file is no use to us
            raise ValidationError(policy.unreadable) from exc
