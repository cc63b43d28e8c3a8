"""Stored data moves through the migrations with nothing lost, and what cannot move is named.

tests/data/migration holds the seed record as it was stored at migration 0015 (with a draft
update) and the public /pledges.json the code of that time served for it. The test builds that
database at 0015, migrates it forward and compares today's public JSON with the old one field by
field; only the new fields (a target's label and number, a measurement's period) may be new.
"""

import json
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

# Every test here is a database test, so pytest-django keeps them together (it runs database
# tests before the others): the walk below is made once.
pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data" / "migration"
BEFORE = [("pledges", "0015_follow_ups")]
# A column renamed with the record (the one actor became the pledging parties) -> its new name.
RENAMED = {"actor": "parties"}
NEW_PLEDGE_FIELDS = (
    {"target_label", "target_kind", "target_steps", "target_qualifier", "ruling", "quote_language", "quote_original"}
    | {"quote_translated_by"}
    | {"event_held_on", "event_place", "event_description", "more_topics", "also_follows"}
    | {
        f"target{n}_{part}"
        for n in (2, 3)
        for part in ("label", "unit", "baseline_value", "baseline_on", "value", "qualifier", "kind", "steps")
    }
    # Each text in Russian and Chinese beside the English (migration 0043).
    | {
        f"{name}_{language}"
        for name in (
            *("title", "quote", "summary", "deadline_text", "ruling", "event", "event_place", "event_description"),
            *(f"{target}_{part}" for target in ("target", "target2", "target3") for part in ("label", "steps")),
        )
        for language in ("ru", "zh_hans")
    }
)
NEW_UPDATE_FIELDS = {"target", "measured_period", "ruling", "correction_note", "measurement_qualifier", "milestone"} | {
    f"{name}_{language}" for name in ("summary", "ruling", "correction_note") for language in ("ru", "zh_hans")
}
NEW_SOURCE_FIELDS = {"archived_url"}


def load_at_0015(apps, records):
    """`dumpdata` output of migration 0015's models, written through that state's models."""
    many = []
    with transaction.atomic():
        for record in records:
            model = apps.get_model(record["model"])
            values = {}
            for name, value in record["fields"].items():
                field = model._meta.get_field(name)
                if field.many_to_many:
                    many.append((model, record["pk"], name, value))
                elif field.is_relation:
                    values[field.attname] = value
                else:
                    values[name] = field.to_python(value)
            model.objects.create(pk=record["pk"], **values)
        for model, pk, name, value in many:
            getattr(model.objects.get(pk=pk), name).set(value)
        # Rows written with their keys leave PostgreSQL's sequences behind; loaddata would reset them.
        models = {apps.get_model(record["model"]) for record in records}
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


def migrate(target=None):
    """Migrate the test database to `target` (the latest migrations when None); that state's models."""
    executor = MigrationExecutor(connection)
    targets = [("pledges", target)] if target else executor.loader.graph.leaf_nodes()
    return executor.migrate(targets).apps


@contextmanager
def a_database_of_its_own():
    """The test connection pointed at a new, empty database for a while, then the new one dropped:
    the test database every other test in this process uses is left as pytest-django built it."""
    settings = connection.settings_dict
    original = settings["NAME"]
    walk = f"{original}_walk"

    def drop():
        connection.close()
        if connection.vendor == "postgresql":
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{walk}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(walk + suffix).unlink(missing_ok=True)

    settings["NAME"] = walk
    drop()  # what an interrupted run left
    if connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{walk}"')
    try:
        yield
    finally:
        drop()
        settings["NAME"] = original


def refused_by_0006(apps):
    """Migration 0006 run over a stored end date it cannot keep: its message and the pledge's id."""
    actor = apps.get_model("pledges", "Actor").objects.create(name="A")
    topic = apps.get_model("pledges", "Topic").objects.create(slug="trade", name="Trade")
    typo = apps.get_model("pledges", "Pledge").objects.create(
        slug="typo",
        title="T",
        actor_id=actor.pk,
        topic_id=topic.pk,
        announced_on=date(2022, 1, 25),
        quote="q",
        summary="s",
        source_title="t",
        source_publisher="p",
        source_url="https://example.org",
        deadline_text="by 2029",
        deadline_precision="year",
        deadline_end=date(9999, 12, 31),
    )
    try:
        migrate("0006_public_version_date_ranges")
        seen = "", typo.pk
    except RuntimeError as refused:
        seen = str(refused), typo.pk
    for record in (typo, actor, topic):  # what 0006 refused, corrected as an editor would
        record.delete()
    return seen


