"""What an import checks of the whole file before its first row: the columns (`before_import`),
then one read of the stored records the rows name, as the cell text an export writes (a row
changes what it differs in): `read_stored`, which the instance loader calls with the dataset."""

from django.db.models.fields import NOT_PROVIDED

from pledges.files.errors import Errors, RowError, reject
from pledges.services import bulk


class FileChecks:
    """RecordResource's `before_import` (the library calls it once, before the rows)."""

    def before_import(self, dataset, **kwargs):
        """Whole-file checks (the columns), then read once what the rows refer to."""
        self.user = kwargs.get("user") or None
        if getattr(self.user, "pk", None) is None:
            self.user = None  # AnonymousUser, or a name: the history names no one
        self.reason = kwargs.get("reason") or (
            f"Imported from {kwargs['file_name']}" if kwargs.get("file_name") else "File import"
        )
        self.expected_fingerprint = kwargs.get("expected_fingerprint")
        self.describe_new = self.dry_run or self.expected_fingerprint is not None
        self.check_header(dataset)
        self.rows_total = len(dataset)
        present = self.present = self.present_columns(dataset.headers)
        # How each column in the file is read, set and compared, chosen once for all its rows. The
        # widget is called directly: the library's Field.clean adds only a default (which is
        # kept here) and a fifth of an import's time.
        self.readers = [
            (
                column.column_name,
                column.widget.clean,
                None if column.default is NOT_PROVIDED else column.default,
                column.setter(),
            )
            for column in present
        ]
        self.comparers = [
            (column.column_name, column.widget.renderer()) for column in present if not column.export_only
        ]
        for column in present:
            if hasattr(column.widget, "preload"):
                column.widget.preload(dataset[column.column_name] if len(dataset) else [], self.records)
        self.seen_keys = {}

    def read_stored(self, dataset):
        """The stored records the rows name by their keys, read once (and, as the cell text an
        export writes, what each row is compared with). Called by the instance loader, which the
        library makes with the dataset once `before_import` has checked it."""
        present = self.present
        if present is None:  # before_import failed: the library reports why; no row is compared
            return {}
        # The key columns alone (a column of the dataset each), not a dict of every row.
        key_names = [
            self.fields[name].column_name
            for name in self.get_import_id_fields()
            if self.fields[name].column_name in dataset.headers
        ]
        key_cells = zip(*(dataset[name] for name in key_names)) if len(dataset) else ()
        keys = {self.row_key(dict(zip(key_names, cells))) for cells in key_cells} - {None}
        self.stored_instances = self.stored_records(keys)
        pks = [instance.pk for instance in self.stored_instances.values()]
        # What is stored, as the cell text an export writes: a row changes what it differs in.
        self.stored_cells = (
            {
                self.record_key(record): self.render_row(record, present)
                for record in self.stored_rows(
                    bulk.filter_in(self._meta.model.objects, self._meta.model._meta.pk.name, pks)
                )
            }
            if pks
            else {}
        )
        return self.stored_instances

    def check_header(self, dataset):
        errors = Errors()
        expected = "unknown column; expected: " + ", ".join(column.column_name for column in self.columns)
        seen = set()
        known = {column.column_name for column in self.columns}
        for name in dataset.headers:
            if name not in known:
                # The expected columns are listed once, with the first unknown one.
                errors.append(RowError(1, name or "(empty)", expected if len(errors) == 0 else "unknown column"))
            elif name in seen:
                errors.append(RowError(1, name, "the column appears twice"))
            seen.add(name)
        for column in self.columns:
            if column.required and column.column_name not in seen:
                errors.append(RowError(1, column.column_name, "this required column is missing"))
        reject(errors)
