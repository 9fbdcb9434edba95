"""Where patients' pictures are kept: under PRIVATE_MEDIA_ROOT, encrypted, never at a public URL."""

import io
from functools import cached_property

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage

from intake import crypto


class PrivateStorage(FileSystemStorage):
    """Patients' uploads under PRIVATE_MEDIA_ROOT, which no URL serves (no base_url at all)."""

    @cached_property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

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
