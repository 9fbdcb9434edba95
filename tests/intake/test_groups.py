"""Who may do what: the Triage and Editors groups made by migrations, and superuser-only deletes."""

import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.intake.conftest import make_inquiry, make_staff

pytestmark = pytest.mark.django_db


def codenames(group_name: str, app_label: str) -> set[str]:
    return set(
        Permission.objects.filter(group__name=group_name, content_type__app_label=app_label).values_list(
            "codename", flat=True
        )
    )


def test_the_triage_group_works_inquiries_but_deletes_and_exports_nothing():
    assert codenames("Triage", "intake") == {
        "view_inquiry",
        "change_inquiry",
        "add_note",
        "view_note",
        "view_outboxmessage",
        "view_subscriber",
        "view_replytemplate",
        "view_reports",  # issue 19: the reports page
    }
    # One list of the group's permissions: 0009_reports.TRIAGE_PERMISSIONS (0003's and the reports').
    assert set(importlib.import_module("intake.migrations.0009_reports").TRIAGE_PERMISSIONS) == codenames(
        "Triage", "intake"
    )
    assert not Permission.objects.filter(group__name="Triage").exclude(content_type__app_label="intake").exists()


def test_the_reports_migration_grants_the_permission_again_and_takes_it_back():
    triage = Group.objects.get(name="Triage")
    migration = importlib.import_module("intake.migrations.0009_reports")
    state = MigrationExecutor(connection).loader.project_state(("intake", "0009_reports"))
    migration.revoke_reports(state.apps, None)
    assert "view_reports" not in codenames("Triage", "intake")
    migration.grant_reports(state.apps, None)
    assert "view_reports" in codenames("Triage", "intake")
    assert triage.permissions.count() == 8


def test_the_export_permissions_exist_and_no_group_has_them():
    perms = Permission.objects.filter(codename__in=["export_inquiries", "export_health_details"])
    assert set(perms.values_list("name", flat=True)) == {
        "Can export inquiries as CSV",
        "Can include health details in the CSV export",
    }
    assert not Group.objects.filter(permissions__in=perms).exists()


def test_editors_have_no_intake_permission():
    assert codenames("Editors", "intake") == set()
    assert "change_article" in codenames("Editors", "articles")


def test_the_migration_takes_intake_permissions_away_from_editors():
    editors = Group.objects.get(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="view_inquiry"))
    migration = importlib.import_module("intake.migrations.0003_triage_group")
    state = MigrationExecutor(connection).loader.project_state(("intake", "0003_triage_group"))
    migration.create_triage_group(state.apps, None)
    assert codenames("Editors", "intake") == set()


def test_a_triage_user_gets_403_on_the_articles_admin(client):
    client.force_login(make_staff("nurse", "Triage"))
    assert client.get("/admin/articles/article/").status_code == 403
    assert client.get("/admin/casestudies/casestudy/").status_code == 403
    assert client.get("/admin/intake/inquiry/").status_code == 200


def change_url(inquiry):
    return f"/admin/intake/inquiry/{inquiry.pk}/change/"


def test_an_editor_gets_403_on_the_inquiries_admin(client):
    inquiry = make_inquiry()
    client.force_login(make_staff("editor", "Editors"))
    assert client.get("/admin/intake/inquiry/").status_code == 403
    assert client.get(f"/admin/intake/inquiry/{inquiry.pk}/change/").status_code == 403
    assert client.get(f"/admin/intake/inquiry/{inquiry.pk}/audit/").status_code == 403
    assert client.post(change_url(inquiry), {"_triage": "assign_me"}).status_code == 403
    assert client.get("/admin/articles/article/").status_code == 200


def test_a_user_who_may_only_view_inquiries_cannot_triage_them(client):
    viewer = make_staff("viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_inquiry"))
    inquiry = make_inquiry()
    client.force_login(viewer)
    html = client.get(f"/admin/intake/inquiry/{inquiry.pk}/change/").content.decode()
    assert "Assign to me" not in html and "Move to" not in html and "Log the attempt" not in html
    assert client.post(change_url(inquiry), {"_triage": "assign_me"}).status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.assignee is None
