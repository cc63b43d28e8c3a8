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


class ImportRejected(Exception):
    """The file was rejected whole; nothing was written. `errors` lists every RowError found."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass(frozen=True)
class Table:
    header: list
    rows: list  # (row number, list of cells)


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
    rows = []
    try:
        header = [cell.strip() for cell in next(reader)]
        for number, cells in enumerate(reader, start=2):
            if any(cell.strip() for cell in cells):
                rows.append((number, cells))
    except csv.Error as exc:
        raise ImportRejected([RowError(reader.line_num, None, f"the CSV cannot be read: {exc}")]) from None
    return Table(header=header, rows=rows)
