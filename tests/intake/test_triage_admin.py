"""Triage in Django admin, as a triage nurse uses it: the list, the change page with its buttons,
notes and audit trail, the image, bulk actions, CSV export, deletes and the admin home's counts."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from intake import services
from intake.admin import InquiryAdmin
from intake.models import Inquiry, Note
from tests.intake.conftest import HEALTH_SECRET, change_form_data, image_bytes, make_inquiry, make_staff

pytestmark = pytest.mark.django_db

LIST = "/admin/intake/inquiry/"


def change_url(inquiry):
    return f"/admin/intake/inquiry/{inquiry.pk}/change/"


def events(inquiry, event):
    return LogEntry.objects.get_for_object(inquiry).filter(additional_data__event=event)


def rows(html: str) -> list[str]:
    """The references in the list, top to bottom."""
    return re.findall(r'<th class="field-reference"><a [^>]*>(KN-\d{4}-\d{6})</a>', html)


def with_image(inquiry):
    inquiry.image.save("report.png", ContentFile(image_bytes("PNG", size=(1200, 900))))
    return inquiry


def action(client, name, inquiries, follow=True):
    data = {"action": name, "_selected_action": [i.pk for i in inquiries], "index": 0}
    return client.post(LIST, data, follow=follow)


# --- The list ----------------------------------------------------------------------------------


def test_the_list_shows_what_triage_needs_with_age_and_overdue_marked(nurse_client, nurse):
    overdue = make_inquiry(age=timedelta(days=2), assignee=nurse)
    fresh = make_inquiry(
        age=timedelta(hours=3), first_name="Grace", last_name="Hopper", suggested_type=None, priority=3
    )
    html = nurse_client.get(LIST).content.decode()
    for text in ("Reference", "Name", "Office", "Type", "Status", "Age", "Assigned to", "Attempts", "Notes"):
        assert f">{text}</a>" in html or f">{text}</span>" in html, text
    assert overdue.reference in html and fresh.reference in html
    assert "Ada Lovelace" in html and "Type 3" in html and "Nora Nurse" in html
    assert (
        '<strong class="triage-overdue">2 d</strong>' in html and '<span class="triage-overdue">Overdue</span>' in html
    )
    assert re.search(r'<td class="field-age_display">3 h</td>', html)
    assert '<span class="triage-status">New</span> <span class="triage-priority">Urgent</span>' in html
    assert "/static/css/intake-admin.css" in html
    assert 'style="' not in re.sub(r"<script.*?</script>", "", html, flags=re.S).split('id="result_list"')[1]


def test_new_inquiries_come_first_the_longest_waiting_at_the_top(nurse_client):
    old_closed = make_inquiry(age=timedelta(days=9), status="closed")
    recent_contacted = make_inquiry(age=timedelta(hours=1), status="contacted")
    new_recent = make_inquiry(age=timedelta(hours=2))
    new_oldest = make_inquiry(age=timedelta(days=3))
    order = rows(nurse_client.get(LIST).content.decode())
    assert order == [r.reference for r in (new_oldest, new_recent, recent_contacted, old_closed)]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("status=open", {"new", "mine", "other", "question"}),
        ("status=closed", {"closed"}),
        ("overdue=yes", {"new"}),
        ("overdue=no", {"mine", "other", "closed", "question"}),
        ("assignee=me", {"mine"}),
        ("assignee=nobody", {"new", "other", "closed", "question"}),
        ("kind=question", {"question"}),
        ("suggested_type__exact=2", {"other"}),
        ("office__id__exact=OAK", {"mine"}),
        ("q=239+555+0177", {"other"}),
        ("q=grace%40example.com", {"question"}),
        ("q=Ada+Lovelace", {"new", "mine", "closed"}),
        ("assignee=not-a-number", {"new", "mine", "other", "closed", "question"}),
    ],
)
def test_filters_and_search_find_the_right_inquiries(nurse_client, nurse, offices, query, expected):
    from clinic.models import Office

    oak = Office.objects.get(slug="oak-park")
    made = {
        # 8 days: more than TRIAGE_SLA_HOURS of open hours whatever the weekday (offices are loaded).
        "new": make_inquiry(age=timedelta(days=8)),
        "mine": make_inquiry(status="in_review", assignee=nurse, office=oak),
        "other": make_inquiry(
            status="contacted", suggested_type=2, phone="239 555 0177", first_name="Bob", email="bob@example.com"
        ),
        "closed": make_inquiry(status="closed"),
        "question": make_inquiry(kind="question", first_name="Grace", email="grace@example.com"),
    }
    query = query.replace("OAK", str(oak.pk))
    response = nurse_client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    found = set(rows(response.content.decode()))
    assert found == {made[name].reference for name in expected}
    if "q=" in query:
        assert made["new"].reference in nurse_client.get(f"{LIST}?q={made['new'].reference}").content.decode()


def add_inquiries(count: int, staff: list, start: int = 0) -> None:
    statuses = Inquiry.Status.values
    Inquiry.objects.bulk_create(
        [
            Inquiry(
                kind="candidate",
                submission_token=f"00000000-0000-0000-0000-{i:012d}",
                reference=f"KN-2026-{i:06d}",
                first_name="Pat",
                last_name=f"Patient{i}",
                email=f"p{i}@example.com",
                status=statuses[i % len(statuses)],
                assignee=staff[i % 50] if i % 3 else None,
                suggested_type=(i % 3) + 1,
            )
            for i in range(start, start + count)
        ],
        batch_size=1000,
    )


LIST_URLS = [LIST, f"{LIST}?status=open&assignee=me", f"{LIST}?overdue=yes&q=Patient1", f"{LIST}?o=9"]


def test_the_list_costs_the_same_queries_at_100_and_10000_inquiries(
    client, django_assert_max_num_queries, django_assert_num_queries
):
    """The list's query count does not grow with the rows (the time is `make bench`'s)."""
    staff = [make_staff(f"staff{i}", "Triage", first_name=f"Staff{i}") for i in range(50)]
    add_inquiries(100, staff)
    # auto_now_add stamped them all now: make half of them two days old (some of them overdue).
    first = Inquiry.objects.order_by("pk").first().pk
    Inquiry.objects.filter(pk__lt=first + 50).update(submitted_at=timezone.now() - timedelta(days=2))
    Note.objects.bulk_create(
        [Note(inquiry=i, author=staff[0], text="called") for i in Inquiry.objects.all()[:40] for _ in range(2)]
    )
    client.force_login(staff[0])
    client.get(LIST)  # a session's first request records its last-seen time (clinic.middleware)
    at_100 = {}
    for url in LIST_URLS:
        with django_assert_max_num_queries(16) as captured:
            assert client.get(url).status_code == 200
        at_100[url] = len(captured.captured_queries)

    add_inquiries(9_900, staff, start=100)
    Inquiry.objects.filter(pk__lt=first + 5000).update(submitted_at=timezone.now() - timedelta(days=2))
    client.get(LIST)  # the session's last-seen time, written at most every 30 s, is written now
    for url in LIST_URLS:
        with django_assert_num_queries(at_100[url]):
            response = client.get(url)
        assert response.status_code == 200
        print(url, at_100[url], "queries")  # noqa: T201  (the report quotes these)
    assert (
        response.content.decode().count('class="field-notes_count"') == InquiryAdmin.list_per_page == 50
    )  # a full page of rows


def test_the_received_filter_narrows_the_list_by_when_inquiries_came_in(nurse_client):
    old = make_inquiry(age=timedelta(days=40))
    fresh = make_inquiry(age=timedelta(hours=1))
    html = nurse_client.get(LIST).content.decode()
    assert "By received" in html and set(rows(html)) == {old.reference, fresh.reference}
    link = re.search(r'<a href="(\?[^"]*submitted_at__gte[^"]*)">Past 7 days</a>', html)
    assert link, "the filter offers the past 7 days"
    narrowed = nurse_client.get(LIST + link.group(1).replace("&amp;", "&")).content.decode()
    assert rows(narrowed) == [fresh.reference]


def test_the_list_rows_are_those_django_renders(nurse_client, nurse):
    """intake/admin/rows.py renders the rows with less work per cell: the same HTML as Django's
    result_list, escaping included, with the filters kept in the links."""
    make_inquiry(
        first_name="<script>alert(1)</script>",
        last_name='O\'Brien & "Sons"',
        assignee=nurse,
        priority=3,
        age=timedelta(days=3),
    )
    make_inquiry(kind="question", suggested_type=None, first_name="Grace", last_name="<b>Hopper</b>")
    make_inquiry(status="contacted", age=timedelta(hours=2))
    for url in (LIST, f"{LIST}?status=open&o=-2.3", f"{LIST}?q=%3Cscript%3E"):
        response = nurse_client.get(url)
        from django.contrib.admin.templatetags.admin_list import result_list

        expected = ["".join(row) for row in result_list(response.context["cl"])["results"]]
        html = response.content.decode()
        assert expected and all(f"<tr>{row}</tr>" in html for row in expected)
        assert html.count("<tr>") == len(expected) + 1  # the header row
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>Hopper" not in html


# --- The change page ---------------------------------------------------------------------------


def test_opening_an_inquiry_is_recorded_and_shown_in_its_audit_trail(nurse_client, nurse):
    inquiry = make_inquiry()
    html = nurse_client.get(change_url(inquiry)).content.decode()
    entry = events(inquiry, "viewed").get()
    assert entry.actor == nurse and timezone.now() - entry.timestamp < timedelta(minutes=1)
    assert "Audit trail (latest first)" in html
    assert re.search(r"<td>Nora Nurse</td><td>Opened the inquiry</td>", html)
    assert re.search(r"<td>the web form</td><td>Received through the web site</td>", html)
    nurse_client.get(change_url(inquiry))
    assert events(inquiry, "viewed").count() == 2


def test_the_change_page_offers_the_triage_steps_as_buttons(nurse_client):
    inquiry = make_inquiry()
    html = nurse_client.get(change_url(inquiry)).content.decode()
    assert ">Assign to me</button>" in html
    for label in ("in review", "contacted", "not a candidate", "closed"):
        assert f">Move to {label}</button>" in html
    assert ">Move to scheduled</button>" not in html  # not allowed from new
    assert '<label for="id_note">New note (staff only):</label>' in html and ">Add the note</button>" in html
    assert ">Log the attempt</button>" in html
    assert "Joint replacement was recommended" in html and "Type 3" in html


def press(client, inquiry, button, **typed):
    """Press one of the change page's buttons with `typed` in the page's fields."""
    return client.post(change_url(inquiry), change_form_data(inquiry, _triage=button, **typed), follow=True)


def test_assign_to_me_then_log_a_reached_call_from_the_buttons(nurse_client, nurse):
    inquiry = make_inquiry()
    html = press(nurse_client, inquiry, "assign_me").content.decode()
    assert f"{inquiry.reference}: assigned to Nora Nurse." in html
    assert ">Assign to me</button>" not in html
    inquiry.refresh_from_db()
    html = press(nurse_client, inquiry, "attempt", attempt_channel="phone", attempt_outcome="reached").content.decode()
    assert f"{inquiry.reference}: contact attempt logged (reached them), moved to contacted." in html
    assert "Status: <strong>Contacted</strong>" in html
    assert re.search(r"<td>Nora Nurse</td><td>Status: New → Contacted</td>", html)
    assert re.search(r"<td>Nora Nurse</td><td>Assignee: nobody → Nora Nurse</td>", html)
    assert re.search(r"<td>Nora Nurse</td><td>Logged a contact attempt: reached them</td>", html)
    inquiry.refresh_from_db()
    assert inquiry.status == "contacted" and inquiry.assignee == nurse and inquiry.status_changed_by == nurse


def test_a_refused_button_keeps_everything_typed_and_says_why(nurse_client):
    inquiry = make_inquiry(status="closed")
    html = nurse_client.get(change_url(inquiry)).content.decode()
    moves = re.findall(r'value="move:(\w+)"', html)
    assert moves == ["in_review"]  # only the moves allowed from closed are offered
    response = press(nurse_client, inquiry, "move:scheduled", note="Typed, not lost.", priority=3)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Nothing was saved: {inquiry.reference} cannot move from closed to scheduled." in html
    assert "Typed, not lost.</textarea>" in html and '<option value="3" selected>' in html
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.priority, inquiry.notes.count()) == ("closed", 1, 0)


def test_contacted_without_a_logged_attempt_is_refused_with_the_values_kept(nurse_client):
    inquiry = make_inquiry()
    html = press(nurse_client, inquiry, "move:contacted", note="Spoke to her husband.").content.decode()
    assert "cannot be marked contacted before a contact attempt is logged" in html
    assert "Spoke to her husband.</textarea>" in html
    inquiry.refresh_from_db()
    assert inquiry.status == "new" and not inquiry.notes.exists()


def test_a_half_filled_contact_attempt_is_refused_beside_its_fields(nurse_client):
    inquiry = make_inquiry()
    html = press(nurse_client, inquiry, "attempt", attempt_note="Rang twice").content.decode()
    assert "Choose how you tried to reach them." in html and "Choose how the attempt went." in html
    assert "Rang twice</textarea>" in html
    html = press(nurse_client, inquiry, "note").content.decode()
    assert "Write the note first." in html
    assert not inquiry.contact_attempts.exists() and not inquiry.notes.exists()


@pytest.mark.parametrize(
    "button,extra",
    [
        ("_continue", {}),
        ("assign_me", {}),
        ("move:in_review", {}),
        ("note", {}),
        ("attempt", {"attempt_channel": "text", "attempt_outcome": "no_answer"}),
    ],
)
def test_every_button_saves_the_note_and_the_priority_typed(nurse_client, nurse, button, extra):
    inquiry = make_inquiry()
    typed = {"note": "Typed before pressing.", "priority": 2, **extra}
    data = change_form_data(inquiry, **typed) | ({button: "1"} if button == "_continue" else {"_triage": button})
    assert nurse_client.post(change_url(inquiry), data).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.priority == 2 and inquiry.notes.get().text == "Typed before pressing."


def test_the_form_saves_assignee_priority_and_a_note_through_the_services(nurse_client, nurse):
    inquiry = make_inquiry()
    data = change_form_data(inquiry, note="Called, no answer.", assignee=nurse.pk, priority=3, _triage="move:in_review")
    response = nurse_client.post(change_url(inquiry), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.assignee, inquiry.priority) == ("in_review", nurse, 3)
    note = inquiry.notes.get()
    assert note.author == nurse and note.text == "Called, no answer."
    entries = LogEntry.objects.get_for_object(inquiry).filter(actor=nurse, changes__isnull=False)
    changes = [entry.changes_dict for entry in entries]
    assert {"status": ["new", "in_review"]} in changes and {"priority": ["1", "3"]} in changes
    html = nurse_client.get(change_url(inquiry)).content.decode()
    assert "Called, no answer." in html and "Priority: Normal → Urgent" in html and "Added a note" in html


def test_saved_notes_are_read_only_and_cannot_be_deleted_even_by_a_superuser(client, nurse):
    inquiry = make_inquiry()
    note = services.add_note(inquiry=inquiry, text="First call.", by=nurse)
    boss = make_staff("boss", superuser=True)
    client.force_login(boss)
    html = client.get(change_url(inquiry)).content.decode()
    assert "First call." in html
    assert 'name="notes-0-text"' not in html and "notes-0-DELETE" not in html
    assert 'name="note"' in html  # a new note, never an edit of a saved one
    data = change_form_data(inquiry) | {"notes-0-text": "Rewritten", "notes-0-DELETE": "on"}
    assert client.post(change_url(inquiry), data).status_code == 302
    note.refresh_from_db()
    assert note.text == "First call." and Note.objects.count() == 1
    assert client.get("/admin/intake/note/").status_code == 404


# --- The image ---------------------------------------------------------------------------------


def test_the_image_shows_as_a_thumbnail_served_by_the_permission_checked_view(nurse_client, client, nurse):
    inquiry = with_image(make_inquiry())
    html = nurse_client.get(change_url(inquiry)).content.decode()
    thumbnail = f"/admin/intake/inquiry/{inquiry.pk}/image/thumbnail/"
    assert f'<img src="{thumbnail}" class="inquiry-thumbnail"' in html
    assert "Open the full image (download)" in html
    response = nurse_client.get(thumbnail)
    assert response["Content-Type"] == "image/jpeg" and "no-store" in response["Cache-Control"]
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.size == (480, 360)
    assert events(inquiry, "thumbnail_viewed").get().actor == nurse
    client.force_login(make_staff("editor", "Editors"))
    assert client.get(thumbnail).status_code == 403
    client.logout()
    assert client.get(thumbnail)["Location"].startswith("/admin/login/")


def test_downloading_the_image_is_recorded(nurse_client, nurse):
    inquiry = with_image(make_inquiry())
    response = nurse_client.get(f"/admin/intake/inquiry/{inquiry.pk}/image/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert events(inquiry, "image_viewed").get().actor == nurse
    html = nurse_client.get(change_url(inquiry)).content.decode()
    assert re.search(r"<td>Nora Nurse</td><td>Downloaded the image</td>", html)


def test_a_missing_or_unreadable_image_is_a_404(nurse_client):
    inquiry = with_image(make_inquiry())
    Path(inquiry.image.path).write_bytes(b"not an image")
    assert nurse_client.get(f"/admin/intake/inquiry/{inquiry.pk}/image/thumbnail/").status_code == 404
    Path(inquiry.image.path).unlink()
    assert nurse_client.get(f"/admin/intake/inquiry/{inquiry.pk}/image/thumbnail/").status_code == 404
    assert nurse_client.get(f"/admin/intake/inquiry/{make_inquiry().pk}/image/thumbnail/").status_code == 404


# --- Bulk actions ------------------------------------------------------------------------------


def test_bulk_assign_to_me(nurse_client, nurse):
    inquiries = [make_inquiry(), make_inquiry()]
    html = action(nurse_client, "assign_to_me", inquiries).content.decode()
    assert "Assigned 2 inquiry(ies) to you." in html
    assert Inquiry.objects.filter(assignee=nurse).count() == 2


def test_bulk_moves_apply_the_state_machine_and_need_a_logged_attempt_for_contacted(nurse_client, nurse):
    fresh, reviewing, closed = make_inquiry(), make_inquiry(status="in_review"), make_inquiry(status="closed")
    services.log_contact_attempt(inquiry=reviewing, channel="phone", outcome="voicemail", by=nurse)
    response = action(nurse_client, "mark_contacted", [fresh, reviewing, closed])
    html = response.content.decode()
    assert response.status_code == 200
    assert "Moved 1 inquiry(ies) to contacted." in html
    assert f"{fresh.reference} cannot be marked contacted before a contact attempt is logged." in html
    assert f"{closed.reference} cannot move from closed to contacted." in html
    assert [i.status for i in (fresh, reviewing, closed) if not i.refresh_from_db()] == ["new", "contacted", "closed"]
    html = action(nurse_client, "mark_not_a_candidate", [fresh, closed]).content.decode()
    assert "Moved 1 inquiry(ies) to not a candidate." in html and "Not moved (1)" in html


# --- CSV export --------------------------------------------------------------------------------


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="intake", codename__in=codenames))
    return type(user).objects.get(pk=user.pk)  # a fresh copy: permissions are cached on the user


def exported(client, inquiries) -> list[dict]:
    response = action(client, "export_csv", inquiries, follow=False)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="inquiries-')
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_export_is_offered_only_with_the_export_permission(nurse_client):
    inquiry = make_inquiry()
    assert "export_csv" not in nurse_client.get(LIST).content.decode()
    response = action(nurse_client, "export_csv", [inquiry])
    assert response.status_code == 200 and "No action selected." in response.content.decode()
    assert not events(inquiry, "exported").exists()


def test_export_has_contact_and_triage_columns_but_no_health_details_by_default(client, nurse):
    client.force_login(grant(nurse, "export_inquiries"))
    inquiry = make_inquiry(first_name='=HYPERLINK("http://evil")', assignee=nurse)
    assert "Export the selected inquiries as CSV" in client.get(LIST).content.decode()
    (row,) = exported(client, [inquiry])
    assert row["reference"] == inquiry.reference and row["status"] == "New" and row["assigned to"] == "Nora Nurse"
    assert row["email"] == "ada@example.com" and row["suggested type"] == "Type 3"
    assert row["first name"] == '\'=HYPERLINK("http://evil")'  # not a formula in a spreadsheet
    assert "message" not in row and "knees" not in row
    assert HEALTH_SECRET not in str(row)
    assert events(inquiry, "exported").get().actor == nurse


def test_export_includes_health_details_with_the_second_permission(client, nurse):
    client.force_login(grant(nurse, "export_inquiries", "export_health_details"))
    inquiry = make_inquiry(knees="both", left_pain=7)
    (row,) = exported(client, [inquiry])
    assert row["message"] == f"{HEALTH_SECRET} bone on bone" and row["left pain (0-10)"] == "7"
    assert row["knees"] == "Both" and row["activities given up"] == f"{HEALTH_SECRET} tennis"


# --- Deleting ----------------------------------------------------------------------------------


def test_only_superusers_delete_and_the_deletion_and_its_image_are_gone(
    client, nurse_client, django_capture_on_commit_callbacks
):
    inquiry = with_image(make_inquiry())
    image = Path(inquiry.image.path)
    delete = f"/admin/intake/inquiry/{inquiry.pk}/delete/"
    assert nurse_client.get(delete).status_code == 403
    assert "delete_selected" not in nurse_client.get(LIST).content.decode()
    boss = make_staff("boss", superuser=True)
    client.force_login(boss)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete, {"post": "yes"})
    assert response.status_code == 302
    assert not Inquiry.objects.filter(pk=inquiry.pk).exists() and not image.exists()
    entry = LogEntry.objects.get(object_id=inquiry.pk, action=LogEntry.Action.DELETE)
    assert entry.actor == boss and HEALTH_SECRET not in str(entry.changes)


# --- The admin home ----------------------------------------------------------------------------


def test_the_admin_home_shows_new_today_overdue_and_mine_open(nurse_client, nurse, django_assert_max_num_queries):
    today = make_inquiry()
    overdue = make_inquiry(age=timedelta(days=3))
    mine = make_inquiry(status="contacted", assignee=nurse)
    nurse_client.get("/admin/")  # a session's first request records its last-seen time (clinic.middleware)
    # issue 14: +1 for the failed-email count; issue 19: +1 for the overdue and due-soon list
    with django_assert_max_num_queries(8):
        html = nurse_client.get("/admin/").content.decode()
    links = re.findall(r'<a href="(/admin/intake/inquiry/\?[^"]+)"', html)
    listed = [set(rows(nurse_client.get(link.replace("&amp;", "&")).content.decode())) for link in links]
    both = {today.reference, overdue.reference}
    assert listed == [{today.reference}, {overdue.reference}, set(), {mine.reference}, both]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "1 new today" in text and "1 new and overdue" in text and "1 assigned to me, open" in text
    assert "2 new in all" in text
    assert "?overdue=yes" in html and "?assignee=me&amp;status=open" in html


def test_the_admin_home_shows_no_counts_to_editors(client):
    client.force_login(make_staff("editor", "Editors"))
    make_inquiry()
    assert "Inquiries waiting" not in client.get("/admin/").content.decode()


def test_the_whole_audit_trail_has_its_own_page(nurse_client, nurse):
    inquiry = make_inquiry()
    for _ in range(60):
        services.record_event(inquiry=inquiry, by=nurse, event=services.EVENT_VIEWED)
    html = nurse_client.get(f"/admin/intake/inquiry/{inquiry.pk}/audit/").content.decode()
    assert f"Audit trail of {inquiry.reference}" in html and "Page 1 of 2" in html
    assert html.count("<td>Opened the inquiry</td>") == 50
    assert HEALTH_SECRET not in html


@override_settings(TRIAGE_SLA_HOURS=1)
def test_the_sla_setting_decides_what_is_overdue_in_the_list(nurse_client):
    make_inquiry(age=timedelta(hours=2))
    html = nurse_client.get(LIST).content.decode()
    assert (
        '<strong class="triage-overdue">2 h</strong>' in html and '<span class="triage-overdue">Overdue</span>' in html
    )


def test_the_change_page_fits_a_query_budget_however_many_notes_and_entries(
    nurse_client, nurse, django_assert_max_num_queries
):
    inquiry = with_image(make_inquiry())
    for n in range(30):
        services.add_note(inquiry=inquiry, text=f"call {n}", by=make_staff(f"colleague{n}", "Triage"))
    with django_assert_max_num_queries(15) as captured:  # 14 before the contact attempts were listed
        assert nurse_client.get(change_url(inquiry)).status_code == 200
    print("change page", len(captured.captured_queries), "queries")  # noqa: T201
