"""Editors and Viewers may look up users: owners are picked with an autocomplete, and the
history pages name who made each change."""

from django.db import migrations


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view_user = Permission.objects.get(content_type__app_label="auth", codename="view_user")
    for group in Group.objects.filter(name__in=["Editors", "Viewers"]):
        group.permissions.add(view_user)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view_user = Permission.objects.get(content_type__app_label="auth", codename="view_user")
    for group in Group.objects.filter(name__in=["Editors", "Viewers"]):
        group.permissions.remove(view_user)


class Migration(migrations.Migration):
    dependencies = [("pledges", "0002_editor_and_viewer_groups")]

    operations = [migrations.RunPython(grant, revoke)]
