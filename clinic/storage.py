"""File storage that never leaves a half-written file under a real name.

`AtomicFileSystemStorage` writes each file to a temporary name in the target directory (created
0600 by mkstemp), flushes and fsyncs it, checks its size, then links it to its final name and
fsyncs the directory: a full or read-only disk, or a crash, leaves either the whole file or no
file under that name (at most a `.tmp-*` file, which the orphan sweep removes). Any failure raises
OSError after removing what it wrote.
"""

import contextlib
import os
import tempfile
from pathlib import Path

from django.core.files.storage import FileSystemStorage
from django.utils._os import safe_makedirs

TEMP_PREFIX = ".tmp-"


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        directory = str(Path(full_path).parent)
        safe_makedirs(directory, self.directory_permissions_mode or 0o777, exist_ok=True)
        fd, temp_path = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
        try:
            written = 0
            with os.fdopen(fd, "wb") as out:
                for chunk in content.chunks():
                    data = chunk.encode() if isinstance(chunk, str) else chunk
                    out.write(data)
                    written += len(data)
                out.flush()
                os.fsync(out.fileno())
            if Path(temp_path).stat().st_size != written:
                raise OSError(f"{name}: {written} bytes written but the file holds fewer")
            if self.file_permissions_mode is not None:
                Path(temp_path).chmod(self.file_permissions_mode)
            while True:
                try:
                    os.link(temp_path, full_path)  # never replaces a file already there
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
            _fsync_directory(directory)
        finally:
            with contextlib.suppress(FileNotFoundError):
                Path(temp_path).unlink()
        return os.path.relpath(full_path, self.location).replace("\\", "/")


def _fsync_directory(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
