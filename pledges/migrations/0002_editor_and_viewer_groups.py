"""The Editors and Viewers groups, with their permissions.

Editors add and change pledges, progress updates, sources and reference data, and import and
export files; deleting a pledge is left to superusers (editors unpublish instead). Viewers
only view.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("pledge", "progressupdate", "source", "actor", "event", "country", "topic")
EDITABLE = ("pledge", "progressupdate", "source", "actor", "event")


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="pledges")

    def codenames(actions, models):
        return [f"{action}_{model}" for action in actions for model in models]

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *perms.filter(
            codename__in=codenames(("view",), MODELS)
            + codenames(("add", "change"), EDITABLE)
            + ["delete_source", "import_pledges"]
        )
    )
    viewers, _ = Group.objects.get_or_create(name="Viewers")
    viewers.permissions.add(*perms.filter(codename__in=codenames(("view",), MODELS)))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Viewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [("pledges", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, remove_groups)]
