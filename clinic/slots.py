"""At most N holders of a named slot at once on this host, across gunicorn's processes and threads.

Each slot is an exclusive `flock` on a file under PRIVATE_MEDIA_ROOT/.slots/<name>-<i>; the kernel
releases it if the process dies, so a crash never leaves a slot taken. Used for the picture decoding
(intake/image_slots.py: never waits) and for large uploads' turns (clinic/uploadturns.py: waits a
bounded time). The lock files are empty.
"""

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

POLL_SECONDS = 0.05


class NoSlot(Exception):
    """Every slot of the name is held (and the wait, if any, ran out)."""


def _try_each(directory: Path, name: str, count: int) -> int | None:
    """A locked file descriptor of a free slot, or None."""
    for index in range(max(1, count)):
        fd = os.open(directory / f"{name}-{index}", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return fd
    return None


@contextmanager
def slot(name: str, count: int, *, wait: float = 0.0):
    """Hold one of `count` slots called `name` for the block; try again every 50 ms for up to
    `wait` seconds; raise NoSlot when none came free."""
    directory = Path(settings.PRIVATE_MEDIA_ROOT) / ".slots"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    deadline = time.monotonic() + max(0.0, wait)
    while (fd := _try_each(directory, name, count)) is None:
        if time.monotonic() >= deadline:
            raise NoSlot(name)
        time.sleep(POLL_SECONDS)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
