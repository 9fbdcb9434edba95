"""Encrypted backups of the database and the uploaded files, and restoring them (docs/privacy.md).

A backup is one file: a magic line, then frames, each a 4-byte length and a Fernet token (key:
BACKUP_KEY). A frame's plain text is a 10-byte header (section, frame number over the whole file,
last-of-its-section flag) and up to 1 MiB of data, so the file is written and read as a stream,
never held in memory or written in plain text to disk, and a frame that is missing, moved or cut
off is refused. The sections, in order:

- D: the database as SQL: `pg_dump --clean` on PostgreSQL (restored with psql in one transaction),
  iterdump on SQLite;
- M: a tar of PRIVATE_MEDIA_ROOT (under private/) and MEDIA_ROOT (under public/);
- E: the end (empty), so a file cut after a whole section is refused too.
"""

import io
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import connections

MAGIC = b"CLINIC-BACKUP 1\n"
CHUNK = 1024 * 1024
HEADER = struct.Struct(">cQ?")  # section, frame number, last frame of the section
LENGTH = struct.Struct(">I")
DATABASE, MEDIA, END = b"D", b"M", b"E"
MEDIA_ROOTS = {"private": "PRIVATE_MEDIA_ROOT", "public": "MEDIA_ROOT"}


class BackupError(Exception):
    """The backup could not be written or read (wrong key, damaged file, a tool failed)."""


def backup_cipher() -> MultiFernet:
    if not settings.BACKUP_KEYS:
        raise BackupError("BACKUP_KEY is not set: backups are encrypted with it (docs/privacy.md).")
    try:
        return MultiFernet([Fernet(key) for key in settings.BACKUP_KEYS])
    except ValueError as exc:
        raise BackupError("BACKUP_KEY is not a Fernet key.") from exc


class _Writer:
    """Writes frames of one section after another to `out`."""

    def __init__(self, out, cipher: MultiFernet):
        self.out, self.cipher, self.frame = out, cipher, 0
        out.write(MAGIC)

    def _emit(self, section: bytes, data: bytes, last: bool) -> None:
        token = self.cipher.encrypt(HEADER.pack(section, self.frame, last) + data)
        self.out.write(LENGTH.pack(len(token)) + token)
        self.frame += 1

    def section(self, section: bytes) -> "_SectionWriter":
        return _SectionWriter(self, section)


class _SectionWriter(io.RawIOBase):
    def __init__(self, writer: _Writer, section: bytes):
        self.writer, self.section, self.buffer = writer, section, bytearray()

    def writable(self):
        return True

    def write(self, data) -> int:
        self.buffer += data
        while len(self.buffer) >= CHUNK:
            self.writer._emit(self.section, bytes(self.buffer[:CHUNK]), False)
            del self.buffer[:CHUNK]
        return len(data)

    def close(self):
        if not self.closed:
            self.writer._emit(self.section, bytes(self.buffer), True)
            self.buffer.clear()
        super().close()


class _Reader:
    """Reads the frames back, checking their order, section by section."""

    def __init__(self, inp, cipher: MultiFernet):
        self.inp, self.cipher, self.frame = inp, cipher, 0
        if inp.read(len(MAGIC)) != MAGIC:
            raise BackupError("Not a backup written by backup_data.")

    def next_frame(self, section: bytes) -> tuple[bytes, bool]:
        size = self.inp.read(LENGTH.size)
        if len(size) != LENGTH.size:
            raise BackupError("The backup file is cut off.")
        expected = LENGTH.unpack(size)[0]
        token = self.inp.read(expected)
        if len(token) != expected:
            raise BackupError("The backup file is cut off.")
        try:
            plain = self.cipher.decrypt(token)
        except InvalidToken as exc:
            raise BackupError("The backup cannot be decrypted: wrong BACKUP_KEY, or a damaged file.") from exc
        found, number, last = HEADER.unpack_from(plain)
        if found != section or number != self.frame:
            raise BackupError("The backup's frames are out of order or missing.")
        self.frame += 1
        return plain[HEADER.size :], last

    def section(self, section: bytes) -> io.BufferedReader:
        return io.BufferedReader(_SectionReader(self, section), buffer_size=CHUNK)


class _SectionReader(io.RawIOBase):
    def __init__(self, reader: _Reader, section: bytes):
        self.reader, self.section, self.pending, self.done = reader, section, b"", False

    def readable(self):
        return True

    def readinto(self, buffer) -> int:
        while not self.pending and not self.done:
            self.pending, self.done = self.reader.next_frame(self.section)
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


# --- The database ---------------------------------------------------------------------------------


