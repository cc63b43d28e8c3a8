"""Files of records in a layout: streamed CSV and JSON for any size, whole workbooks otherwise.

Rows come from the resource's `export_rows` (a chunk of rows per query), the same path the
library's admin export takes (`export`), so every file of a layout has the same cells.
"""

import csv
import io
import json

from pledges.files.formats import SPREADSHEETS, WORKBOOKS, format_named
from pledges.files.layouts import PledgeResource, ProgressUpdateResource

ROWS_PER_CHUNK = 500  # a streamed file is handed on this many rows at a time


def rows(resource, queryset, selected_fields=None, *, neutralise_formulas=False):
    """Each record of `queryset` as its list of cells, in the layout's column order."""
    return resource.export_rows(queryset, selected_fields, neutralise_formulas=neutralise_formulas)


def file_chunks(resource, queryset, file_format="csv", selected_fields=None):
    """A CSV, TSV or JSON file of `queryset`, as bytes a few rows at a time: for a response that
    streams, or a stream to write to. Memory stays flat however many rows."""
    cells = rows(resource, queryset, selected_fields, neutralise_formulas=file_format != "json")
    return encoded_chunks(resource.get_export_headers(selected_fields), cells, file_format)


def encoded_chunks(header, cells_of_rows, file_format):
    """A file of rows (lists of cells) under `header`, as bytes a few rows at a time."""
    if file_format == "json":
        yield b"["
        for count, cells in enumerate(cells_of_rows, start=1):
            yield (
                (b"," if count > 1 else b"") + b"\n" + json.dumps(dict(zip(header, cells)), ensure_ascii=False).encode()
            )
        yield b"\n]\n"
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", delimiter="\t" if file_format == "tsv" else ",")
    writer.writerow(header)
    for count, cells in enumerate(cells_of_rows, start=1):
        writer.writerow(cells)
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


STREAMED = ("csv", "tsv", "json")


def export_file(resource_class, stream, queryset=None, file_format="csv"):
    """Write the records of `queryset` (all by default) to a binary stream; returns the row count.

    CSV, TSV and JSON stream; XLSX and ODS are built whole by the library's formats (tablib).
    """
    format_class = format_named(file_format)
    resource = resource_class()
    queryset = resource.get_queryset() if queryset is None else queryset
    if file_format in STREAMED:
        counted = _Counted(rows(resource, queryset, neutralise_formulas=file_format != "json"))
        for chunk in encoded_chunks(resource.get_export_headers(), counted, file_format):
            stream.write(chunk)
        return counted.count
    dataset = resource.export(
        queryset, neutralise_formulas=format_class in SPREADSHEETS, typed=format_class in WORKBOOKS
    )
    data = format_class().export_data(dataset)
    stream.write(data if isinstance(data, bytes) else data.encode())
    return len(dataset)


class _Counted:
    """Iterates rows, counting them."""

    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def export_pledges(stream, queryset=None, file_format="csv"):
    """Write pledges in the import layout."""
    return export_file(PledgeResource, stream, queryset, file_format)


def export_updates(stream, queryset=None, file_format="csv"):
    """Write progress updates in the import layout."""
    return export_file(ProgressUpdateResource, stream, queryset, file_format)
