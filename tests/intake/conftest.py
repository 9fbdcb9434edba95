"""Helpers for the intake tests: valid form data, a fresh form's hidden fields, offices."""

import io
import time
import uuid

import pytest
from django.contrib.auth.models import Group, User
from django.core import signing
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from intake.models import Inquiry, phone_digits
from intake.services.deadlines import sla_deadline
from intake.spam import STARTED_SALT
from scripts.support.answers import CANDIDATE_ANSWERS


@pytest.fixture
def offices(db):
    call_command("load_content", verbosity=0)


def started(seconds_ago: float = 60) -> str:
    """The hidden start time of a form opened `seconds_ago`."""
    return signing.dumps(time.time() - seconds_ago, salt=STARTED_SALT)


def protection(**overrides) -> dict:
    """The hidden and spam-protection fields a person's browser sends."""
    return {
        "started": started(),
        "altcha": "",  # tests.settings: CAPTCHA_TEST_MODE passes the proof of work unsolved
        "website": "",
        "submission_token": str(uuid.uuid4()),
        **overrides,
    }


def _merged(data: dict, overrides: dict) -> dict:
    """A form's answers with `overrides` applied; an override of None leaves the field out."""
    return {k: v for k, v in {**data, **overrides}.items() if v is not None}


def candidate_data(**overrides) -> dict:
    data = {**CANDIDATE_ANSWERS, **protection()}
    return _merged(data, overrides)


def question_data(**overrides) -> dict:
    data = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace@example.com",
        "preferred_contact": "email",
        "message": "Do you treat both knees on the same day?",
        "consent_to_contact": "on",
        **protection(),
    }
    return _merged(data, overrides)


def appointment_data(**overrides) -> dict:
    data = {
        "first_name": "Alan",
        "last_name": "Turing",
        "email": "alan@example.com",
        "phone": "708 555 0199",
        "preferred_contact": "phone",
        "office": "fort-myers",
        "patient_status": "new",
        "preferred_days": ["monday", "thursday"],
        "preferred_times": ["morning"],
        "message": "First visit for my knee.",
        "consent_to_contact": "on",
        **protection(),
    }
    return _merged(data, overrides)


def image_bytes(fmt: str = "JPEG", size=(64, 48), exif: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    kwargs = {"exif": exif} if exif else {}
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


# --- Triage: inquiries and staff made directly, without the public forms ---------------------

HEALTH_SECRET = "SENTINEL-HEALTH-DETAIL"


def make_inquiry(*, age=None, **fields):
    """An inquiry as submit_inquiry stores it (reference included), `age` (a timedelta) old."""
    values = {
        "kind": "candidate",
        "submission_token": uuid.uuid4(),
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "phone": "239 555 0100",
        "message": f"{HEALTH_SECRET} bone on bone",
        "activities_given_up": f"{HEALTH_SECRET} tennis",
        "suggested_type": 3,
        "suggestion_reasons": ["Joint replacement was recommended"],
        **fields,
    }
    inquiry = Inquiry.objects.create(**values, phone_digits=phone_digits(values["phone"]))
    inquiry.reference = f"KN-2026-{inquiry.pk:06d}"
    inquiry.save(update_fields=["reference"])
    if age is not None:
        Inquiry.objects.filter(pk=inquiry.pk).update(submitted_at=timezone.now() - age)
        inquiry.refresh_from_db()
    # The due time as submit_inquiry stores it (TRIAGE_SLA_HOURS of office hours; calendar hours
    # when no office has hours, as in most tests).
    _, due = sla_deadline(inquiry.office, inquiry.submitted_at)
    Inquiry.objects.filter(pk=inquiry.pk).update(due_at=due)
    inquiry.due_at = due
    return inquiry


def make_staff(username: str, *groups: str, superuser: bool = False, **fields):
    user = User.objects.create_user(
        username, email=f"{username}@clinic.example", is_staff=True, is_superuser=superuser, **fields
    )
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def nurse(db):
    return make_staff("nurse", "Triage", first_name="Nora", last_name="Nurse")


@pytest.fixture
def nurse_client(client, nurse):
    client.force_login(nurse)
    return client


def change_form_data(inquiry, *, note: str = "", **fields) -> dict:
    """What the inquiry's admin change form posts: the triage fields (assignee, priority, a new
    note, a contact attempt left blank) and the read-only emails inline's management form. A button
    pressed is `_triage="move:in_review"` (or "assign_me", "note", "attempt")."""
    outbox = list(inquiry.outbox.all())
    data = {
        "assignee": inquiry.assignee_id or "",
        "priority": inquiry.priority,
        "note": note,
        "attempt_channel": "",
        "attempt_outcome": "",
        "attempt_note": "",
        "attempt_next_step": "",
        "outbox-TOTAL_FORMS": len(outbox),
        "outbox-INITIAL_FORMS": len(outbox),
    }
    for i, row in enumerate(outbox):
        data |= {f"outbox-{i}-id": row.pk, f"outbox-{i}-inquiry": inquiry.pk}
    return data | fields
