"""Issue 12's one vocabulary and the bulk contact attempt, in the admin: one office label, staff by
full name, yes/no as words, phone numbers found by their digits, the CSV in human labels with every
answer, and the bulk "log a contact attempt" with its confirmation page."""

import csv
import importlib
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clinic.models import Office
from intake.models import Inquiry
from tests.intake.conftest import make_inquiry, make_staff

pytestmark = pytest.mark.django_db

LIST = "/admin/intake/inquiry/"


def rows(html: str) -> set[str]:
    return set(re.findall(r'<th class="field-reference"><a [^>]*>(KN-\d{4}-\d{6})</a>', html))


@pytest.mark.parametrize("query", ["5550103", "555-0103", "(239) 555 0103", "2395550103"])
def test_a_phone_number_is_found_by_its_digits_however_typed(nurse_client, query):
    found = make_inquiry(phone="(239) 555-0103")
    make_inquiry(phone="239 555 0177")
    assert rows(nurse_client.get(LIST, {"q": query}).content.decode()) == {found.reference}


def test_the_office_reads_the_same_in_the_list_and_the_filter(nurse_client, offices):
    office = Office.objects.get(slug="oak-park")
    make_inquiry(office=office)
    make_inquiry(office=None)
    html = nurse_client.get(LIST).content.decode()
    filter_html = html.split('id="changelist-filter"')[1]
    assert f'<td class="field-office_label">{office.label}</td>' in html
    assert office.label in filter_html and office.name not in filter_html
    assert (
        "Either office, or remote" in html.split('id="changelist-filter"')[0]
        and "Either office, or remote" in filter_html
    )
    assert len(rows(nurse_client.get(LIST, {"office__id__exact": office.pk}).content.decode())) == 1
    assert len(rows(nurse_client.get(LIST, {"office__id__exact": "none"}).content.decode())) == 1


def test_staff_are_named_by_full_name_and_answers_are_words(nurse_client, nurse):
    make_staff("jdoe", "Triage", first_name="Jane", last_name="Doe")
    inquiry = make_inquiry(instability=True, swelling=False, assignee=nurse)
    html = nurse_client.get(f"{LIST}{inquiry.pk}/change/").content.decode()
    select = html.split('name="assignee"')[1].split("</select>")[0]
    assert ">Jane Doe</option>" in select and ">Nora Nurse</option>" in select and ">jdoe<" not in select
    assert "icon-yes.svg" not in html and "icon-no.svg" not in html
    assert re.search(r'<div class="readonly">Yes</div>', html) and re.search(r'<div class="readonly">No</div>', html)
    assert f'<a href="mailto:{inquiry.email}">' in html and '<a href="tel:+12395550100">239 555 0100</a>' in html


def test_the_csv_has_human_labels_and_every_answer(client, nurse):
    codenames = ["export_inquiries", "export_health_details"]
    nurse.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(nurse)
    inquiry = make_inquiry(
        treatments_tried=["physical_therapy", "prp"],
        left_pain=6,
        left_pain_time=40,
        right_pain=3,
        right_pain_time=10,
        clicking=True,
        pain_medication="daily",
        message="-cmd|' /C calc'!A0",
    )
    data = {"action": "export_csv", "_selected_action": [inquiry.pk], "index": 0}
    (row,) = csv.DictReader(io.StringIO(client.post(LIST, data).content.decode()))
    assert row["treatments tried"] == "Physical therapy, Platelet Rich Plasma (PRP)"
    assert row["left knee hurts, % of the time"] == "40" and row["right knee hurts, % of the time"] == "10"
    assert row["clicking or popping"] == "Yes" and row["swelling"] == "No" and row["pain medication"] == "Every day"
    assert row["office"] == "Either office, or remote" and row["contact attempts"] == "0"
    assert row["message"].startswith("'-cmd")  # still formula-escaped
    assert "physical_therapy" not in str(row)


def test_bulk_log_attempt_asks_first_then_logs_one_each_and_moves_the_reached(nurse_client, nurse):
    fresh, reviewing, closed = make_inquiry(), make_inquiry(status="in_review"), make_inquiry(status="closed")
    chosen = [fresh.pk, reviewing.pk, closed.pk]
    page = nurse_client.post(LIST, {"action": "log_contact_attempt", "_selected_action": chosen, "index": 0})
    html = page.content.decode()
    assert page.status_code == 200 and "Log the attempt on 3 inquiries" in html
    assert not Inquiry.objects.filter(contact_attempts__isnull=False).exists()
    confirm = {"action": "log_contact_attempt", "_selected_action": chosen, "confirm": "yes"}
    html = nurse_client.post(LIST, confirm | {"attempt_note": "No outcome"}).content.decode()
    assert "Choose how the attempt went." in html  # refused, asked again
    answer = {"attempt_channel": "phone", "attempt_outcome": "reached", "attempt_note": "Booked"}
    html = nurse_client.post(LIST, confirm | answer, follow=True).content.decode()
    assert "Logged a contact attempt (reached them) on 3 inquiry(ies); 2 moved to contacted." in html
    statuses = [i.status for i in (fresh, reviewing, closed) if not i.refresh_from_db()]
    assert statuses == ["contacted", "contacted", "closed"]
    assert all(i.contact_attempts.get().by == nurse for i in (fresh, reviewing, closed))
    assert re.search(r'<td class="field-attempts_display">1</td>', html)


def test_the_migration_stores_the_digits_of_existing_phone_numbers():
    inquiry = make_inquiry(phone="+1 (708) 555-0190")
    Inquiry.objects.filter(pk=inquiry.pk).update(phone_digits="")
    migration = importlib.import_module("intake.migrations.0004_triage_workspace")
    state = MigrationExecutor(connection).loader.project_state(("intake", "0004_triage_workspace"))
    migration.fill_phone_digits(state.apps, None)
    inquiry.refresh_from_db()
    assert inquiry.phone_digits == "17085550190"
