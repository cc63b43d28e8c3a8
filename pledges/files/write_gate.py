"""Writes, all or nothing: the gate every import passes before its first write (no error in any
row, the preview's fingerprint unchanged), then the layout's own write path in file order."""

from pledges.files.errors import ImportRejected, RowError, reject
from pledges.files.reports import ImportReport


class WriteGate:
    """RecordResource's `save_instance` and `after_import`: the library holds each row's record
    until every row has been read (`use_bulk`), and this writes them once all have passed."""

    def report(self):
        return ImportReport(self.kind, self.plan, self.warnings, self.dry_run)

    def save_instance(self, instance, is_create, row, **kwargs):
        # Held, in file order, with the row it came from; written by after_import.
        self.pending.append((instance, self.row))

    def after_import(self, dataset, result, **kwargs):
        """The gate before any write, then the new records, the changed ones and their side columns."""
        if result.has_errors():
            return  # a fault of the server, not the file: the library reports it and rolls back
        reject(result.row_errors_found)  # every row's errors, as the library collected them
        if self.expected_fingerprint is not None and self.expected_fingerprint != self.report().fingerprint:
            raise ImportRejected(
                [RowError(None, None, f"the {self.kind} changed since the preview; review the file again")]
            )
        created = [(instance, row) for instance, row in self.pending if row.new]
        changed = [(instance, row) for instance, row in self.pending if not row.new]
        if not self.dry_run:
            self.write_new([instance for instance, _row in created], self.now)
            attributes = {
                self.column(name).attribute
                for _instance, row in changed
                for name, _old, _new in row.change.changes
                if not (self.column(name).side or self.column(name).export_only)
            }
            self.write_changed([instance for instance, _row in changed], attributes, self.now)
            self.write_related(created, changed, self.now)
        result.report = self.report()
        if self.progress is not None:
            self.progress(self.rows_total, self.rows_total)
