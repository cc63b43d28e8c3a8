"""Benchmark: the project's import and export resources against PostgreSQL COPY, in one process.

Run with `make bench` (PostgreSQL at BENCH_DATABASE_URL). It creates a scratch database and,
for each size in BENCH_SIZES (default 10,000 and 100,000 pledges), generates that many pledges
as a CSV in the import layout and prints, best of BENCH_REPEAT runs each:

- import: rows/s through `PledgeResource` (`pledges.files.imports.import_pledges`: validation,
  parties, beneficiaries, targets and history included) beside COPY of the same rows into the
  pledge table, its targets and its parties, and the ratio; beside them the peer,
  django-import-export's own best documented bulk configuration (`use_bulk`, `batch_size`,
  `skip_diff`, `CachedInstanceLoader`), which writes the pledges' own columns only (no
  parties, beneficiaries, targets or history: its bulk mode skips related rows);
- export: rows/s through `pledges.files.exports.export_pledges` beside `COPY (SELECT ...) TO
  STDOUT` of the pledges with their first targets, and the ratio;
- then the export's peak Python memory at the largest size and at BENCH_MEMORY_ROWS (default
  1,000,000) rows, generated with COPY: flat means the export streams.
- for reference, django-import-export's default row-by-row import on a tenth of the first size.
"""

import csv
import gc
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from pledges.files.exports import export_pledges  # noqa: E402
from pledges.files.imports import import_pledges  # noqa: E402
from pledges.files.layouts import PLEDGE_COLUMNS  # noqa: E402
from pledges.models import Event, Party, Pledge, Target, Topic, Unit  # noqa: E402

SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", 3))
MEMORY_ROWS = int(os.environ.get("BENCH_MEMORY_ROWS", 1_000_000))
COUNTRIES = ["KZ", "KG", "TJ", "TM", "UZ"]


def generated_rows(count, prefix="bench"):
    for i in range(count):
        yield {
            "slug": f"{prefix}-{i}",
            "title": f"Pledge number {i} to build things",
            "parties": f"Leader {i % 50}",
            "beneficiaries": "|".join(COUNTRIES[: 1 + i % 5]),
            "event": f"Summit {i % 20}",
            "announced_on": "2022-01-25",
            "quote": f"We will build {i} bridges, roads and railways across the region",
            "summary": f"A generated pledge, number {i}, with a summary of ordinary length.",
            "topic": "transport",
            "source_title": "A speech",
            "source_publisher": "A newspaper",
            "source_url": f"https://example.org/speech/{i}",
            "source_published_on": "2022-01-25",
            "deadline_text": "by 2030",
            "deadline_precision": "year",
            "deadline_start": "",
            "deadline_end": "2030-12-31",
            "target_unit": "km",
            "baseline_value": "0",
            "baseline_on": "2022-01-01",
            "target_value": str(1000 + i),
            "owner": "",
            "published": "yes",
            "last_reviewed_on": "2026-11-01",
        }


def csv_of(rows, columns):
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def clear():
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE pledges_pledge, pledges_pledge_parties, pledges_pledge_beneficiaries, pledges_target, "
            "pledges_historicalpledge, pledges_historicalpledge_parties, pledges_historicalpledge_beneficiaries, "
            "pledges_historicaltarget, pledges_party, pledges_event RESTART IDENTITY CASCADE"
        )


def best(function, prepare=clear):
    times = []
    for _ in range(REPEAT):
        prepare()
        gc.collect()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


COPY_COLUMNS = [
    "id",
    "slug",
    "title",
    "event_id",
    "announced_on",
    "quote",
    "summary",
    "topic_id",
    "source_title",
    "source_publisher",
    "source_url",
    "source_published_on",
    "deadline_text",
    "deadline_precision",
    "deadline_end",
    "verdict",
    "is_published",
    "last_reviewed_on",
    "created_at",
    "updated_at",
    "follow_up",
    "ruling",
    "quote_language",
    "quote_original",
    "quote_translated_by",
    "announced_precision",
    "source_published_precision",
]
TARGET_COLUMNS = [
    "pledge_id",
    "position",
    "label",
    "unit_id",
    "baseline_value",
    "baseline_on",
    "target_value",
    "kind",
    "milestones",
    "value_qualifier",
]


def _unlisted(model, listed):
    """The model's NOT NULL text and JSON columns the COPY does not list (each language's copy
    of a text or a list, added since), with the empty value the importer leaves when a file does
    not give them: {column: "" or "[]"}."""
    from django.db import models as django_models

    empty = {django_models.CharField: "", django_models.TextField: "", django_models.JSONField: "[]"}
    return {
        field.column: next(value for kind, value in empty.items() if isinstance(field, kind))
        for field in model._meta.concrete_fields
        if not field.null and isinstance(field, tuple(empty)) and field.column not in listed
    }


