"""Reading uploaded CSV files into rows, with errors that name the row and the column."""

import csv
import io
from dataclasses import dataclass

# Excel writes comma, semicolon (many European locales) or tab separated files.
DELIMITERS = (",", ";", "\t")


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

    Used like a list (append, len, truth); a file with half a million bad cells costs a counter,
    not half a million messages.
    """

    def __init__(self):
        self.kept = []
        self.total = 0

    def append(self, error):
        self.total += 1
        if len(self.kept) < MAX_ERRORS:
            self.kept.append(error)

    @property
    def full(self):
        return self.total >= MAX_ERRORS

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
        return f"… and {hidden:,} more errors ({self.total:,} in all; the first {len(self.errors)} are listed)" if hidden else ""


def reject(errors):
    """Raise ImportRejected for an Errors collection (or list) if it holds any error."""
    if errors:
        raise ImportRejected(list(errors), total=len(errors))


@dataclass(frozen=True)
class Table:
    header: list
    rows: object  # an iterator of (row number, list of cells): read as it is consumed


def decode(data):
    """The file's text: UTF-8, with or without a byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRejected(
            [
                RowError(
                    line,
                    None,
                    f"byte 0x{data[exc.start]:02X} is not UTF-8 text; save the file as “CSV UTF-8”",
                )
            ]
        ) from None


def sniff_delimiter(text):
    """The delimiter used in the header line: whichever of comma, semicolon or tab it has most of."""
    header_line = text.split("\n", 1)[0]
    return max(DELIMITERS, key=header_line.count)


def read_table(data):
    """Parse CSV bytes into a header and numbered rows; blank lines are skipped."""
    if isinstance(data, str):
        text = data.lstrip("\ufeff")
    else:
        text = decode(data)
    if not text.strip():
        raise ImportRejected([RowError(1, None, "the file is empty; the first row must name the columns")])
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportRejected([RowError(line, None, "the file contains a NUL byte; is it really CSV?")])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        header = [cell.strip() for cell in next(reader)]
    except csv.Error as exc:
        raise ImportRejected([RowError(reader.line_num, None, f"the CSV cannot be read: {exc}")]) from None

    def rows():
        # One row at a time: a large file is never held as lists of cells all at once.
        try:
            for number, cells in enumerate(reader, start=2):
                if any(cell.strip() for cell in cells):
                    yield number, cells
        except csv.Error as exc:
            raise ImportRejected([RowError(reader.line_num, None, f"the CSV cannot be read: {exc}")]) from None

    return Table(header=header, rows=rows())