RATED = ("rated", "unrated", "quiet")


def rulings_after_0027(apps):
    """Pledges with rulings and verdicts at 0026, moved by 0027; what each record then says."""
    Pledge, ProgressUpdate = apps.get_model("pledges", "Pledge"), apps.get_model("pledges", "ProgressUpdate")
    topic, _ = apps.get_model("pledges", "Topic").objects.get_or_create(slug="trade", defaults={"name": "Trade"})
    common = {"announced_on": date(2022, 1, 25), "quote": "q", "summary": "s", "topic": topic}
    common["source_url"] = "https://example.org/speech"
    rated = Pledge.objects.create(slug="rated", title="Rated", verdict="kept", ruling="Kept: done.", **common)
    unrated = Pledge.objects.create(slug="unrated", title="Unrated", ruling="Not yet rated: nothing found.", **common)
    Pledge.objects.create(slug="quiet", title="No updates", ruling="Nothing yet.", **common)

    def update(pledge, key, day, verdict=""):
        ProgressUpdate.objects.create(
            pledge=pledge,
            key=key,
            occurred_on=date(2023, 1, day),
            summary=f"Summary {key}",
            new_verdict=verdict,
            is_published=True,
        )

    update(rated, "early", 1, "in_progress")
    update(rated, "decisive", 2, "kept")
    update(rated, "later", 3)
    update(unrated, "only", 1)
    after = migrate("0027_rulings_with_verdicts")
    pledges = after.get_model("pledges", "Pledge").objects.filter(slug__in=RATED)
    seen = {
        "updates": dict(
            after.get_model("pledges", "ProgressUpdate").objects.filter(pledge__in=pledges).values_list("key", "ruling")
        ),
        "pledges": dict(pledges.values_list("slug", "ruling")),
    }
    pledges.delete()  # the record 0015 left goes on alone
    return seen


@pytest.fixture(scope="module")
def walked(django_db_setup, django_db_blocker):
    """The migrations walked once, from an empty database to the latest, with the data each old
    state must carry written at that state: a date 0006 must refuse (at 0005), the seed record of
    0015, rulings for 0027 to move (at 0026). What the steps saw, for the tests, which then read
    the 0015 record at the latest migration; all in a database of its own, dropped after them.

    Built forward from nothing, as every database that reached these states was: unapplying 29
    migrations and applying them again took 40 s a test, five times, and then the test database
    had to be built again for the tests that follow.
    """
    seen = {}
    with django_db_blocker.unblock(), a_database_of_its_own():
        seen["0006"] = refused_by_0006(migrate("0005_data_version_indexes"))
        load_at_0015(migrate(BEFORE[0][1]), json.loads((DATA / "record-0015.json").read_text()))
        seen["0027"] = rulings_after_0027(migrate("0026_own_settings"))
        migrate()
        yield seen


@pytest.fixture
def migrated_from_0015(walked, db):
    return walked


def test_the_date_range_migration_names_stored_dates_it_cannot_keep(walked):
    message, pk = walked["0006"]
    assert f"Pledge {pk}: deadline_end = 9999-12-31" in message


