"""Helpers for the intake tests: valid form data, a fresh form's hidden fields, offices."""

import io
import time
import uuid

import pytest
from django.core import signing
from django.core.management import call_command
from PIL import Image

from intake.forms import STARTED_SALT


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
        "captcha_0": "test-key",
        "captcha_1": "PASSED",
        "website": "",
        "submission_token": str(uuid.uuid4()),
        **overrides,
    }


def candidate_data(**overrides) -> dict:
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "phone": "239 555 0100",
        "preferred_contact": "either",
        "office": "oak-park",
        "knees": "right",
        "right_pain": "7",
        "right_pain_time": "60",
        "duration": "1to5y",
        "onset": "old_injury",
        "treatments_tried": ["nsaids", "physical_therapy"],
        "replacement_recommended": "no",
        "instability": "on",
        "message": "It hurts on the stairs.",
        "callback_window": "Any time",
        "out_of_network_acknowledged": "on",
        "consent_to_contact": "on",
        **protection(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


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
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


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
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def image_bytes(fmt: str = "JPEG", size=(64, 48), exif: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    kwargs = {"exif": exif} if exif else {}
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()
