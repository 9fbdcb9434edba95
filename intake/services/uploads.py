"""Patients' pictures on disk: written whole before their inquiry commits, removed if it does not.

`store_image` writes the already re-encoded picture through PrivateStorage (temporary name, fsync,
size check, then its final name: clinic.storage) and raises ImageNotStored on a full or read-only
disk. `discard_image` removes it at once when the inquiry is not stored. `sweep_orphan_images`
(Celery beat) removes whatever a crash left: files under inquiries/ that no inquiry refers to and
are older than INTAKE_ORPHAN_GRACE_SECONDS, half-written `.tmp-*` files included.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from intake.models import Inquiry

from .retention import _purge_orphan_files

logger = logging.getLogger(__name__)


class ImageNotStored(Exception):
    """The picture could not be written (disk full, read-only, no permission); nothing was stored."""


def _storage():
    return Inquiry._meta.get_field("image").storage


def store_image(image: ContentFile) -> str:
    """Write `image` under inquiries/<year>/<month>/ and return its storage name."""
    field = Inquiry._meta.get_field("image")
    try:
        return _storage().save(field.generate_filename(None, image.name), image)
    except OSError as exc:
        logger.error("intake: could not write an uploaded image (%s: %s)", type(exc).__name__, exc.strerror or exc)
        raise ImageNotStored from exc


def discard_image(name: str) -> None:
    """Remove a picture whose inquiry was not stored. Never raises: the sweep catches what this misses."""
    if not name:
        return
    try:
        _storage().delete(name)
    except OSError as exc:
        logger.warning("intake: could not remove image of an unstored inquiry (%s)", type(exc).__name__)


def sweep_orphan_images(*, now=None) -> int:
    """Remove image files no inquiry refers to, older than the grace period. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.INTAKE_ORPHAN_GRACE_SECONDS)
    removed = _purge_orphan_files(cutoff=cutoff)
    if removed:
        logger.warning("intake: removed %s image file(s) without an inquiry", removed)
    return removed