def pg_env(db: dict) -> dict:
    """The environment of the PostgreSQL tools for a Django database's settings."""
    env = {**os.environ, "PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432)}
    env.update({"PGUSER": db["USER"] or "postgres", "PGPASSWORD": db["PASSWORD"] or ""})
    return env


def _run_piped(argv: list[str], env: dict, *, source=None, sink=None) -> None:
    """Run a PostgreSQL tool, streaming `source` into its stdin or its stdout into `sink`."""
    # Messages go to a file, not a pipe: a tool blocked on a full stderr pipe would never finish.
    with tempfile.TemporaryFile() as messages:
        proc = subprocess.Popen(
            argv,
            env={**env, "PGOPTIONS": "-c client_min_messages=warning"},
            stdin=subprocess.PIPE if source else subprocess.DEVNULL,
            stdout=subprocess.PIPE if sink else subprocess.DEVNULL,
            stderr=messages,
        )
        try:
            if sink:
                shutil.copyfileobj(proc.stdout, sink, CHUNK)
            if source:
                shutil.copyfileobj(source, proc.stdin, CHUNK)
                proc.stdin.close()
        except BrokenPipeError:
            pass  # the tool stopped reading: its exit status and messages say why
        if proc.wait() != 0:
            messages.seek(0)
            raise BackupError(f"{argv[0]} failed: {messages.read().decode(errors='replace').strip()[-2000:]}")


def _dump_database(out) -> None:
    connection = connections["default"]
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        argv = ["pg_dump", "--format=plain", "--clean", "--if-exists", "--no-owner", "--no-privileges"]
        _run_piped([*argv, "--dbname", db["NAME"]], pg_env(db), sink=out)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        for line in connection.connection.iterdump():
            out.write((line + "\n").encode())
    else:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")


def _restore_database(source) -> None:
    connection = connections["default"]
    db = connection.settings_dict
    connection.close()
    if connection.vendor == "postgresql":
        env = pg_env(db)
        exists = subprocess.run(
            ["psql", "--dbname", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{db['NAME']}'"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not exists:
            subprocess.run(["createdb", db["NAME"]], env=env, check=True, capture_output=True)
        argv = ["psql", "--quiet", "--no-psqlrc", "--single-transaction", "-v", "ON_ERROR_STOP=1"]
        _run_piped([*argv, "--dbname", db["NAME"], "--file", "-"], env, source=source)
    else:
        path = Path(db["NAME"])
        path.unlink(missing_ok=True)
        with sqlite3.connect(path) as target:
            target.executescript(source.read().decode())


# --- The files ------------------------------------------------------------------------------------


def _tar_media(out) -> int:
    count = 0
    with tarfile.open(fileobj=out, mode="w|") as archive:
        for prefix, setting in MEDIA_ROOTS.items():
            root = Path(getattr(settings, setting))
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    if path.is_file():
                        archive.add(path, arcname=f"{prefix}/{path.relative_to(root).as_posix()}")
                        count += 1
    return count


def _untar_media(source) -> int:
    count = 0
    with tarfile.open(fileobj=source, mode="r|") as archive:
        for member in archive:
            prefix, _, name = member.name.partition("/")
            if prefix not in MEDIA_ROOTS or not member.isfile():
                raise BackupError(f"Unexpected entry in the backup: {member.name}")
            root = Path(getattr(settings, MEDIA_ROOTS[prefix]))
            root.mkdir(parents=True, exist_ok=True)
            member.name = name
            archive.extract(member, root, filter="data")  # refuses absolute paths and ".."
            count += 1
    return count


# --- The two commands' work -----------------------------------------------------------------------


def write_backup(path: Path) -> int:
    """Write an encrypted backup of the database and media to `path` (mode 0600). Returns the
    number of media files. Refuses to overwrite an existing file."""
    cipher = backup_cipher()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            writer = _Writer(out, cipher)
            with writer.section(DATABASE) as section:
                _dump_database(section)
            with writer.section(MEDIA) as section:
                files = _tar_media(section)
            writer.section(END).close()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return files


def restore_backup(path: Path) -> int:
    """Restore the database (replacing its tables) and the media files (over what is there) from
    a backup written by write_backup. Returns the number of media files restored."""
    cipher = backup_cipher()
    with path.open("rb") as inp:
        reader = _Reader(inp, cipher)
        database = reader.section(DATABASE)
        _restore_database(database)
        while database.read(CHUNK):  # what the restoring tool left unread
            pass
        files = _untar_media(reader.section(MEDIA))
        reader.section(END).read()
    return files
