"""No orphan, no half file: the picture is written whole before its row commits, a failed write
keeps the patient's answers, and a file without a row is removed at once or by the sweep."""

import errno
import os
import stat
import uuid
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from intake import services
from intake.models import Inquiry, OutboxMessage
from intake.services.uploads import sweep_orphan_images
from intake.views import IMAGE_NOT_STORED

from .conftest import candidate_data, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_private_root():
    cache.clear()
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "inquiries"
    before = set(root.rglob("*")) if root.exists() else set()
    yield root
    for path in set(root.rglob("*")) - before:
        if path.is_file():
            path.unlink()


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload():
    return SimpleUploadedFile("report.jpg", image_bytes("JPEG", size=(200, 150)), content_type="image/jpeg")


def answers(**fields):
    return {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "message": "m", **fields}


def test_a_stored_picture_is_whole_and_readable_by_the_site_only(client, offices, clean_private_root):
    before = set(files_under(clean_private_root))
    response = client.post("/candidate/", candidate_data(image=upload()))
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    path = Path(inquiry.image.path)
    assert set(files_under(clean_private_root)) - before == {path}  # no temporary file left beside it
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.stat().st_size == inquiry.image.size
    # Encrypted on disk (intake.crypto); the whole token decrypts back to the JPEG.
    assert path.read_bytes()[:3] != b"\xff\xd8\xff"
    with inquiry.image.open("rb") as picture:
        assert picture.read()[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS])
def test_a_full_or_read_only_disk_keeps_the_answers_and_leaves_no_file(client, offices, clean_private_root, error):
    before = files_under(clean_private_root)
    data = candidate_data(message="My left knee locks on stairs", image=upload())
    with mock.patch("clinic.storage.os.fsync", side_effect=OSError(error, os.strerror(error))):
        response = client.post("/candidate/", data)
    assert response.status_code == 503
    body = response.content.decode()
    assert IMAGE_NOT_STORED in body
    assert "My left knee locks on stairs" in body and "ada@example.com" in body
    assert not Inquiry.objects.exists() and not OutboxMessage.objects.exists()
    assert files_under(clean_private_root) == before  # neither the picture nor a half-written temporary file


def test_a_write_cut_short_leaves_nothing_under_the_final_name(clean_private_root):
    class Truncating(ContentFile):
        # The encrypted bytes PrivateStorage hands to the atomic write: part of them, then the disk fails.
        def chunks(self, chunk_size=None):
            yield self.read(300)
            raise OSError(errno.EIO, "I/O error")

    before = files_under(clean_private_root)
    picture = ContentFile(image_bytes("JPEG", size=(200, 150)), name="a.jpg")
    with mock.patch("intake.storage.ContentFile", Truncating), pytest.raises(services.ImageNotStored):
        services.submit_inquiry(kind="question", submission_token=uuid.uuid4(), answers=answers(), image=picture)
    assert files_under(clean_private_root) == before


def test_a_database_error_after_the_write_removes_the_picture_at_once(clean_private_root):
    before = files_under(clean_private_root)
    with (
        mock.patch.object(OutboxMessage.objects, "bulk_create", side_effect=ValueError("boom")),
        pytest.raises(ValueError),
    ):
        services.submit_inquiry(
            kind="question",
            submission_token=uuid.uuid4(),
            answers=answers(),
            image=ContentFile(image_bytes(), name="x.jpg"),
        )
    assert not Inquiry.objects.exists()
    assert files_under(clean_private_root) == before


def test_a_double_submit_race_keeps_one_picture(clean_private_root):
    token = uuid.uuid4()
    first, created = services.submit_inquiry(
        kind="question", submission_token=token, answers=answers(), image=ContentFile(image_bytes(), name="a.jpg")
    )
    assert created
    after_first = files_under(clean_private_root)
    # The second request passed the "already stored?" check before the first one committed.
    real_filter = Inquiry.objects.filter
    calls = []

    def filter_missing_once(*args, **kwargs):
        calls.append(kwargs)
        return Inquiry.objects.none() if len(calls) == 1 else real_filter(*args, **kwargs)

    with mock.patch.object(Inquiry.objects, "filter", side_effect=filter_missing_once):
        again, created = services.submit_inquiry(
            kind="question", submission_token=token, answers=answers(), image=ContentFile(image_bytes(), name="b.jpg")
        )
    assert not created and again.pk == first.pk
    assert files_under(clean_private_root) == after_first


@pytest.fixture
def own_private_root(tmp_path, monkeypatch):
    """The private storage pointed at an empty folder: the run's shared one may hold other tests'
    old files (tests/intake/test_purge.py ages a picture whose row is rolled back)."""
    storage = Inquiry._meta.get_field("image").storage
    monkeypatch.setitem(storage.__dict__, "base_location", str(tmp_path))
    monkeypatch.setitem(storage.__dict__, "location", str(tmp_path))
    return tmp_path / "inquiries"


def test_the_sweep_removes_old_files_without_a_row_only(own_private_root):
    kept, _ = services.submit_inquiry(
        kind="question",
        submission_token=uuid.uuid4(),
        answers=answers(),
        image=ContentFile(image_bytes(), name="k.jpg"),
    )
    folder = own_private_root / "2026" / "01"
    folder.mkdir(parents=True, exist_ok=True)
    old_orphan = folder / "orphan.jpg"
    half_written = folder / ".tmp-abc123"
    fresh_orphan = folder / "fresh.jpg"
    for path in (old_orphan, half_written, fresh_orphan):
        path.write_bytes(b"x")
    two_hours_ago = (timezone.now() - timedelta(hours=2)).timestamp()
    for path in (old_orphan, half_written, Path(kept.image.path)):
        os.utime(path, (two_hours_ago, two_hours_ago))
    assert sweep_orphan_images() == 2
    assert not old_orphan.exists() and not half_written.exists()
    assert fresh_orphan.exists() and Path(kept.image.path).exists()


def test_the_sweep_runs_hourly_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["intake-orphan-image-sweep"]
    assert entry["task"] == "intake.tasks.sweep_orphan_images" and entry["schedule"] == 3600.0
