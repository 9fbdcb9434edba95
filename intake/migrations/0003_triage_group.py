"""The "Triage" group: work inquiries (view and change them, add and view notes), see the hand-off
emails and the newsletter subscribers, read the reply templates (0008_replies runs this again for
them). No delete (superusers only), no CSV export (granted to a person explicitly:
intake.export_inquiries, and intake.export_health_details for health details).

Editors (articles and case studies) get no intake permission at all: any they were given by hand
are taken away here.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TRIAGE = "Triage"
EDITORS = "Editors"
TRIAGE_PERMISSIONS = [
    "view_inquiry",
    "change_inquiry",
    "add_note",
    "view_note",
    "view_outboxmessage",
    "view_subscriber",
    # 0008_replies runs this again: the reply templates, to read (editing them is given explicitly).
    "view_replytemplate",
]


def create_triage_group(apps, schema_editor):
    # Permissions are normally made after all migrations (post_migrate); make ours now.
    app_config = apps.get_app_config("intake")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    triage, _ = Group.objects.get_or_create(name=TRIAGE)
    triage.permissions.add(
        *Permission.objects.filter(content_type__app_label="intake", codename__in=TRIAGE_PERMISSIONS)
    )
    for editors in Group.objects.filter(name=EDITORS):
        editors.permissions.remove(*editors.permissions.filter(content_type__app_label="intake"))


def remove_triage_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=TRIAGE).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0002_triage"),
        ("articles", "0004_editors_group"),
        ("casestudies", "0002_editors_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_triage_group, remove_triage_group)]