PLEDGE_EMPTY = _unlisted(Pledge, COPY_COLUMNS)
TARGET_EMPTY = _unlisted(Target, TARGET_COLUMNS)
COPY_COLUMNS = COPY_COLUMNS + list(PLEDGE_EMPTY)
TARGET_COLUMNS = TARGET_COLUMNS + list(TARGET_EMPTY)


def _not_null(empty):
    """COPY's FORCE_NOT_NULL for the text columns among them (an empty CSV field is otherwise NULL)."""
    return "".join(f", {column}" for column, value in empty.items() if value == "")


def copy_payload(rows):
    """The same rows as COPY wants them, foreign keys resolved: (pledges, their targets, their parties)."""
    parties = {p.name: p.pk for p in Party.objects.bulk_create([Party(name=f"Leader {i}") for i in range(50)])}
    events = {
        e.name: e.pk
        for e in Event.objects.bulk_create([Event(name=f"Summit {i}", slug=f"summit-{i}") for i in range(20)])
    }
    topic = Topic.objects.get(slug="transport").pk
    units = dict(Unit.objects.values_list("code", "pk"))
    pledges, targets, links = io.StringIO(), io.StringIO(), io.StringIO()
    pledge_rows, target_rows, link_rows = csv.writer(pledges), csv.writer(targets), csv.writer(links)
    for pk, r in enumerate(rows, start=1):
        pledge_rows.writerow(
            [
                pk,
                r["slug"],
                r["title"],
                events[r["event"]],
                r["announced_on"],
                r["quote"],
                r["summary"],
                topic,
                r["source_title"],
                r["source_publisher"],
                r["source_url"],
                r["source_published_on"],
                r["deadline_text"],
                r["deadline_precision"],
                r["deadline_end"],
                "not_rated",
                "true",
                r["last_reviewed_on"],
                "2026-11-27 00:00:00+00",
                "2026-11-27 00:00:00+00",
                "",
                r.get("ruling", ""),
                "en",
                "",
                "",
                "day",
                "day",
                *PLEDGE_EMPTY.values(),
            ]
        )
        target_rows.writerow(
            [
                pk,
                1,
                "",
                units[r["target_unit"]],
                r["baseline_value"],
                r["baseline_on"],
                r["target_value"],
                "total",
                "[]",
                "",
                *TARGET_EMPTY.values(),
            ]
        )
        link_rows.writerow([pk, parties[r["parties"]]])
    return pledges.getvalue().encode(), targets.getvalue().encode(), links.getvalue().encode()


