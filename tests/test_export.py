"""Exports: the import layout, a no-op round trip, formulas neutralised, few queries."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from pledges.files import exports as exporters
from pledges.files.imports import import_pledges, import_updates
from pledges.files.layouts import PLEDGE_COLUMNS, UPDATE_COLUMNS
from pledges.models import Pledge, ProgressUpdate, Source
from tests.factories import pledge_csv, update_csv

pytestmark = pytest.mark.django_db


def export(function, file_format="csv", queryset=None):
    out = io.BytesIO()
    function(out, queryset, file_format)
    return out.getvalue()


def test_exporting_then_importing_the_seeds_changes_nothing(seeded):
    counts = (Pledge.objects.count(), ProgressUpdate.objects.count(), Source.objects.count(), Pledge.history.count())

    pledges = import_pledges(export(exporters.export_pledges))
    updates = import_updates(export(exporters.export_updates))

    assert pledges.count("unchanged") == 16 and pledges.count("new") == pledges.count("update") == 0
    assert updates.count("unchanged") == 60 and updates.count("new") == updates.count("update") == 0
    assert (
        Pledge.objects.count(),
        ProgressUpdate.objects.count(),
        Source.objects.count(),
        Pledge.history.count(),
    ) == counts


def test_the_export_has_the_import_columns_in_order(seeded):
    rows = list(csv.reader(io.StringIO(export(exporters.export_pledges).decode())))

    assert rows[0] == [c.column_name for c in PLEDGE_COLUMNS]
    trade = next(r for r in rows if r[0] == "trade-70-billion-by-2030")
    record = dict(zip(rows[0], trade))
    assert record["beneficiaries"] == "KG|KZ|TJ|TM|UZ"
    assert record["baseline_value"] == "50100000000" and record["target_value"] == "70000000000"
    assert record["verdict"] == "kept"


FORMULAS = ['=HYPERLINK("http://evil")', "+1+2", "-3+4", "@SUM(A1)", "\tTab", "\rReturn"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_formulas_are_written_as_text_and_still_round_trip(reference_data, formula):
    import_pledges(pledge_csv())
    Pledge.objects.update(summary=formula + " tail")  # as if typed in by someone

    data = export(exporters.export_pledges)
    record = dict(zip(*list(csv.reader(io.StringIO(data.decode(), newline="")))[:2]))

    assert record["summary"] == "'" + formula + " tail"
    assert import_pledges(data).count("unchanged") == 1
    assert Pledge.objects.get().summary == formula + " tail"


def test_xlsx_cells_with_formulas_are_text(reference_data):
    import_pledges(pledge_csv({"title": "=1+1"}))

    sheet = load_workbook(io.BytesIO(export(exporters.export_pledges, "xlsx"))).active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]]))

    assert row["title"] == "'=1+1"
    assert sheet.cell(row=2, column=header.index("title") + 1).data_type == "s"


@pytest.mark.parametrize("file_format", ["CSV", "XLSX"])
def test_the_librarys_own_export_command_neutralises_formulas_too(reference_data, file_format, tmp_path):
    # `manage.py export CSV pledges.files.layouts.PledgeResource`, as the README documents it.
    import_pledges(pledge_csv({"title": '=HYPERLINK("http://evil")', "summary": "=cmd|' /C calc'!A0"}))
    out = io.TextIOWrapper(io.BytesIO())  # the command writes bytes to its standard output's buffer
    call_command("export", file_format, "pledges.files.layouts.PledgeResource", stdout=out)

    written = out.buffer.getvalue()
    if file_format == "CSV":
        record = dict(zip(*list(csv.reader(io.StringIO(written.decode(), newline="")))[:2]))
    else:
        sheet = load_workbook(io.BytesIO(written)).active
        record = dict(zip([cell.value for cell in sheet[1]], [cell.value for cell in sheet[2]]))
        assert all(cell.data_type == "s" for cell in sheet[2] if cell.value is not None)
    assert record["title"] == '\'=HYPERLINK("http://evil")' and record["summary"] == "'=cmd|' /C calc'!A0"


def test_json_export_has_one_object_per_update_with_its_sources(seeded):
    records = json.loads(export(exporters.export_updates, "json"))

    assert len(records) == 60
    assert set(records[0]) == {c.column_name for c in UPDATE_COLUMNS}
    tajikistan = next(r for r in records if r["key"] == "tajikistan-delivery-2022")
    assert tajikistan["measurement_country"] == "TJ" and tajikistan["measurement_value"] == "2543200"
    assert tajikistan["source1_url"] == (
        "https://eng.khovar.tj/2022/08/over-2-5-million-doses-of-chinese-coronavac-delivered-to-tajikistan/"
    )


def test_export_takes_the_same_few_queries_for_many_rows(reference_data):
    import_pledges(pledge_csv(*[{"slug": f"p{i}"} for i in range(10)]))
    with CaptureQueriesContext(connection) as small:
        export(exporters.export_pledges)
    import_pledges(pledge_csv(*[{"slug": f"q{i}"} for i in range(300)]))
    with CaptureQueriesContext(connection) as large:
        export(exporters.export_pledges)

    # The parties, the rows (streamed), and per chunk the other pledges they follow, their more
    # topics, pledging parties, beneficiaries and targets.
    assert len(small) == len(large) == 7


def test_the_export_command_writes_a_file(seeded, tmp_path):
    target = tmp_path / "updates.csv"

    call_command("export_updates", "--output", str(target))

    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [row["key"] for row in rows] == list(ProgressUpdate.objects.order_by("pk").values_list("key", flat=True))
    assert list(rows[0]) == [column.column_name for column in UPDATE_COLUMNS]


def test_importing_an_exported_update_file_into_another_pledge_set_keeps_keys(reference_data):
    import_pledges(pledge_csv())
    import_updates(update_csv())
    data = export(exporters.export_updates)
    ProgressUpdate.objects.all().delete()

    import_updates(data)

    assert list(ProgressUpdate.objects.values_list("key", flat=True)) == ["first"]
