"""Pledges and progress updates as rows of cell text in the import layout, and files of them.

Rows are read in keyset-paginated chunks with one query for the chunk's rows and one for its
related rows (countries, sources), so memory stays flat and queries stay few however many
rows there are. The importer reads existing rows through these same functions to tell what a
file would change.
"""

import csv
import io
import json

from .layouts import (
    LIST_SEPARATOR,
    MAX_SOURCES,
    PLEDGE_COLUMNS,
    UPDATE_COLUMNS,
    neutralise_formula,
    stored_columns,
)
from .models import Pledge, ProgressUpdate, Source

CHUNK_SIZE = 2000
FORMATS = ("csv", "json", "xlsx")
# A streamed CSV is handed on this many rows at a time.
ROWS_PER_CHUNK = 500

def _chunks(queryset, paths):
    """Yield lists of value tuples (pk first), CHUNK_SIZE rows at a time, in primary-key order."""
    last_pk = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last_pk).order_by("pk").values_list("pk", *paths)[:CHUNK_SIZE])
        if not chunk:
            return
        yield chunk
        last_pk = chunk[-1][0]


def _renderers(columns, names):
    by_name = {column.name: column for column in columns}
    return [by_name[name].renderer for name in names]


def _paths(columns):
    return [column.path for column in stored_columns(columns)]


def pledge_records(queryset=None):
    """Yield (pk, [cell text in PLEDGE_COLUMNS order]) for the pledges of `queryset`."""
    queryset = Pledge.objects.all() if queryset is None else queryset
    names = [column.name for column in stored_columns(PLEDGE_COLUMNS)]
    renderers = _renderers(PLEDGE_COLUMNS, names)
    position = [column.name for column in PLEDGE_COLUMNS].index("beneficiaries")
    through = Pledge.beneficiaries.through
    for chunk in _chunks(queryset, _paths(PLEDGE_COLUMNS)):
        codes = {}
        for pledge_id, code in (
            through.objects.filter(pledge_id__in=[row[0] for row in chunk])
            .order_by("country__code")
            .values_list("pledge_id", "country__code")
        ):
            codes.setdefault(pledge_id, []).append(code)
        for pk, *values in chunk:
            cells = [render(value) for render, value in zip(renderers, values)]
            cells.insert(position, LIST_SEPARATOR.join(codes.get(pk, ())))
            yield pk, cells


def update_records(queryset=None):
    """Yield (pk, [cell text in UPDATE_COLUMNS order]) for the progress updates of `queryset`."""
    queryset = ProgressUpdate.objects.all() if queryset is None else queryset
    names = [column.name for column in stored_columns(UPDATE_COLUMNS)]
    renderers = _renderers(UPDATE_COLUMNS, names)
    source_render = _renderers(UPDATE_COLUMNS, ["source1_url", "source1_title", "source1_publisher",
                                                "source1_published_on"])
    for chunk in _chunks(queryset, _paths(UPDATE_COLUMNS)):
        sources = {}
        for update_id, *values in (
            Source.objects.filter(update_id__in=[row[0] for row in chunk])
            .order_by("update_id", "position")
            .values_list("update_id", "url", "title", "publisher", "published_on")
        ):
            sources.setdefault(update_id, []).append(
                [render(value) for render, value in zip(source_render, values)]
            )
        for pk, *values in chunk:
            cells = [render(value) for render, value in zip(renderers, values)]
            cited = sources.get(pk, [])[:MAX_SOURCES]
            for number in range(MAX_SOURCES):
                cells.extend(cited[number] if number < len(cited) else ["", "", "", ""])
            yield pk, cells


def _text_positions(columns):
    return [index for index, column in enumerate(columns) if column.kind == "text"]


def write_rows(columns, records, stream, file_format="csv"):
    """Write records (pk, cells) as a file to a binary stream; returns the number of rows.

    CSV and XLSX cells that a spreadsheet would run as formulas are written as text.
    """
    if file_format not in FORMATS:
        raise ValueError(f"unknown format {file_format!r}; choose one of {', '.join(FORMATS)}")
    if file_format == "xlsx":
        return _write_xlsx(columns, records, stream)
    counted = _Counted(records)
    for chunk in file_chunks(columns, counted, file_format):
        stream.write(chunk)
    return counted.count


def file_chunks(columns, records, file_format="csv"):
    """The file (CSV or JSON) of records (pk, cells), as bytes a few rows at a time: for a
    response that streams, or a stream to write to. Memory stays flat however many rows."""
    header = [column.name for column in columns]
    if file_format == "json":
        yield b"["
        for count, (_pk, cells) in enumerate(records, start=1):
            yield (b"," if count > 1 else b"") + b"\n" + json.dumps(dict(zip(header, cells)), ensure_ascii=False).encode()
        yield b"\n]\n"
        return
    text_positions = _text_positions(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for count, (_pk, cells) in enumerate(records, start=1):
        for index in text_positions:
            cells[index] = neutralise_formula(cells[index])
        writer.writerow(cells)
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _write_xlsx(columns, records, stream):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([column.name for column in columns])
    text_positions = _text_positions(columns)
    count = 0
    for count, (_pk, cells) in enumerate(records, start=1):
        for index in text_positions:
            cells[index] = neutralise_formula(cells[index])
        sheet.append(cells)
    workbook.save(stream)
    return count


class _Counted:
    """Iterates records, counting them."""

    def __init__(self, records):
        self.records, self.count = records, 0

    def __iter__(self):
        for record in self.records:
            self.count += 1
            yield record


def export_pledges(stream, queryset=None, file_format="csv"):
    """Write the pledges of `queryset` (all by default) to a binary stream in the import layout."""
    return write_rows(PLEDGE_COLUMNS, pledge_records(queryset), stream, file_format)


def export_updates(stream, queryset=None, file_format="csv"):
    """Write the progress updates of `queryset` (all by default) in the import layout."""
    return write_rows(UPDATE_COLUMNS, update_records(queryset), stream, file_format)
