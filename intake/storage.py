"""Where patients' pictures are kept: under PRIVATE_MEDIA_ROOT, encrypted, never at a public URL."""

import io
from functools import cached_property

from django.conf import settings
from django.core.files.base import ContentFile, File

from clinic.storage import AtomicFileSystemStorage
from intake import crypto


class PrivateStorage(AtomicFileSystemStorage):
    """Patients' uploads under PRIVATE_MEDIA_ROOT, which no URL serves (no base_url at all): encrypted
    (intake.crypto), each written whole or not at all (clinic.storage), readable by the site's user
    only (0600, 0700)."""

    @cached_property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @cached_property
    def file_permissions_mode(self):
        return 0o600

    @cached_property
    def directory_permissions_mode(self):
        return 0o700

    def url(self, name):
        raise ValueError("Private files have no public URL; staff open them through the admin.")

    # The bytes on disk are a Fernet token (intake.crypto); opening a file gives the plain bytes.
    def _save(self, name, content):
        content.seek(0)
        return super()._save(name, ContentFile(crypto.encrypt_bytes(content.read())))

    def _open(self, name, mode="rb"):
        with super()._open(name, "rb") as stored:
            return File(io.BytesIO(crypto.decrypt_bytes(stored.read())), name=name)


def private_storage():
    return PrivateStorage()
