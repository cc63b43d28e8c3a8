"""The Editors and Viewers groups, with the permissions pledges.roles gives them.

pledges.roles is the one definition of the roles: this migration and each later one that adds a
model apply it (`ensure_groups` grants what exists at that point and skips the rest).
"""

from django.db import migrations


def create_groups(apps, schema_editor):
    from pledges.roles import ensure_groups

    ensure_groups(apps)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Viewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [("pledges", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, remove_groups)]
