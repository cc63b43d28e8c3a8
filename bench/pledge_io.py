"""Benchmark: the project's importer and exporter against PostgreSQL COPY, in one process.

Run with `make bench` (PostgreSQL at BENCH_DATABASE_URL). It creates a scratch database,
generates N pledges as a CSV in the import layout and prints, best of three runs each:

- import: rows/s through `pledges.importers.import_pledges` (validation, countries, history
  included) beside `COPY pledges_pledge FROM STDIN` of the same rows, and the ratio;
- export: rows/s through `pledges.exporters.export_pledges` beside `COPY (SELECT ...) TO STDOUT`,
  and the ratio, with the export's peak Python memory at N and 2N rows (flat = streaming);
- for reference, django-import-export's default row-by-row ModelResource import on fewer rows.
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

from pledges.exporters import export_pledges  # noqa: E402
from pledges.files.imports import import_pledges  # noqa: E402
from pledges.files.layouts import PLEDGE_COLUMNS  # noqa: E402
from pledges.models import Actor, Country, Event, Pledge, Topic  # noqa: E402

N = int(os.environ.get("BENCH_ROWS", 10_000))
REPEAT = 3
COUNTRIES = ["KZ", "KG", "TJ", "TM", "UZ"]


def generated_rows(count, prefix="bench"):
    for i in range(count):
        yield {
            "slug": f"{prefix}-{i}",
            "title": f"Pledge number {i} to build things",
            "actor": f"Leader {i % 50}",
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
            "TRUNCATE pledges_pledge, pledges_pledge_beneficiaries, pledges_historicalpledge, "
            "pledges_historicalpledge_beneficiaries, pledges_actor, pledges_event CASCADE"
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
    "slug", "title", "actor_id", "event_id", "announced_on", "quote", "summary", "topic_id", "source_title",
    "source_publisher", "source_url", "source_published_on", "deadline_text", "deadline_precision",
    "deadline_end", "verdict", "target_unit", "baseline_value", "baseline_on", "target_value", "is_published",
    "last_reviewed_on", "created_at", "updated_at",
]


def copy_payload(rows):
    """The same rows as COPY wants them: foreign keys resolved, one line per pledge."""
    actors = {a.name: a.pk for a in Actor.objects.bulk_create([Actor(name=f"Leader {i}") for i in range(50)])}
    events = {e.name: e.pk for e in Event.objects.bulk_create([Event(name=f"Summit {i}") for i in range(20)])}
    topic = Topic.objects.get(slug="transport").pk
    out = io.StringIO()
    writer = csv.writer(out)
    for r in rows:
        writer.writerow([
            r["slug"], r["title"], actors[r["actor"]], events[r["event"]], r["announced_on"], r["quote"],
            r["summary"], topic, r["source_title"], r["source_publisher"], r["source_url"],
            r["source_published_on"], r["deadline_text"], r["deadline_precision"], r["deadline_end"], "not_rated",
            r["target_unit"], r["baseline_value"], r["baseline_on"], r["target_value"], "true",
            r["last_reviewed_on"], "2026-11-27 00:00:00+00", "2026-11-27 00:00:00+00",
        ])
    return out.getvalue().encode()


def copy_in(payload):
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY pledges_pledge ({', '.join(COPY_COLUMNS)}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(payload)


def copy_out():
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY (SELECT {', '.join(COPY_COLUMNS)} FROM pledges_pledge) TO STDOUT WITH (FORMAT csv)") as copy:
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


def import_export_baseline(count):
    """django-import-export's default row-by-row import, for reference."""
    import tablib
    from import_export import fields, resources, widgets

    class Baseline(resources.ModelResource):
        actor = fields.Field("actor", "actor", widgets.ForeignKeyWidget(Actor, "name"))
        event = fields.Field("event", "event", widgets.ForeignKeyWidget(Event, "name"))
        topic = fields.Field("topic", "topic", widgets.ForeignKeyWidget(Topic, "slug"))
        beneficiaries = fields.Field("beneficiaries", "beneficiaries",
                                     widgets.ManyToManyWidget(Country, separator="|", field="code"))

        class Meta:
            model = Pledge
            import_id_fields = ("slug",)
            fields = ("slug", "title", "actor", "beneficiaries", "event", "announced_on", "quote", "summary",
                      "topic", "source_title", "source_publisher", "source_url", "deadline_text",
                      "deadline_precision", "deadline_end", "target_unit", "baseline_value", "target_value")

    rows = list(generated_rows(count, prefix="baseline"))
    clear()
    copy_payload(rows)  # creates the actors and events the widgets look up
    dataset = tablib.Dataset(headers=list(Baseline.Meta.fields))
    for r in rows:
        dataset.append([r[name] for name in Baseline.Meta.fields])
    start = time.perf_counter()
    result = Baseline().import_data(dataset, dry_run=False, raise_errors=True)
    elapsed = time.perf_counter() - start
    assert not result.has_errors()
    return count / elapsed


def main():
    assert connection.vendor == "postgresql", "the benchmark compares with PostgreSQL COPY: set BENCH_DATABASE_URL"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    call_command("loaddata", ROOT / "fixtures" / "countries.json", ROOT / "fixtures" / "topics.json", verbosity=0)
    rows = list(generated_rows(N))
    data = csv_of(rows, [c.name for c in PLEDGE_COLUMNS if not c.export_only])
    print(f"{N:,} pledges, {len(PLEDGE_COLUMNS)} columns, {len(data) / 1e6:.1f} MB of CSV; best of {REPEAT}")

    importer = best(lambda: import_pledges(data))
    assert Pledge.objects.count() == N and Pledge.history.count() == N
    payloads = []
    copy = best(lambda: copy_in(payloads[-1]), prepare=lambda: (clear(), payloads.append(copy_payload(rows))))
    print(f"import  project importer {N / importer:>10,.0f} rows/s   COPY FROM {N / copy:>10,.0f} rows/s   "
          f"ratio {copy / importer:.3f}")

    clear()
    import_pledges(data)
    exporter = best(lambda: export_pledges(NullStream()), prepare=lambda: None)
    copy_to = best(copy_out, prepare=lambda: None)
    peak_n = export_peak_memory()
    import_pledges(csv_of(generated_rows(N, prefix="more"), [c.name for c in PLEDGE_COLUMNS if not c.export_only]))
    peak_2n = export_peak_memory()
    print(f"export  project exporter {N / exporter:>10,.0f} rows/s   COPY TO   {N / copy_to:>10,.0f} rows/s   "
          f"ratio {copy_to / exporter:.3f}")
    print(f"export  peak Python memory: {peak_n / 1e6:.1f} MB at {N:,} rows, {peak_2n / 1e6:.1f} MB at {2 * N:,} rows")

    count = max(N // 10, 100)
    rate = import_export_baseline(count)
    print(f"reference: django-import-export row-by-row import {rate:,.0f} rows/s on {count:,} rows "
          f"(ratio to COPY {rate / (N / copy):.4f})")
    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
