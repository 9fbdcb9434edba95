"""The staff reports (issue 19): the permission "Can view the triage reports" (intake.view_reports),
given to the Triage group. The group's permissions are 0003's list and this one: TRIAGE_PERMISSIONS
below is the whole list, the one the tests read."""

import importlib

from django.contrib.auth.management import create_permissions
from django.db import migrations

triage_group = importlib.import_module("intake.migrations.0003_triage_group")

REPORTS = ["view_reports"]
TRIAGE_PERMISSIONS = [*triage_group.TRIAGE_PERMISSIONS, *REPORTS]


def _reports_permissions(apps):
    app_config = apps.get_app_config("intake")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="intake", codename__in=REPORTS)


def grant_reports(apps, schema_editor):
    triage, _ = apps.get_model("auth", "Group").objects.get_or_create(name=triage_group.TRIAGE)
    triage.permissions.add(*_reports_permissions(apps))


def revoke_reports(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name=triage_group.TRIAGE):
        group.permissions.remove(*_reports_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0008_replies"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="inquiry",
            options={
                "ordering": ["-submitted_at"],
                "permissions": [
                    ("export_inquiries", "Can export inquiries as CSV"),
                    ("export_health_details", "Can include health details in the CSV export"),
                    ("view_reports", "Can view the triage reports"),
                ],
                "verbose_name_plural": "inquiries",
            },
        ),
        migrations.RunPython(grant_reports, revoke_reports),
    ]
