"""The field encryption keys, and keys for local development (DEBUG on) that nobody set: made once,
kept in var/, never committed."""

import base64
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def field_encryption_keys(keys: list[str], debug: bool, var_dir: Path) -> list[str]:
    """settings.FIELD_ENCRYPTION_KEYS: the keys set, or with DEBUG on a key made once in var/.
    Raises ImproperlyConfigured with DEBUG off and no key: the site must not start."""
    if keys:
        return keys
    if not debug:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is unset while DEBUG is off: health details cannot be stored. Set it "
            "to a Fernet key (python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())') and keep a copy outside the server: without it "
            "the stored health details cannot be read (docs/privacy.md)."
        )
    return [fernet_key_file(var_dir / "field-encryption.key")]


def fernet_key_file(path: Path) -> str:
    """The Fernet key in `path`, generated there (mode 0600) on first use. Two processes starting at
    once (runserver and a worker) read the same key: the file is created exclusively."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(key + "\n")
    return path.read_text().strip()
