"""The editors' roles: which permissions the Editors and Viewers groups hold.

Editors add and change pledges, progress updates (with their measurements), sources, parties,
events and the vocabularies (topics, units), change the site's name and standfirst, and import
and export files; deleting a pledge is left to superusers (editors unpublish instead). Viewers only view. Both may look up users: owners are chosen with an
autocomplete, and history pages name who changed what. Only staff users reach the admin at all.
"""

from django.contrib.auth.management import create_permissions

from pledges.models.pledge import EDITORS_GROUP

VIEWED = (
    "pledge",
    "progressupdate",
    "source",
    "target",
    "party",
    "event",
    "country",
    "topic",
    "unit",
    "reminder",
    "sitetext",
)
EDITED = ("pledge", "progressupdate", "source", "target", "party", "event", "topic", "unit")

# Everyone sets their own language (pledges.admin.site.EditorSettingsAdmin shows each only their own).
OWN_SETTINGS = ["view_editorsettings", "change_editorsettings"]

EDITORS = EDITORS_GROUP  # also the people reminders go to when a pledge has no owner, and owners

ROLES = {
    EDITORS: {
        "pledges": [f"view_{m}" for m in VIEWED]
        + [f"{action}_{m}" for action in ("add", "change") for m in EDITED]
        + ["delete_source", "delete_target", "import_pledge", "import_progressupdate", "change_sitetext"]
        + OWN_SETTINGS,
        "auth": ["view_user"],
    },
    "Viewers": {
        "pledges": [f"view_{m}" for m in VIEWED] + OWN_SETTINGS,
        "auth": ["view_user"],
    },
}


def ensure_groups(apps):
    """Create the groups with exactly their permissions; safe to run again.

    `apps` is a migration's app registry or django.apps.apps.
    """
    # Permissions are normally created after all migrations have run; the groups need them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True  # a migration's app registry has none
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames_by_app in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [
            permission
            for app_label, codenames in codenames_by_app.items()
            for permission in Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        ]
        group.permissions.set(wanted)
