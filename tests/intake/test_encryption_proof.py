"""The proof of encryption at rest, on PostgreSQL: a marker in every free-text health answer, and
the picture, appear in neither a pg_dump of the database nor any file under PRIVATE_MEDIA_ROOT,
while the admin shows them to staff."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from clinic.backup import pg_env
from intake import crypto
from intake.models import Inquiry
from tests.intake.conftest import candidate_data, image_bytes, make_staff

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

MARKER = "ZEBRAMARKER"
# Values that would show in plain text if a choice, number or list answer were stored unencrypted.
CHOICE_ANSWERS = {
    "knees": "both",
    "left_pain": "9",
    "left_pain_time": "100",
    "right_pain": "6",
    "right_pain_time": "50",
    "duration": "gt5y",
    "onset": "old_injury",
    # One row per treatment (issue 13): what each one tried did, stored as treatment_outcomes.
    "tried_hyaluronic_acid": "no",
    "tried_stem_cells": "for_a_while",
    "pain_worsening": "yes",
    "activity_level": "high",
    "replacement_recommended": "not_sure",
    "pain_medication": "sometimes",
    "otherwise_healthy": "yes",
    "sleep_interrupted": "on",
    "instability": "on",
    "swelling": "on",
    "clicking": "on",
}


def pg_dump() -> bytes:
    argv = ["pg_dump", "--format=plain", "--data-only", "--dbname", connection.settings_dict["NAME"]]
    return subprocess.run(argv, env=pg_env(connection.settings_dict), capture_output=True, check=True).stdout


def private_files() -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if path.is_file()}


def test_health_answers_and_the_picture_are_in_no_dump_or_file_but_staff_see_them(client, offices):
    data = candidate_data(
        **CHOICE_ANSWERS,
        message=f"{MARKER} my own words, bone on bone",
        activities_given_up=f"{MARKER} dancing",
        image=SimpleUploadedFile("knee.png", image_bytes("PNG", size=(120, 90)), content_type="image/png"),
    )
    earlier = set(private_files())  # files other tests of this run left in the shared folder
    assert client.post("/candidate/", data).status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.suggestion_reasons and inquiry.left_pain == 9 and inquiry.image
    assert inquiry.treatment_outcomes["stem_cells"] == "for_a_while" and inquiry.activity_level == "high"
    with inquiry.image.open("rb") as picture:
        stored_picture = picture.read()
    picture_marker = stored_picture[len(stored_picture) // 2 :][:48]  # compressed pixels: unique

    dump = pg_dump()
    assert inquiry.reference.encode() in dump and b"ada@example.com" in dump  # the dump is real
    plain_values = [MARKER, *inquiry.suggestion_reasons, "old_injury", "hyaluronic_acid", "stem_cells", "for_a_while"]
    for value in plain_values:
        assert value.encode() not in dump, value
    assert picture_marker not in dump
    files = private_files()
    # The picture-decoding slots (intake/image_slots.py) are empty lock files: no data to encrypt.
    slots = [data for path, data in files.items() if path.parent.name == ".slots"]
    assert all(data == b"" for data in slots)
    written = [data for path, data in files.items() if path not in earlier and path.parent.name != ".slots"]
    assert written and all(data.startswith(crypto.TOKEN_PREFIX.encode()) for data in written)
    for data in files.values():
        assert MARKER.encode() not in data and picture_marker not in data

    make_staff("boss", superuser=True)
    client.force_login(make_staff("chief", superuser=True))
    page = client.get(f"/admin/intake/inquiry/{inquiry.pk}/change/").content.decode()
    assert page.count(MARKER) >= 2 and inquiry.suggestion_reasons[0] in page
    image = client.get(f"/admin/intake/inquiry/{inquiry.pk}/image/")
    assert b"".join(image.streaming_content) == stored_picture
