"""Keys for local development (DEBUG on) that nobody set: made once, kept in var/, never committed."""

import base64
import os
import secrets
from pathlib import Path


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
