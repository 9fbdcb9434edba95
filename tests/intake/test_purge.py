"""purge_inquiries: closed inquiries and their image files go after the retention period; audit
entries stay, without health details."""

import os
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from intake import services
from intake.models import Inquiry, Note, OutboxMessage
from tests.intake.conftest import HEALTH_SECRET, image_bytes, make_inquiry

pytestmark = pytest.mark.django_db


def closed(days_ago: int, status="closed", image=False, **fields):
    inquiry = make_inquiry(status=status, age=timedelta(days=days_ago + 30), **fields)
    if image:
        inquiry.image.save("report.png", ContentFile(image_bytes("PNG")))
    Inquiry.objects.filter(pk=inquiry.pk).update(status_changed_at=timezone.now() - timedelta(days=days_ago))
    return inquiry


@pytest.fixture
def purge(django_capture_on_commit_callbacks):
    """Run the command; the files it deletes after commit are deleted before it returns."""

    def run(*args) -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("purge_inquiries", *args, stdout=out)
        return out.getvalue()

    return run


def test_closed_inquiries_past_retention_go_with_their_files_notes_and_emails(nurse, purge):
    gone = closed(400, image=True)
    not_a_candidate = closed(40, status="not_a_candidate", image=True)
    recently_closed = closed(10, image=True)
    still_open = make_inquiry(status="contacted", age=timedelta(days=900))
    services.add_note(inquiry=gone, text=f"{HEALTH_SECRET} called", by=nurse)
    OutboxMessage.objects.create(inquiry=gone, kind=OutboxMessage.Kind.STAFF_NOTIFICATION)
    files = {i.pk: Path(i.image.path) for i in (gone, not_a_candidate, recently_closed)}
    assert all(path.exists() for path in files.values())

    output = purge("--older-than", "30")

    assert f"removed {gone.reference}" in output and f"removed {not_a_candidate.reference}" in output
    assert "Removed 2 inquiry(ies) closed or not a candidate for more than 30 day(s), 2 image file(s)" in output
    assert set(Inquiry.objects.values_list("pk", flat=True)) == {recently_closed.pk, still_open.pk}
    assert not files[gone.pk].exists() and not files[not_a_candidate.pk].exists()
    assert files[recently_closed.pk].exists()
    assert not Note.objects.exists() and not OutboxMessage.objects.exists()


def test_the_audit_entries_of_a_purged_inquiry_stay_and_hold_no_health_details(nurse, purge):
    inquiry = make_inquiry(age=timedelta(days=500))
    services.move_inquiry(inquiry=inquiry, to="closed", by=nurse)
    services.add_note(inquiry=inquiry, text=f"{HEALTH_SECRET} in a note", by=nurse)
    services.record_event(inquiry=inquiry, by=nurse, event=services.EVENT_VIEWED)
    Inquiry.objects.filter(pk=inquiry.pk).update(status_changed_at=timezone.now() - timedelta(days=400))
    purge("--older-than", "365")
    entries = LogEntry.objects.filter(object_id=inquiry.pk)
    assert entries.filter(action=LogEntry.Action.DELETE).exists()
    assert entries.count() >= 4
    for entry in entries:
        stored = f"{entry.object_repr} {entry.changes} {entry.serialized_data} {entry.additional_data}"
        assert HEALTH_SECRET not in stored and "Lovelace" not in stored


def test_a_rerun_removes_nothing_more_and_a_dry_run_removes_nothing(purge):
    inquiry = closed(400, image=True)
    path = Path(inquiry.image.path)
    assert "Would remove 1 inquiry(ies)" in purge("--older-than", "30", "--dry-run")
    assert path.exists() and Inquiry.objects.filter(pk=inquiry.pk).exists()
    purge("--older-than", "30")
    assert not path.exists()
    assert "Removed 0 inquiry(ies)" in purge("--older-than", "30")


@override_settings(INQUIRY_RETENTION_DAYS=100)
def test_the_default_retention_comes_from_the_setting(purge):
    old, young = closed(101), closed(99)
    assert "more than 100 day(s)" in purge()
    assert list(Inquiry.objects.all()) == [young]
    assert not Inquiry.objects.filter(pk=old.pk).exists()


def test_image_files_left_behind_by_an_interrupted_run_are_removed_too(purge):
    stray = Path(settings.PRIVATE_MEDIA_ROOT) / "inquiries" / "2020" / "01" / "stray.png"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(image_bytes("PNG"))
    old = time.time() - 400 * 86400
    os.utime(stray, (old, old))
    kept = closed(1, image=True)  # referenced: never touched
    os.utime(kept.image.path, (old, old))
    assert "and 1 image file(s) no inquiry referred to" in purge("--older-than", "30")
    assert not stray.exists() and Path(kept.image.path).exists()


def test_a_negative_retention_is_refused(purge):
    with pytest.raises(CommandError):
        purge("--older-than", "-1")
