"""How a layout writes its records out: in chunks of CHUNK_SIZE, each cell rendered as its
column reads it back, formulas neutralised for spreadsheets."""

from itertools import islice

import tablib

CHUNK_SIZE = 2000  # rows read per query when exporting or comparing with what is stored


def _paired(row, pairs):
    """`row` with the two values at each of `pairs` (positions in the paired row) as one tuple."""
    row = list(row)
    for index in pairs:
        row[index : index + 2] = [(row[index], row[index + 1])]
    return row


class ExportRows:
    """RecordResource's columns and export (the library's export hooks call it)."""

    @property
    def columns(self):
        return list(self.fields.values())

    def column(self, name):
        return next(column for column in self.columns if column.column_name == name)

    def get_user_visible_fields(self):
        # The columns a file may give: the import page lists these (an export-only one is not read).
        return [column for column in self.get_import_fields() if not column.export_only]

    def present_columns(self, headers):
        return [column for column in self.columns if column.column_name in headers]

    # Export: rows as dicts by column, a chunk at a time ------------------------------------

    def _stored_columns(self):
        return [column for column in self.columns if column.path]

    def _chunks(self, queryset):
        """(rows, side columns) a chunk at a time: rows are (pk, *values of _stored_columns()).

        One query streams the records' own columns (related names included) through a
        server-side cursor on PostgreSQL, and one query per CHUNK_SIZE records reads their side
        columns, so an export of a million rows stays at a few hundred queries and flat memory.
        (Paging with "pk > last LIMIT n" made PostgreSQL join and sort the rest of the table for
        every page: 0.053 of COPY's speed at 100,000 rows against 0.102 at 10,000.)
        """
        columns = self._stored_columns()
        paths = [
            path for column in columns for path in (column.path if isinstance(column.path, tuple) else [column.path])
        ]
        # A column read from two fields (a date and its precision) gets them as one (date, precision).
        pairs = [index for index, column in enumerate(columns, start=1) if isinstance(column.path, tuple)]
        stream = (
            queryset.prefetch_related(None).order_by("pk").values_list("pk", *paths).iterator(chunk_size=CHUNK_SIZE)
        )
        while chunk := list(islice(stream, CHUNK_SIZE)):
            if pairs:
                chunk = [_paired(row, pairs) for row in chunk]
            yield chunk, self.related_cells([row[0] for row in chunk])

    def stored_rows(self, queryset):
        """Every record of `queryset` as a dict by column name, in primary-key order (what a
        file is compared with)."""
        names = [column.column_name for column in self._stored_columns()]
        for chunk, related in self._chunks(queryset):
            related = related.items()
            for pk, *values in chunk:
                record = dict(zip(names, values))
                for column, by_pk in related:
                    record[column] = by_pk.get(pk)
                yield record

    def export_rows(self, queryset, selected_fields=None, *, neutralise_formulas=False, typed=False):
        """Each record's cells in export order, without a dict per record (a third of a large
        export's time); `typed`, for a workbook, with numbers and dates as such."""
        position = {column.column_name: index for index, column in enumerate(self._stored_columns(), start=1)}
        plan = [
            (
                position.get(column.column_name),
                column.column_name,
                column.widget.typed_renderer() if typed else column.widget.renderer(bool(neutralise_formulas)),
            )
            for column in self.get_export_fields(selected_fields)
        ]
        for chunk, related in self._chunks(queryset):
            for row in chunk:
                yield [
                    render(row[index]) if index is not None else render(related[name].get(row[0]))
                    for index, name, render in plan
                ]

    def export(self, queryset=None, **kwargs):
        """The library's export (its admin action and `export` command, our workbooks), as a
        dataset of `export_rows`. The library's way reads each record's relations one query at a
        time and finds each cell's field and dehydrate method per cell: 0.040× COPY's speed, see
        bench/RESULTS.md. Formulas are neutralised unless the caller says the format keeps text as
        text (JSON): the library's own `export` command names no format at all. `typed` (a
        workbook) keeps numbers and dates as such; the sheet is named after the layout."""
        selected = kwargs.get("export_fields")
        dataset = tablib.Dataset(headers=self.get_export_headers(selected_fields=selected), title=self.kind)
        queryset = self.get_queryset() if queryset is None else queryset
        dataset.extend(
            self.export_rows(
                queryset,
                selected,
                neutralise_formulas=kwargs.get("neutralise_formulas", True),
                typed=kwargs.get("typed", False),
            )
        )
        return dataset

    def render_row(self, record, columns):
        return {column.column_name: column.widget.renderer()(column.get_value(record)) for column in columns}

    # Import: the whole file first ------------------------------------------------------------
