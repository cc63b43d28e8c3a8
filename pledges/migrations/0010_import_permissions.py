
from django.db import migrations


def apply_roles(apps, schema_editor):
    # django-import-export asks for each model's own "import" permission (settings:
    # IMPORT_EXPORT_IMPORT_PERMISSION_CODE); Editors get both, and the old shared one goes.
    from pledges.roles import ensure_groups

    ensure_groups(apps)
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="pledges", codename="import_pledges"
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('pledges', '0009_overview_order_index'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='pledge',
            options={'ordering': ['deadline_end', 'title'], 'permissions': [('import_pledge', 'Can import pledges from files')]},
        ),
        migrations.AlterModelOptions(
            name='progressupdate',
            options={'ordering': ['-occurred_on', '-id'], 'permissions': [('import_progressupdate', 'Can import progress updates from files')]},
        ),
        migrations.RunPython(apply_roles, migrations.RunPython.noop),
    ]
