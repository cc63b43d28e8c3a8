from django.db import migrations


def apply_roles(apps, schema_editor):
    # Editors and viewers set their own language.
    from pledges.roles import ensure_groups

    ensure_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("pledges", "0025_admin_list_indexes")]
    operations = [migrations.RunPython(apply_roles, migrations.RunPython.noop)]
