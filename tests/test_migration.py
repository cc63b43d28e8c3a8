"""Today's data moves into parties, units and targets with nothing lost.

tests/data/migration holds the seed record as it was stored at migration 0015 (with a draft
update) and the public /pledges.json the code of that time served for it. The test builds that
database at 0015, migrates it forward and compares today's public JSON with the old one field by
field; only the new fields (a target's label and number, a measurement's period) may be new.
"""

import json
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

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


@pytest.fixture
def migrated_from_0015(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        load_at_0015(executor.loader.project_state(BEFORE).apps, json.loads((DATA / "record-0015.json").read_text()))
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        yield
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


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


@pytest.fixture
def at_0026(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate([("pledges", "0026_own_settings")])
    try:
        yield executor.loader.project_state([("pledges", "0026_own_settings")]).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_every_ruling_moves_to_the_update_it_explains(at_0026):
    from datetime import date

    Pledge, ProgressUpdate = at_0026.get_model("pledges", "Pledge"), at_0026.get_model("pledges", "ProgressUpdate")
    topic = at_0026.get_model("pledges", "Topic").objects.create(slug="trade", name="Trade")
    common = {"announced_on": date(2022, 1, 25), "quote": "q", "summary": "s", "topic": topic}
    common["source_url"] = "https://example.org/speech"
    rated = Pledge.objects.create(slug="rated", title="Rated", verdict="kept", ruling="Kept: done.", **common)
    unrated = Pledge.objects.create(slug="unrated", title="Unrated", ruling="Not yet rated: nothing found.", **common)
    Pledge.objects.create(slug="quiet", title="No updates", ruling="Nothing yet.", **common)

    def update(pledge, key, day, verdict=""):
        return ProgressUpdate.objects.create(
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
    executor = MigrationExecutor(connection)
    executor.migrate([("pledges", "0027_rulings_with_verdicts")])
    after = executor.loader.project_state([("pledges", "0027_rulings_with_verdicts")]).apps
    rulings = dict(after.get_model("pledges", "ProgressUpdate").objects.values_list("key", "ruling"))
    assert rulings == {
        "decisive": "Kept: done.",  # the ruling, on the update whose verdict it explains
        "early": "Summary early",  # an older verdict: its own summary says why
        "later": "",
        "only": "Not yet rated: nothing found.",
    }
    kept = dict(after.get_model("pledges", "Pledge").objects.values_list("slug", "ruling"))
    assert kept == {"rated": "Kept: done.", "unrated": "Not yet rated: nothing found.", "quiet": "Nothing yet."}


def test_an_events_slug_made_from_its_name_is_split_at_dashes_and_the_old_one_redirects(migrated_from_0015, client):
    from pledges.models import Event

    old = "virtual-summit-on-30-years-of-chinacentral-asia-diplomatic-relations"
    event = Event.objects.get(former_slugs__slug=old)
    assert event.slug == "virtual-summit-on-30-years-of-china-central-asia-diplomatic-relations"
    moved = client.get(f"/en/events/{old}/")
    assert moved.status_code == 301 and moved["Location"] == f"/en/events/{event.slug}/"
