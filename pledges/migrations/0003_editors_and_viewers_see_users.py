"""The roles as pledges.roles defines them: Editors and Viewers may now also look up users."""

from django.db import migrations


def apply_roles(apps, schema_editor):
    from pledges.roles import ensure_groups

    ensure_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("pledges", "0002_editor_and_viewer_groups")]

    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
