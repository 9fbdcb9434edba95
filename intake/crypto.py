"""Encryption at rest of an inquiry's health details and of its picture's bytes (docs/privacy.md).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with the keys in
settings.FIELD_ENCRYPTION_KEYS, newest first: the newest encrypts, every one decrypts (MultiFernet),
so a new key is rolled in by putting it first and running `reencrypt_health_data`.

The model fields below store their value as JSON inside one Fernet token in a text column, None
included, so the column never shows whether or what a person answered (only about how long it
is). The database cannot compare what it cannot read: every lookup on such a field (filter,
exclude, order_by) raises FieldError instead of silently matching nothing; filter in Python or
on a column that holds no health details.
"""

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

# Every Fernet token starts with its version byte 0x80, "gAAAAA" in urlsafe base64. Values stored
# before encryption (the migration, then reencrypt_health_data, encrypt them) never start so.
TOKEN_PREFIX = "gAAAAA"
TOKEN_PREFIX_BYTES = TOKEN_PREFIX.encode()


class KeyMissing(ImproperlyConfigured):
    """No key in FIELD_ENCRYPTION_KEYS opens a stored value (a key was dropped too early)."""


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: health details cannot be encrypted.")
    return MultiFernet([Fernet(key) for key in keys])


def cipher() -> MultiFernet:
    """The MultiFernet of settings.FIELD_ENCRYPTION_KEYS (cached per key list)."""
    return _cipher(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    return cipher().encrypt(data)


def decrypt_bytes(data: bytes) -> bytes:
    """The plain bytes of a token; bytes that are no token (stored before encryption) as they are."""
    if not data.startswith(TOKEN_PREFIX_BYTES):
        return data
    try:
        return cipher().decrypt(data)
    except InvalidToken as exc:
        raise KeyMissing("No key in FIELD_ENCRYPTION_KEYS decrypts this value.") from exc


def is_encrypted(data: bytes | str) -> bool:
    return (data.encode() if isinstance(data, str) else data).startswith(TOKEN_PREFIX_BYTES)


class EncryptedMixin:
    """Stores the field's Python value as one Fernet token (JSON inside) in a text column."""

    encrypted = True

    def get_internal_type(self):
        # A text column, with none of the base type's checks (no "pain >= 0": it holds a token).
        return "TextField"

    def get_lookup(self, lookup_name):
        return None  # FieldError: the database cannot compare encrypted values

    def get_transform(self, name):
        return None

    def get_db_prep_save(self, value, connection):
        if hasattr(value, "as_sql"):
            return value
        return self.get_db_prep_value(value, connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared and value is not None:
            value = self.get_prep_value(value)
        plain = json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":"))
        return encrypt_bytes(plain.encode()).decode()

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        if not is_encrypted(value):
            return self.from_plain(str(value))
        return self.to_python(json.loads(decrypt_bytes(value.encode())))

    def from_plain(self, raw: str):
        """A value stored before encryption (the column's text): what the field held."""
        return self.to_python(raw)


class EncryptedCharField(EncryptedMixin, models.CharField):
    pass


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedPositiveSmallIntegerField(EncryptedMixin, models.PositiveSmallIntegerField):
    @property
    def validators(self):
        # IntegerField asks the database for its column's range; this column is text.
        return [*self.default_validators, *self._validators]


class EncryptedBooleanField(EncryptedMixin, models.BooleanField):
    def from_plain(self, raw: str):
        return raw.strip().lower() in ("1", "t", "true")


class EncryptedJSONField(EncryptedMixin, models.JSONField):
    def from_plain(self, raw: str):
        return json.loads(raw)


def encrypted_field_names(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if getattr(f, "encrypted", False)]
