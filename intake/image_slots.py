"""At most INTAKE_IMAGE_SLOTS pictures decoded at once on this host, across gunicorn's processes
and threads, so a burst of large uploads cannot take every CPU from the other pages.

Each slot is an exclusive, non-blocking `flock` on a file under PRIVATE_MEDIA_ROOT/.slots; the
kernel releases it if the process dies. When every slot is taken the upload is not queued (a
waiting thread would still hold one of gunicorn's few request slots): the patient gets the form
back with the answers and a request to send it again in a minute.
"""

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings


class NoImageSlot(Exception):
    """Every picture slot is busy; try again shortly."""


@contextmanager
def image_slot():
    directory = Path(settings.PRIVATE_MEDIA_ROOT) / ".slots"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    for index in range(max(1, settings.INTAKE_IMAGE_SLOTS)):
        fd = os.open(directory / f"slot-{index}", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        return
    raise NoImageSlot
