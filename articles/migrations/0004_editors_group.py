"""The "Editors" group: view, add, change and delete on the articles models, nothing else.

Editors get no intake permissions, so they never see inquiries. The case-studies app adds its own
models' permissions to the same group in its migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Editors"
MODELS = ["treatment", "author", "article", "articleauthor", "reference"]
ACTIONS = ["view", "add", "change", "delete"]


def create_group(apps, schema_editor):
    # Permissions are normally made after all migrations (post_migrate); make ours now.
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [f"{action}_{model}" for model in MODELS for action in ACTIONS]
    group.permissions.add(*Permission.objects.filter(content_type__app_label="articles", codename__in=codenames))


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(*group.permissions.filter(content_type__app_label="articles"))


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0003_search_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_permissions)]
