"""Writes, all or nothing: the gate every import passes before its first write (no error in any
row, the preview's fingerprint unchanged), then the layout's own write path in file order."""

from pledges.files.errors import ImportRejected, RowError, reject
from pledges.files.reports import ImportReport


class WriteGate:
    """RecordResource's bulk hooks (the library calls them once every row has been read)."""

    def report(self):
        return ImportReport(self.kind, self.plan, self.warnings, self.dry_run)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """The gate before any write, then the new records."""
        self.create_instances.clear()  # the rows to write are self.pending, in file order
        if result is not None and result.has_errors():
            return  # a fault of the server, not the file: the library reports it and rolls back
        if result is not None:
            reject(result.row_errors_found)  # every row's errors, as the library collected them
        if self.expected_fingerprint is not None and self.expected_fingerprint != self.report().fingerprint:
            raise ImportRejected(
                [RowError(None, None, f"the {self.kind} changed since the preview; review the file again")]
            )
        if dry_run:
            return
        self.write_new([instance for instance, row in self.pending if row.new], self.now)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self.update_instances.clear()
        if dry_run or (result is not None and result.has_errors()):
            return
        changed = [(instance, row) for instance, row in self.pending if not row.new]
        attributes = {
            self.column(name).attribute
            for _instance, row in changed
            for name, _old, _new in row.change.changes
            if not (self.column(name).side or self.column(name).export_only)
        }
        self.write_changed([instance for instance, _row in changed], attributes, self.now)

    def after_import(self, dataset, result, **kwargs):
        if not self.dry_run and not result.has_errors():
            self.write_related(
                [(instance, row) for instance, row in self.pending if row.new],
                [(instance, row) for instance, row in self.pending if not row.new],
                self.now,
            )
        result.report = self.report()
        if self.progress is not None:
            self.progress(self.rows_total, self.rows_total)
