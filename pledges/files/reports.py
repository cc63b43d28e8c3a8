"""What an import found: each row's plan (new, changed field by field, unchanged), its
fingerprint, and the library's result carrying it."""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS
from import_export.results import Result

from pledges.files.errors import Errors, RowError


@dataclass
class RowChange:
    """What importing one row does: creates a record, changes some columns, or nothing."""

    row: int
    key: str
    action: str  # "new", "update" or "unchanged"
    changes: list = field(default_factory=list)  # (column, old text, new text)


@dataclass
class ImportReport:
    """The outcome (or, for a dry run, the plan) of importing one file."""

    kind: str
    rows: list
    warnings: list
    dry_run: bool

    def count(self, action):
        return sum(1 for row in self.rows if row.action == action)

    @property
    def summary(self):
        verb = "would be" if self.dry_run else "were"
        if not self.rows:
            return f"{self.kind}: the file has no rows"
        return (
            f"{self.kind}: {self.count('new')} new, {self.count('update')} updated, "
            f"{self.count('unchanged')} unchanged {verb} imported"
        )

    @property
    def count_unchanged(self):
        return self.count("unchanged")

    @property
    def changed_rows(self):
        """The rows that create or change a record (an unchanged row is only counted)."""
        return [row for row in self.rows if row.action != "unchanged"]

    def lines(self):
        """The plan, a line per new or changed row with every value or change in full, for a terminal."""
        for row in self.changed_rows:
            if row.action == "new":
                values = "; ".join(f"{column}: {new!r}" for column, _old, new in row.changes)
                yield f"Row {row.row} ({row.key}): new: {values}"
            else:
                changes = "; ".join(f"{column}: {old!r} → {new!r}" for column, old, new in row.changes)
                yield f"Row {row.row} ({row.key}): changes {changes}"
        unchanged = self.count_unchanged
        if unchanged:
            yield f"{unchanged} row{'s' if unchanged != 1 else ''} unchanged"

    @property
    def fingerprint(self):
        """A digest of the planned changes: a confirm must apply exactly what was previewed."""
        digest = hashlib.sha256()
        for row in self.rows:
            digest.update(repr((row.row, row.key, row.action, row.changes)).encode())
        return digest.hexdigest()


class ImportResult(Result):
    """The library's result, with our report (the plan) or the rejection (every error).

    A row's validation errors are kept where the library puts them (`append_invalid_row`), each
    as "row N, column C: message", the first MAX_ERRORS of them, all counted: the library would
    keep every bad row with its values, and a file of half a million bad cells would cost them all.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = None
        self.rejection = None
        self.row_errors_found = Errors()

    def append_invalid_row(self, number, row, validation_error):
        line = number + 1  # the header is the file's row 1
        for column, messages in validation_error.message_dict.items():
            for message in messages:
                self.row_errors_found.append(RowError(line, None if column == NON_FIELD_ERRORS else column, message))

    def has_validation_errors(self):
        return bool(self.row_errors_found)

    def append_row_result(self, row_result):
        row_result.validation_error = None  # kept above as row errors; not once more per row
        super().append_row_result(row_result)
