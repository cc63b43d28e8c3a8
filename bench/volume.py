"""Many published pledges at once, written with PostgreSQL COPY, for the scale benchmarks.

`generate(count)` adds `count` quantitative pledges, each with three beneficiary countries and
UPDATES_EACH measured, published updates with a source, in the steady state a running site
reaches: the reminder sweep has looked at every pledge (its next check is weeks away). No
audit history is written (the benchmarks read; they do not revert), so the public data version
is moved once at the end, as a writer's history would have moved it.
"""

import json
from datetime import UTC, date, datetime, timedelta

from django.db import connection, models

from pledges.models import Country, Party, Pledge, ProgressUpdate, Source, Target, Topic, Unit
from pledges.services import public_version

UPDATES_EACH = 5


def _copy(model, columns, rows):
    """COPY the rows into `model`'s table; each NOT NULL text or list column not listed (a
    language's copy of a text, a date's precision, added since) is written with its default, or
    empty, as the importer leaves it."""
    kinds = (models.CharField, models.TextField, models.JSONField)
    unlisted = {
        field.column: _default(field)
        for field in model._meta.concrete_fields
        if not field.null and isinstance(field, kinds) and field.column not in columns
    }
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in [*columns, *unlisted])
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *unlisted.values()))


def _default(field):
    value = field.get_default() if field.has_default() else ([] if isinstance(field, models.JSONField) else "")
    return json.dumps(value) if isinstance(field, models.JSONField) else value


def _next_ids(model, count):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s)",
            [model._meta.db_table, model._meta.db_table, count],
        )
        last = cursor.fetchone()[0]
    return range(last - count + 1, last + 1)


def generate(count, *, prefix="volume"):
    """Add `count` published pledges with their updates and sources; returns their slugs' prefix."""
    leader, _ = Party.objects.get_or_create(name="Volume Leader")
    topic = Topic.objects.get(slug="trade")
    states = [
        Party.objects.get_or_create(country=country, defaults={"name": country.name, "kind": "state"})[0].pk
        for country in Country.objects.filter(code__in=["KZ", "KG", "UZ"])
    ]
    written = datetime(2026, 1, 1, tzinfo=UTC)
    next_check = date.today() + timedelta(days=60)
    pledge_ids = _next_ids(Pledge, count)
    _copy(
        Pledge,
        [
            "id",
            "slug",
            "title",
            "announced_on",
            "quote",
            "summary",
            "topic_id",
            "source_title",
            "source_publisher",
            "source_url",
            "deadline_text",
            "deadline_precision",
            "deadline_end",
            "verdict",
            "is_published",
            "created_at",
            "updated_at",
            "remind_after",
            "follow_up",
            "ruling",
        ],
        (
            (
                pk,
                f"{prefix}-{pk}",
                f"Volume pledge {pk}: build {pk % 97} bridges",
                date(2022, 1, 25),
                f"We will build {pk % 97} bridges across the region",
                "A generated pledge of ordinary length.",
                topic.pk,
                "A speech",
                "A newspaper",
                f"https://example.org/speech/{pk}",
                "by 2030",
                "year",
                date(2030, 12, 31) - timedelta(days=pk % 2000),
                ("in_progress", "kept", "not_rated", "stalled")[pk % 4],
                True,
                written,
                written,
                next_check,
                "",
                "",
            )
            for pk in pledge_ids
        ),
    )
    _copy(Pledge.parties.through, ["pledge_id", "party_id"], ((pk, leader.pk) for pk in pledge_ids))
    _copy(
        Pledge.beneficiaries.through, ["pledge_id", "party_id"], ((pk, state) for pk in pledge_ids for state in states)
    )
    unit = Unit.objects.get(code="projects")
    target_ids = _next_ids(Target, count)
    _copy(
        Target,
        ["id", "pledge_id", "position", "label", "unit_id", "target_value", "baseline_value"],
        ((target_id, pk, 1, "", unit.pk, 100, 0) for target_id, pk in zip(target_ids, pledge_ids)),
    )
    update_ids = _next_ids(ProgressUpdate, count * UPDATES_EACH)
    _copy(
        ProgressUpdate,
        [
            "id",
            "pledge_id",
            "target_id",
            "key",
            "occurred_on",
            "summary",
            "new_verdict",
            "measurement_value",
            "measured_precision",
            "is_published",
            "created_at",
            "updated_at",
        ],
        (
            (
                update_id,
                pledge_ids[n // UPDATES_EACH],
                target_ids[n // UPDATES_EACH],
                f"u{n % UPDATES_EACH}",
                date(2023, 1, 1) + timedelta(days=90 * (n % UPDATES_EACH)),
                "Progress reported by the ministry.",
                "",
                10 * (n % UPDATES_EACH + 1),
                "",
                True,
                written,
                written,
            )
            for n, update_id in enumerate(update_ids)
        ),
    )
    _copy(
        Source,
        ["update_id", "position", "url", "title", "publisher", "grade"],
        (
            (update_id, 1, "https://example.org/report", "A report", "A ministry", "reporting")
            for update_id in update_ids
        ),
    )
    with connection.cursor() as cursor:
        for model in (Pledge, Target, ProgressUpdate, Source, Pledge.parties.through, Pledge.beneficiaries.through):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    public_version.bump()
    return prefix
