"""Hostile spreadsheets: small files that declare, repeat or pack far more than they hold.

Each is imported by `manage.py import_pledges --dry-run` in a process of its own, as an editor's
command line would, and must be refused with a message that says why, within 20 s and 400 MB of
peak memory (the audit's files took gigabytes and minutes). The subprocess measures its own peak
memory and has an address-space limit, so a regression fails the test rather than the machine.
"""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from tests.live import database_url

# What is tested is the file's reading, not the database: CI runs these once, on PostgreSQL.
pytestmark = pytest.mark.any_database

ROOT = Path(__file__).resolve().parent.parent
# The pledges layout's own columns, as the seeds' file names them, so a file gets past the header.
HEADER = (ROOT / "seeds" / "pledges.csv").read_text(encoding="utf-8").splitlines()[0].split(",")

MEASURED_IMPORT = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))  # a regression fails here, not the machine
import django
django.setup()
from django.core.management import execute_from_command_line
started = time.monotonic()
try:
    execute_from_command_line(["manage.py", "import_pledges", sys.argv[1], "--format", sys.argv[2], "--dry-run"])
    outcome = "accepted"
except SystemExit as exit:
    outcome = f"exit {exit.code}"
except MemoryError:
    outcome = "MemoryError"
# The high-water mark of this process's memory (ru_maxrss would include the forking parent's).
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"outcome": outcome, "seconds": time.monotonic() - started, "peak_mb": peak_kb / 1024}))
"""


def measured_import(tmp_path, data, file_format):
    """Import `data` in a fresh process: (what it printed on stderr, its outcome, seconds, peak MB)."""
    path = tmp_path / f"hostile.{file_format}"
    path.write_bytes(data)
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url(), "PATH": "/usr/bin:/bin"}
    finished = subprocess.run(
        [sys.executable, "-c", MEASURED_IMPORT, str(path), file_format],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.stdout.strip(), finished.stderr
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    return finished.stderr, report["outcome"], report["seconds"], report["peak_mb"]


def assert_refused_cheaply(tmp_path, data, file_format, message):
    stderr, outcome, seconds, peak_mb = measured_import(tmp_path, data, file_format)
    assert outcome == "exit 1", (outcome, stderr)
    assert message in stderr, stderr
    assert "Traceback" not in stderr
    assert seconds < 20, f"refused after {seconds:.1f} s"
    assert peak_mb < 400, f"peak memory {peak_mb:.0f} MB"


def xlsx_with_sheet(sheet_xml):
    """A real workbook (openpyxl's) whose first sheet's XML is replaced by `sheet_xml`."""
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            target.writestr(item.filename, data)
    return out.getvalue()


def sheet(rows_xml, dimension="A1:D1"):
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>'
    )


def header_row():
    cells = "".join(
        f'<c r="{get_column_letter(i + 1)}1" t="inlineStr"><is><t>{name}</t></is></c>' for i, name in enumerate(HEADER)
    )
    return f'<row r="1">{cells}</row>'


@pytest.mark.django_db(transaction=True)  # the import runs in a process of its own
def test_a_declared_dimension_of_billions_of_cells_costs_only_the_cells_there(tmp_path):
    # The audit's file: 1,946 bytes declaring A1:XFD20000, one cell at row 20,000. It took a web
    # worker to 5.5 GB. Read by its cells, it is a header and one row: checked at once.
    data = xlsx_with_sheet(
        sheet(header_row() + '<row r="20000"><c r="A20000" t="inlineStr"><is><t>x</t></is></c></row>', "A1:XFD20000")
    )
    assert len(data) < 6000  # a few kilobytes, most of them the header's column names
    assert_refused_cheaply(tmp_path, data, "xlsx", "Row 20000")


@pytest.mark.django_db(transaction=True)  # the import runs in a process of its own
def test_a_sheet_declaring_a_million_rows_is_refused_by_its_row_count(tmp_path, settings):
    # A1:AM1048576 and a cell in the last row: the gap is counted as it is read, and refused at the cap.
    data = xlsx_with_sheet(sheet(header_row() + '<row r="1048576"><c r="A1048576"><v>1</v></c></row>', "A1:AM1048576"))
    assert_refused_cheaply(tmp_path, data, "xlsx", f"more than {settings.PLEDGES_IMPORT_MAX_ROWS:,} rows")


@pytest.mark.django_db(transaction=True)  # the import runs in a process of its own
def test_a_header_wider_than_any_layout_is_refused(tmp_path):
    data = xlsx_with_sheet(sheet(header_row() + '<row r="2"><c r="XFD2"><v>1</v></c></row>', "A1:XFD2"))
    assert_refused_cheaply(
        tmp_path, data, "xlsx", f"has a value in column 16384 but the header names {len(HEADER)} columns"
    )
    wide_header = '<row r="1"><c r="A1" t="inlineStr"><is><t>slug</t></is></c><c r="XFD1"><v>1</v></c></row>'
    data = xlsx_with_sheet(sheet(wide_header, "A1:XFD1"))
    assert_refused_cheaply(tmp_path, data, "xlsx", "the header names 16,384 columns; a file may have at most 1,024")


@pytest.mark.django_db(transaction=True)  # the import runs in a process of its own
def test_a_zip_bomb_is_refused_by_its_unpacked_size_before_it_is_parsed(tmp_path):
    # 150 MB of XML (one long run of spaces inside the sheet) packs to a few hundred kilobytes.
    padding = " " * (150 * 1024 * 1024)
    data = xlsx_with_sheet(sheet(header_row() + padding))
    assert len(data) < 1024 * 1024
    assert_refused_cheaply(tmp_path, data, "xlsx", "MB of XML, more than the 100 MB a file may hold")


def ods_with_rows(rows_xml):
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        f"{rows_xml}</office:spreadsheet></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        target.writestr("content.xml", content)
    return out.getvalue()


def ods_row(*values, repeat=1):
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>' for v in values
    )
    return f'<table:table-row table:number-rows-repeated="{repeat}">{cells}</table:table-row>'


@pytest.mark.django_db(transaction=True)  # the import runs in a process of its own
def test_an_ods_of_300000_rows_in_121_kb_is_refused_by_its_row_count(tmp_path, settings):
    data = ods_with_rows(
        '<table:table table:name="Pledges">'
        + ods_row(*HEADER)
        + "<table:table-row/>" * 300_000
        + ods_row("x")
        + "</table:table>"
    )
    assert len(data) < 200 * 1024
    assert_refused_cheaply(tmp_path, data, "ods", f"more than {settings.PLEDGES_IMPORT_MAX_ROWS:,} rows")


@pytest.mark.django_db(transaction=True)  # the import runs in a process of its own
def test_an_ods_repeating_a_row_a_million_times_is_refused_by_its_row_count(tmp_path, settings):
    data = ods_with_rows(
        '<table:table table:name="Pledges">' + ods_row(*HEADER) + ods_row("x", repeat=1_048_575) + "</table:table>"
    )
    assert_refused_cheaply(tmp_path, data, "ods", f"more than {settings.PLEDGES_IMPORT_MAX_ROWS:,} rows")


def test_an_ods_trailing_empty_repeats_cost_nothing_and_only_the_first_sheet_is_read():
    # A spreadsheet program writes its empty tail as repeats; they are counted, never laid out.
    from pledges.files.formats import ODS

    empty_tail = (
        '<table:table-row table:number-rows-repeated="1048570">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    data = ods_with_rows(
        '<table:table table:name="Pledges">'
        + ods_row(*HEADER)
        + ods_row("first-sheet", "Title", "Quote")
        + empty_tail
        + "</table:table>"
        + '<table:table table:name="Notes">'
        + ods_row(*HEADER)
        + ods_row("second-sheet", "Not", "to", "import")
        + "</table:table>"
    )
    dataset = ODS().create_dataset(data)
    assert dataset.headers == HEADER
    assert [list(row) for row in dataset] == [["first-sheet", "Title", "Quote", *[None] * (len(HEADER) - 3)]]


@pytest.mark.django_db(transaction=True)  # the import runs in a process of its own
def test_a_sheet_of_a_million_empty_rows_in_11_kb_is_refused_by_its_row_count(tmp_path, settings):
    data = xlsx_with_sheet(sheet(header_row() + "<row/>" * 1_000_000))
    assert len(data) < 20 * 1024
    assert_refused_cheaply(tmp_path, data, "xlsx", f"more than {settings.PLEDGES_IMPORT_MAX_ROWS:,} rows")


@pytest.mark.django_db(transaction=True)  # the import runs in a process of its own
@pytest.mark.parametrize(
    ("item", "count", "message"),
    [
        ("{}", 20_000, "Row 2: the first object names no columns"),  # the audit's: 36 s, then a TypeError
        ('{"slug": ""}', 750_000, "more than 200,000 rows"),  # empty rows, counted as read
    ],
)
def test_a_json_list_of_empty_objects_is_refused_with_a_message(tmp_path, item, count, message):
    data = ("[" + ",".join([item] * count) + "]").encode()
    assert_refused_cheaply(tmp_path, data, "json", message)
