from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["casestudy", "treatmentstep", "painmeasurement"]
ACTIONS = ["view", "add", "change", "delete"]


def grant_editors(apps, schema_editor):
    # Permissions are normally made after all migrations (post_migrate); make ours now so they can be granted.
    app_config = apps.get_app_config("casestudies")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    codenames = [f"{action}_{model}" for model in MODELS for action in ACTIONS]
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="casestudies", codename__in=codenames)
    )


def revoke_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.remove(*Permission.objects.filter(content_type__app_label="casestudies"))


class Migration(migrations.Migration):
    dependencies = [
        ("casestudies", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_editors, revoke_editors)]
