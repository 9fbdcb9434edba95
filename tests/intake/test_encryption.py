"""Encryption at rest: health answers and pictures are Fernet tokens in the database and on disk,
staff read them as before, keys roll over, and the site refuses to run without a key."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.exceptions import FieldError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from intake import crypto
from intake.models import Inquiry
from tests.conftest import ROOT
from tests.intake.conftest import HEALTH_SECRET, image_bytes, make_inquiry

pytestmark = pytest.mark.django_db

HEALTH = {
    "knees": "both",
    "left_pain": 4,
    "left_pain_time": 30,
    "right_pain": 8,
    "right_pain_time": 90,
    "duration": "gt5y",
    "onset": "wear",
    "treatments_tried": ["cortisone", "prp"],
    "replacement_recommended": "yes",
    "sleep_interrupted": True,
    "instability": True,
    "swelling": True,
    "ligament_or_tendon_pain": True,
    "clicking": True,
    "worse_with_activity": True,
    "better_with_rest": True,
    "pain_medication": "daily",
    "otherwise_healthy": "not_sure",
    # The guide's questions (issue 13): health details too.
    "treatment_outcomes": {"cortisone": "for_a_while", "prp": "no"},
    "pain_worsening": "yes",
    "activity_level": "moderate",
}
ENCRYPTED = set(crypto.encrypted_field_names(Inquiry))


def raw_columns(inquiry) -> dict:
    columns = [Inquiry._meta.get_field(name).column for name in sorted(ENCRYPTED)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM intake_inquiry WHERE id = %s", [inquiry.pk])
        return dict(zip(sorted(ENCRYPTED), cursor.fetchone(), strict=True))


def test_the_encrypted_fields_are_the_health_details_not_the_contact_details():
    assert {*HEALTH, "message", "activities_given_up", "suggestion_reasons"} == ENCRYPTED
    assert not ENCRYPTED & {"first_name", "last_name", "email", "phone", "status", "suggested_type"}


def test_every_health_value_is_a_token_in_the_database_and_reads_back_as_stored():
    inquiry = make_inquiry(**HEALTH)
    raw = raw_columns(inquiry)
    assert all(value.startswith(crypto.TOKEN_PREFIX) for value in raw.values()), raw
    assert not any(HEALTH_SECRET in value for value in raw.values())
    again = Inquiry.objects.get(pk=inquiry.pk)
    assert {name: getattr(again, name) for name in HEALTH} == HEALTH
    assert again.message.startswith(HEALTH_SECRET) and again.get_onset_display() == "Wear over the years"


def test_an_unanswered_value_is_encrypted_too_so_the_column_does_not_tell_which_knee():
    inquiry = make_inquiry(knees="right", right_pain=6)
    raw = raw_columns(inquiry)
    assert raw["left_pain"].startswith(crypto.TOKEN_PREFIX)
    assert Inquiry.objects.get(pk=inquiry.pk).left_pain is None


def test_the_database_cannot_filter_or_order_on_an_encrypted_field():
    make_inquiry(**HEALTH)
    with pytest.raises(FieldError):
        list(Inquiry.objects.filter(left_pain__gte=5))
    with pytest.raises(FieldError):
        list(Inquiry.objects.filter(message__icontains="knee"))


def test_the_picture_is_a_token_on_disk_and_staff_download_the_plain_image(admin_client):
    inquiry = make_inquiry()
    picture = image_bytes("PNG")
    inquiry.image.save("report.png", ContentFile(picture))
    on_disk = Path(inquiry.image.path).read_bytes()
    assert on_disk.startswith(crypto.TOKEN_PREFIX.encode()) and picture not in on_disk
    response = admin_client.get(f"/admin/intake/inquiry/{inquiry.pk}/image/")
    assert b"".join(response.streaming_content) == picture
    assert admin_client.get(f"/admin/intake/inquiry/{inquiry.pk}/image/thumbnail/").status_code == 200


def test_a_new_key_rolls_in_and_reencrypt_moves_everything_to_it(settings):
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    inquiry = make_inquiry(**HEALTH)
    inquiry.image.save("report.png", ContentFile(image_bytes("PNG")))
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert Inquiry.objects.get(pk=inquiry.pk).right_pain == 8  # the old key still opens it
    call_command("reencrypt_health_data", "--batch-size", "1", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [new]
    again = Inquiry.objects.get(pk=inquiry.pk)
    assert {name: getattr(again, name) for name in HEALTH} == HEALTH
    with again.image.open("rb") as picture:
        assert picture.read() == image_bytes("PNG")
    settings.FIELD_ENCRYPTION_KEYS = [old]
    with pytest.raises(crypto.KeyMissing):
        Inquiry.objects.get(pk=inquiry.pk)


def test_values_stored_before_encryption_read_as_they_were_and_reencrypt_encrypts_them():
    inquiry = make_inquiry()
    plain = {"message": "plain words", "left_pain": "5", "instability": "true", "treatments_tried": '["nsaids"]'}
    with connection.cursor() as cursor:
        assignments = ", ".join(f"{name} = %s" for name in plain)
        cursor.execute(f"UPDATE intake_inquiry SET {assignments} WHERE id = %s", [*plain.values(), inquiry.pk])
    Path(inquiry.image.storage.path("inquiries/old.png")).parent.mkdir(parents=True, exist_ok=True)
    Path(inquiry.image.storage.path("inquiries/old.png")).write_bytes(image_bytes("PNG"))
    Inquiry.objects.filter(pk=inquiry.pk).update(image="inquiries/old.png")
    again = Inquiry.objects.get(pk=inquiry.pk)
    assert (again.message, again.left_pain, again.instability, again.treatments_tried) == (
        "plain words",
        5,
        True,
        ["nsaids"],
    )
    call_command("reencrypt_health_data", stdout=io.StringIO())
    assert all(value.startswith(crypto.TOKEN_PREFIX) for value in raw_columns(inquiry).values())
    assert Path(again.image.path).read_bytes().startswith(crypto.TOKEN_PREFIX.encode())
    assert Inquiry.objects.get(pk=inquiry.pk).left_pain == 5


def test_a_key_that_is_not_a_fernet_key_fails_the_system_check():
    with override_settings(FIELD_ENCRYPTION_KEYS=["not-a-key"]):
        assert "intake.E002" in [error.id for error in run_checks()]
    assert "intake.E002" not in [error.id for error in run_checks()]


def test_with_debug_off_the_site_refuses_to_start_without_a_key():
    env = {k: v for k, v in os.environ.items() if k != "FIELD_ENCRYPTION_KEYS"}
    env.update(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="clinic.example.com")
    result = subprocess.run([sys.executable, "-c", "import clinic.settings"], cwd=ROOT, env=env, capture_output=True)
    assert result.returncode != 0 and b"FIELD_ENCRYPTION_KEYS is unset while DEBUG is off" in result.stderr


def test_development_gets_one_generated_key_kept_in_a_private_file(tmp_path):
    from clinic.devkeys import fernet_key_file

    key = fernet_key_file(tmp_path / "var" / "field-encryption.key")
    assert Fernet(key) and fernet_key_file(tmp_path / "var" / "field-encryption.key") == key
    assert (tmp_path / "var" / "field-encryption.key").stat().st_mode & 0o777 == 0o600


def test_the_list_decrypts_nothing_and_the_csv_export_still_holds_the_health_details(admin_client, monkeypatch):
    inquiry = make_inquiry(**HEALTH)
    calls = []
    decrypt = crypto.decrypt_bytes
    monkeypatch.setattr(crypto, "decrypt_bytes", lambda data: calls.append(1) or decrypt(data))
    assert admin_client.get("/admin/intake/inquiry/").status_code == 200
    assert calls == []
    response = admin_client.post("/admin/intake/inquiry/", {"action": "export_csv", "_selected_action": [inquiry.pk]})
    assert "Wear over the years" in response.content.decode() and HEALTH_SECRET in response.content.decode()