def copy_in(payload):
    pledges, targets, links = payload
    with connection.cursor() as cursor:
        with cursor.copy(
            f"COPY pledges_pledge ({', '.join(COPY_COLUMNS)}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (follow_up, ruling, quote_original, quote_translated_by{_not_null(PLEDGE_EMPTY)}))"
        ) as copy:
            copy.write(pledges)
        with cursor.copy(
            f"COPY pledges_target ({', '.join(TARGET_COLUMNS)}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (label, value_qualifier{_not_null(TARGET_EMPTY)}))"
        ) as copy:
            copy.write(targets)
        with cursor.copy("COPY pledges_pledge_parties (pledge_id, party_id) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(links)


def copy_out():
    columns = (
        ", ".join(f"p.{name}" for name in COPY_COLUMNS) + ", t.unit_id, t.baseline_value, t.baseline_on, t.target_value"
    )
    query = (
        f"SELECT {columns} FROM pledges_pledge p LEFT JOIN pledges_target t ON t.pledge_id = p.id AND t.position = 1"
    )
    with connection.cursor() as cursor, cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
        return sum(len(block) for block in copy)


class NullStream:
    def write(self, data):
        return len(data)


def export_peak_memory():
    tracemalloc.start()
    export_pledges(NullStream())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _fields():
    from import_export import fields, widgets

    return {
        "event": fields.Field("event", "event", widgets.ForeignKeyWidget(Event, "name")),
        "topic": fields.Field("topic", "topic", widgets.ForeignKeyWidget(Topic, "slug")),
    }


# The pledge's own columns: the library's bulk mode writes no related rows (parties, targets).
PEER_FIELDS = (
    "slug",
    "title",
    "event",
    "announced_on",
    "quote",
    "summary",
    "topic",
    "source_title",
    "source_publisher",
    "source_url",
    "deadline_text",
    "deadline_precision",
    "deadline_end",
)


def peer_resource(bulk):
    """django-import-export on the same columns: its default, or its best documented bulk setup."""
    from import_export import instance_loaders, resources, widgets

    class CachedForeignKeyWidget(widgets.ForeignKeyWidget):
        """As the library's docs advise for bulk imports: the related table read once."""

        def __init__(self, model, field):
            super().__init__(model, field)
            self.cache = {getattr(obj, field): obj for obj in model.objects.all()}

        def clean(self, value, row=None, **kwargs):
            return self.cache.get(value) if value else None

    attrs = _fields()
    if bulk:
        for name, model, field in (("event", Event, "name"), ("topic", Topic, "slug")):
            attrs[name].widget = CachedForeignKeyWidget(model, field)
    meta = {"model": Pledge, "import_id_fields": ("slug",), "fields": PEER_FIELDS}
    if bulk:
        meta.update(
            use_bulk=True,
            batch_size=2000,
            skip_diff=True,
            force_init_instance=True,
            instance_loader_class=instance_loaders.CachedInstanceLoader,
        )
    attrs["Meta"] = type("Meta", (), meta)
    return type("Peer", (resources.ModelResource,), attrs)


def peer_import(resource_class, rows):
    import tablib

    dataset = tablib.Dataset(headers=list(PEER_FIELDS))
    for r in rows:
        dataset.append([r[name] for name in PEER_FIELDS])
    result = resource_class().import_data(dataset, dry_run=False, raise_errors=True)
    assert not result.has_errors()


def prepared_for_peer():
    clear()
    copy_payload([])  # creates the parties and events the widgets look up


def generate_with_copy(count):
    """`count` pledges written straight with COPY (no beneficiaries): quick data for the memory check."""
    clear()
    payload = copy_payload(generated_rows(count, prefix="copied"))
    copy_in(payload)


def measure(n):
    rows = list(generated_rows(n))
    data = csv_of(rows, [c.column_name for c in PLEDGE_COLUMNS if not c.export_only])
    print(f"\n{n:,} pledges, {len(PLEDGE_COLUMNS)} columns, {len(data) / 1e6:.1f} MB of CSV; best of {REPEAT}")

    importer = best(lambda: import_pledges(data))
    assert Pledge.objects.count() == n and Pledge.history.count() == n
    payloads = []
    copy = best(lambda: copy_in(payloads[-1]), prepare=lambda: (clear(), payloads.append(copy_payload(rows))))
    peer = best(lambda: peer_import(peer_resource(bulk=True), rows), prepare=prepared_for_peer)
    print(
        f"import  resources {n / importer:>10,.0f} rows/s   COPY FROM {n / copy:>10,.0f} rows/s   "
        f"ratio {copy / importer:.3f}"
    )
    print(
        f"import  library's bulk setup (own columns only, no history) {n / peer:>10,.0f} rows/s   "
        f"ratio {copy / peer:.3f}"
    )

    clear()
    import_pledges(data)
    exporter = best(lambda: export_pledges(NullStream()), prepare=lambda: None)
    copy_to = best(copy_out, prepare=lambda: None)
    print(
        f"export  resources {n / exporter:>10,.0f} rows/s   COPY TO   {n / copy_to:>10,.0f} rows/s   "
        f"ratio {copy_to / exporter:.3f}"
    )
    return copy


def main():
    assert connection.vendor == "postgresql", "the benchmark compares with PostgreSQL COPY: set BENCH_DATABASE_URL"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    call_command(
        "loaddata", *(ROOT / "fixtures" / name for name in ("countries.json", "topics.json", "units.json")), verbosity=0
    )
    copy_rates = [n / measure(n) for n in SIZES]

    peaks = []
    for count in (SIZES[-1], MEMORY_ROWS):
        generate_with_copy(count)
        peaks.append((count, export_peak_memory()))
    print(
        "\nexport  peak Python memory: " + ", ".join(f"{peak / 1e6:.1f} MB at {count:,} rows" for count, peak in peaks)
    )

    count = max(SIZES[0] // 10, 100)
    rows = list(generated_rows(count, prefix="baseline"))
    prepared_for_peer()
    start = time.perf_counter()
    peer_import(peer_resource(bulk=False), rows)
    rate = count / (time.perf_counter() - start)
    print(
        f"reference: django-import-export's default row-by-row import {rate:,.0f} rows/s on {count:,} rows "
        f"(ratio to COPY {rate / copy_rates[0]:.4f})"
    )
    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