def test_the_public_json_is_the_same_field_by_field_after_the_migration(migrated_from_0015, client):
    before = json.loads((DATA / "public-0015.json").read_text())["pledges"]
    response = client.get("/pledges.json")
    after = json.loads(b"".join(response.streaming_content))["pledges"]

    assert [p["slug"] for p in after] == [p["slug"] for p in before]
    compared = 0
    for old, new in zip(before, after):
        assert set(new) - {RENAMED.get(name, name) for name in old} <= NEW_PLEDGE_FIELDS, old["slug"]
        for name, value in old.items():
            if name == "updates":
                continue
            if name == "url":  # the site's address is a setting; the path is the record's
                assert urlsplit(new["url"]).path == urlsplit(value).path
            elif RENAMED.get(name, name) in ("parties", "beneficiaries"):
                # Files now keep the order parties are named in; the old files sorted them.
                assert sorted(new[RENAMED.get(name, name)].split("|")) == value.split("|"), (old["slug"], name)
            else:
                assert new[RENAMED.get(name, name)] == value, (old["slug"], name)
            compared += 1
        assert [u["key"] for u in new["updates"]] == [u["key"] for u in old["updates"]], old["slug"]
        for old_update, new_update in zip(old["updates"], new["updates"]):
            assert set(new_update) - set(old_update) <= NEW_UPDATE_FIELDS
            # A source may have gained fields (its archived copy); the ones it had are as they were.
            for old_source, new_source in zip(old_update["sources"], new_update["sources"], strict=True):
                assert set(new_source) - set(old_source) <= NEW_SOURCE_FIELDS
                assert {k: new_source[k] for k in old_source} == old_source, (old["slug"], old_update["key"])
            new_update = {**new_update, "sources": old_update["sources"]}
            assert {k: new_update[k] for k in old_update} == old_update, (old["slug"], old_update["key"])
            # A measurement now names its target (the pledge's one, now its first) and, like
            # every measurement before periods existed, measures the day it was reported.
            assert new_update["target"] == ("1" if old_update["measurement_value"] else "")
            assert new_update["measured_period"] == ""
            compared += len(old_update)
    assert compared > 800  # every field of 16 pledges and their 50 updates


def test_what_the_public_does_not_see_is_kept_too(migrated_from_0015):
    from pledges.models import Party, Pledge, ProgressUpdate, Target

    trade = Pledge.objects.get(slug="trade-70-billion-by-2030")
    draft = ProgressUpdate.objects.get(pledge=trade, key="draft-check")
    assert not draft.is_published and draft.summary == "Draft: checking 2025 customs data."
    (target,) = trade.targets.all()
    assert (target.unit.code, target.target_value, target.baseline_value) == (
        "usd",
        Decimal("70000000000.00"),
        Decimal("50100000000.00"),
    )
    assert ProgressUpdate.objects.filter(measurement_value__isnull=False, target=None).count() == 0
    assert Target.objects.count() == 5
    # The actor is the one pledging party of every pledge; each country it was made to, its state.
    assert set(Party.objects.filter(pledges__isnull=False).values_list("name", flat=True)) == {"Xi Jinping"}
    states = Party.objects.filter(kind="state").select_related("country")
    assert {(state.name, state.country.code) for state in states} == {
        ("Kazakhstan", "KZ"),
        ("Kyrgyzstan", "KG"),
        ("Tajikistan", "TJ"),
        ("Turkmenistan", "TM"),
        ("Uzbekistan", "UZ"),
    }


def test_every_ruling_moves_to_the_update_it_explains(walked):
    assert walked["0027"]["updates"] == {
        "decisive": "Kept: done.",  # the ruling, on the update whose verdict it explains
        "early": "Summary early",  # an older verdict: its own summary says why
        "later": "",
        "only": "Not yet rated: nothing found.",
    }
    assert walked["0027"]["pledges"] == {
        "rated": "Kept: done.",
        "unrated": "Not yet rated: nothing found.",
        "quiet": "Nothing yet.",
    }


def test_an_events_slug_made_from_its_name_is_split_at_dashes_and_the_old_one_redirects(migrated_from_0015, client):
    from pledges.models import Event

    old = "virtual-summit-on-30-years-of-chinacentral-asia-diplomatic-relations"
    event = Event.objects.get(former_slugs__slug=old)
    assert event.slug == "virtual-summit-on-30-years-of-china-central-asia-diplomatic-relations"
    moved = client.get(f"/en/events/{old}/")
    assert moved.status_code == 301 and moved["Location"] == f"/en/events/{event.slug}/"
