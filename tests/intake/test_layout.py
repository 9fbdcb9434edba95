"""The intake code's own arrangement: the candidacy sections declared once, tasks kept out of the
services' leaf modules, and the hand-off state read without the admin."""

import ast
from pathlib import Path

import pytest

from intake.admin.inquiry import ADMIN_FIELD, FIELDSETS, TOP_ONLY
from intake.forms import CandidateForm
from intake.models import Inquiry, OutboxMessage
from intake.sections import CANDIDACY_SECTIONS
from intake.services import INQUIRY_MESSAGES
from tests.intake.conftest import make_inquiry

SERVICES = Path(__file__).resolve().parents[2] / "intake" / "services"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            names |= {f"{base}.{alias.name}".strip(".") for alias in node.names} | {base}
    return names


def test_the_form_and_the_admin_show_the_same_candidacy_sections():
    admin_sections = [fieldset for fieldset in FIELDSETS[Inquiry.Kind.CANDIDATE] if fieldset[0] != "Received"]
    assert [title for title, _ in admin_sections] == [section.staff_title for section in CANDIDACY_SECTIONS]
    shown = {
        name
        for _, options in admin_sections
        for item in options["fields"]
        for name in ([item] if isinstance(item, str) else item)
    }
    asked = set(CandidateForm.Meta.fields)
    # Issue 12: yes/no answers as words, the office by its label (ADMIN_FIELD); the image once, at
    # the top of the page (the patient card), not again in the sections.
    assert {ADMIN_FIELD.get(name, name) for name in asked - TOP_ONLY} <= shown
    assert {"treatments_list", "office_label", "instability_answer"} <= shown and {"image"} == TOP_ONLY


@pytest.mark.parametrize("module", ["delivery.py", "digest.py", "emails.py", "audit.py", "retention.py"])
def test_the_leaf_services_never_import_the_tasks(module):
    assert not {name for name in imported_modules(SERVICES / module) if "tasks" in name}


@pytest.mark.django_db
def test_the_hand_off_state_is_read_from_the_inquiry():
    inquiry = make_inquiry()
    assert inquiry.handoff_summary() == ("sent", "")  # nothing to send
    staff, patient = (OutboxMessage.objects.create(inquiry=inquiry, kind=kind) for kind in INQUIRY_MESSAGES)
    assert inquiry.handoff_summary() == ("pending", "")
    OutboxMessage.objects.filter(pk=patient.pk).update(attempts=2, last_error="SMTPServerDisconnected: gone")
    assert inquiry.handoff_summary() == (
        "failing",
        "Confirmation to the patient: attempt 2, SMTPServerDisconnected: gone",
    )
    OutboxMessage.objects.filter(pk=staff.pk).update(status="failed", attempts=8, last_error="OSError: refused")
    assert inquiry.handoff_summary() == ("failed", "Staff notification: attempt 8, OSError: refused")
    OutboxMessage.objects.update(status="sent", last_error="")
    assert inquiry.handoff_summary() == ("sent", "")
