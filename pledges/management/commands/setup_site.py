"""Make a fresh database ready to use: reference data, seed pledges, and (locally) an editor."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.crypto import get_random_string

from pledges.files.imports import import_pledges, import_updates
from pledges.models import Country, Party, Pledge, SiteText, Topic, field_in
from pledges.roles import EDITORS

FIXTURES = ("countries.json", "topics.json", "units.json")
SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
LOCAL_EDITOR = "editor"


def load_seeds(seeds_dir=SEEDS_DIR):
    """Import every seeds/*pledges.csv, then every seeds/*updates.csv, through the importer, and
    give the site the seeds' name and standfirst (seeds/site.json, per language) if it has none,
    and the people they name their names and roles in each language."""
    reports = []
    with transaction.atomic():
        _load_site_text(seeds_dir / "site.json")
        for path in sorted(seeds_dir.glob("*pledges.csv")):
            reports.append(import_pledges(path.read_bytes(), reason=f"Seed data {path.name}"))
        for path in sorted(seeds_dir.glob("*updates.csv")):
            reports.append(import_updates(path.read_bytes(), reason=f"Seed data {path.name}"))
        _load_party_names(seeds_dir / "site.json")
    return reports


def _load_party_names(path):
    """The names and roles of the people the seeds name, in each language (site.json's "parties"),
    where nobody has written them yet: the files name people in English only."""
    if not path.exists():
        return
    for name, texts in json.loads(path.read_text(encoding="utf-8")).get("parties", {}).items():
        party = Party.objects.filter(name=name).first()
        if party is None:
            continue
        changed = []
        for field, by_language in texts.items():
            for code, text in by_language.items():
                column = field_in(field, code)
                if not getattr(party, column):
                    setattr(party, column, text)
                    changed.append(column)
        if changed:
            party.full_clean()
            party.save(update_fields=changed)


def _load_site_text(path):
    if not path.exists():
        return
    row = SiteText.current()
    if any(getattr(row, f"standfirst_{code.replace('-', '_')}") for code, _name in settings.LANGUAGES):
        return  # an editor's words are never overwritten
    for field, by_language in json.loads(path.read_text(encoding="utf-8")).items():
        if field == "parties":
            continue  # people's names, once the files have named them (_load_party_names)
        for code, text in by_language.items():
            setattr(row, f"{field}_{code.replace('-', '_')}", text)
    row.full_clean()
    row.save()


class Command(BaseCommand):
    help = "Load reference data and the seed pledges into an empty database; locally, create an editor."

    def handle(self, *args, **options):
        if not Country.objects.exists() and not Topic.objects.exists():
            call_command("loaddata", *[Path(settings.BASE_DIR) / "fixtures" / name for name in FIXTURES], verbosity=0)
            self.stdout.write("Loaded countries and topics.")
        if not Pledge.objects.exists():
            for report in load_seeds():
                self.stdout.write(f"Seeds: {report.summary}.")
        if settings.PLEDGES_CREATE_LOCAL_EDITOR:
            self._create_local_editor()

    def _create_local_editor(self):
        User = get_user_model()
        if User.objects.filter(is_staff=True).exists():
            return
        password = get_random_string(20)
        # With an address, so the reminders written to var/mail/ have someone to go to.
        user = User.objects.create_user(
            LOCAL_EDITOR, email=f"{LOCAL_EDITOR}@localhost", password=password, is_staff=True
        )
        user.groups.add(Group.objects.get(name=EDITORS))
        self.stdout.write(
            self.style.SUCCESS(
                f"Created an editor account for this laptop: user name {LOCAL_EDITOR!r}, password {password!r}. "
                "It is shown only this once."
            )
        )
