"""Encrypted backups: the stream format refuses a wrong key or a damaged file, and on PostgreSQL a
backup restores the whole site after the database and the files are gone."""

import io
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from cryptography.fernet import Fernet, MultiFernet
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, connections

from clinic import backup
from intake import services
from intake.models import Inquiry
from tests.intake.conftest import HEALTH_SECRET, image_bytes, make_inquiry, make_staff

KEY = Fernet.generate_key().decode()


def written(sections: dict[bytes, bytes], key=KEY) -> bytes:
    out = io.BytesIO()
    writer = backup._Writer(out, MultiFernet([Fernet(key)]))
    for code, data in sections.items():
        with writer.section(code) as section:
            section.write(data)
    return out.getvalue()


def read_back(data: bytes, codes, key=KEY) -> list[bytes]:
    reader = backup._Reader(io.BytesIO(data), MultiFernet([Fernet(key)]))
    return [reader.section(code).read() for code in codes]


def test_sections_of_several_frames_read_back_as_written(monkeypatch):
    monkeypatch.setattr(backup, "CHUNK", 1000)
    first, second = bytes(range(256)) * 20, b"second section"
    data = written({b"D": first, b"M": second, b"E": b""})
    assert read_back(data, [b"D", b"M", b"E"]) == [first, second, b""]
    assert first[:200] not in data and second not in data


def test_a_wrong_key_a_cut_file_and_moved_frames_are_refused(monkeypatch):
    monkeypatch.setattr(backup, "CHUNK", 100)
    data = written({b"D": b"x" * 350, b"E": b""})
    with pytest.raises(backup.BackupError, match="wrong BACKUP_KEY"):
        read_back(data, [b"D"], key=Fernet.generate_key().decode())
    with pytest.raises(backup.BackupError, match="cut off"):
        read_back(data[:-200], [b"D", b"E"])
    header = len(backup.MAGIC)
    size = backup.LENGTH.size + backup.LENGTH.unpack_from(data, header)[0]
    swapped = data[:header] + data[header + size : header + 2 * size] + data[header : header + size]
    with pytest.raises(backup.BackupError, match="out of order"):
        read_back(swapped + data[header + 2 * size :], [b"D"])


def test_backup_refuses_to_run_without_a_key(settings, tmp_path):
    settings.BACKUP_KEYS = []
    with pytest.raises(backup.BackupError, match="BACKUP_KEY is not set"):
        backup.write_backup(tmp_path / "x.backup")
    assert not (tmp_path / "x.backup").exists()


def _psql(sql: str) -> None:
    env = backup.pg_env(connection.settings_dict)
    subprocess.run(["psql", "--dbname", "postgres", "-c", sql], env=env, check=True, capture_output=True)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_inquiry_picture_and_audit_trail_after_both_are_gone(settings, tmp_path):
    settings.BACKUP_KEYS = [KEY]
    nurse = make_staff("nurse")
    inquiries = []
    for n in range(3):
        inquiry = make_inquiry(email=f"p{n}@example.com", message=f"{HEALTH_SECRET} {n}", right_pain=n)
        inquiry.image.save(f"r{n}.png", ContentFile(image_bytes("PNG", size=(40 + n, 30))))
        services.record_event(inquiry=inquiry, by=nurse, event=services.EVENT_VIEWED)
        services.add_note(inquiry=inquiry, text=f"note {n}", by=nurse)
        inquiries.append(inquiry)
    trails = {i.reference: list(LogEntry.objects.get_for_object(i).values_list("pk", "action")) for i in inquiries}
    pictures = {i.reference: image_bytes("PNG", size=(40 + n, 30)) for n, i in enumerate(inquiries)}
    path = tmp_path / "site.backup"
    call_command("backup_data", "--output", str(path), stdout=StringIO())
    content = path.read_bytes()
    for plain in [HEALTH_SECRET.encode(), b"p1@example.com", b"note 1", b"intake_inquiry", *pictures.values()]:
        assert plain not in content

    # The disaster: the database and the private files are gone.
    name = connection.settings_dict["NAME"]
    connections.close_all()
    _psql(f'DROP DATABASE "{name}" WITH (FORCE)')
    shutil.rmtree(settings.PRIVATE_MEDIA_ROOT)

    call_command("restore_data", str(path), "--yes", stdout=StringIO())
    restored = {i.reference: i for i in Inquiry.objects.all()}
    assert set(restored) == set(trails)
    for reference, inquiry in restored.items():
        assert inquiry.message.startswith(HEALTH_SECRET) and inquiry.notes.count() == 1
        with inquiry.image.open("rb") as picture:
            assert picture.read() == pictures[reference]
        assert list(LogEntry.objects.get_for_object(inquiry).values_list("pk", "action")) == trails[reference]
    assert Path(settings.PRIVATE_MEDIA_ROOT, restored[inquiries[0].reference].image.name).is_file()
