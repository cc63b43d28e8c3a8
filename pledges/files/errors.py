"""What is wrong with a file: errors that name the row and the column, at most MAX_ERRORS kept."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row (1 is the header row) and, where it applies, one column."""

    row: int | None
    column: str | None
    message: str

    def __str__(self):
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return (", ".join(where) + ": " if where else "") + self.message


# At most this many errors are listed: a wholly wrong file should not produce a novel (or a
# 200 MB error page). The total is still counted and said.
MAX_ERRORS = 200


class Errors:
    """The errors found in a file: the first MAX_ERRORS kept, every one counted.

    A file with half a million bad cells costs a counter, not half a million messages.
    """

    def __init__(self):
        self.kept = []
        self.total = 0

    def append(self, error):
        self.total += 1
        if len(self.kept) < MAX_ERRORS:
            self.kept.append(error)

    def __len__(self):
        return self.total

    def __iter__(self):
        return iter(self.kept)


class ImportRejected(Exception):
    """The file was rejected whole; nothing was written.

    `errors` lists the first MAX_ERRORS RowErrors found, in file order; `total` counts them all.
    """

    def __init__(self, errors, total=None):
        self.errors = sorted(errors, key=lambda e: (e.row or 0, e.column or ""))[:MAX_ERRORS]
        self.total = max(total or 0, len(self.errors))
        lines = [str(error) for error in self.errors]
        if self.total > len(self.errors):
            lines.append(self.more)
        super().__init__("\n".join(lines))

    @property
    def more(self):
        """What the list leaves out, in words ("" when it lists everything)."""
        hidden = self.total - len(self.errors)
        if not hidden:
            return ""
        return f"… and {hidden:,} more errors ({self.total:,} in all; the first {len(self.errors)} are listed)"

    def __repr__(self):
        # The library's `import` command prints errors with repr(): make that the readable list.
        return str(self)


def reject(errors):
    """Raise ImportRejected for an Errors collection (or list) if it holds any error."""
    if errors:
        raise ImportRejected(list(errors), total=len(errors))
