"""The file formats editors import and export: django-import-export formats, CSV our way.

CSV is read by our own reader rather than tablib's because editors' spreadsheets write it three
ways (comma, semicolon in many European locales, tab) with or without a byte-order mark, and
because an error must name the file's own line: tablib drops blank lines (which shifts every
row number after them) and gives no line for a byte that is not UTF-8. Blank lines stay in the
dataset as empty rows, which the resources skip.
"""

import csv
import io

import tablib
from import_export.formats import base_formats

from pledges.files.errors import ImportRejected, RowError

DELIMITERS = (",", ";", "\t")


class FileDataset(tablib.Dataset):
    """A dataset that is a file as long as it has a header row.

    The library's admin refuses a dataset with no rows before the resource sees it ("No valid
    data to import"); a file with only a header is still a file whose columns can be wrong,
    and the editor should be told which.
    """

    def __bool__(self):
        return bool(self.headers)


def file_dataset(dataset):
    return dataset if isinstance(dataset, FileDataset) else FileDataset(*dataset, headers=dataset.headers)


def decode(data):
    """The file's text: UTF-8, with or without a byte-order mark."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRejected(
            [RowError(line, None, f"byte 0x{data[exc.start]:02X} is not UTF-8 text; save the file as “CSV UTF-8”")]
        ) from None


def sniff_delimiter(text):
    """The delimiter used in the header line: whichever of comma, semicolon or tab it has most of."""
    header_line = text.split("\n", 1)[0]
    return max(DELIMITERS, key=header_line.count)


def read_csv(data, delimiter=None):
    """A tablib Dataset of CSV bytes or text, one dataset row per line after the header."""
    text = decode(data)
    if not text.strip():
        raise ImportRejected([RowError(1, None, "the file is empty; the first row must name the columns")])
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportRejected([RowError(line, None, "the file contains a NUL byte; is it really CSV?")])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or sniff_delimiter(text))
    try:
        header = [cell.strip() for cell in next(reader)]
        dataset = FileDataset(headers=header)
        width = len(header)
        for number, cells in enumerate(reader, start=2):
            if len(cells) > width and any(cell.strip() for cell in cells[width:]):
                raise ImportRejected(
                    [RowError(number, None, f"has {len(cells)} cells but the header names {width} columns")]
                )
            dataset.append((cells + [""] * (width - len(cells)))[:width])
    except csv.Error as exc:
        raise ImportRejected([RowError(reader.line_num, None, f"the CSV cannot be read: {exc}")]) from None
    return dataset


class CSV(base_formats.CSV):
    """CSV, comma, semicolon or tab separated, UTF-8 with or without BOM; written comma separated."""

    def create_dataset(self, in_stream, **kwargs):
        return read_csv(in_stream)

    def export_data(self, dataset, **kwargs):
        return dataset.export("csv", lineterminator="\r\n", **kwargs)


class TSV(base_formats.TSV):
    def create_dataset(self, in_stream, **kwargs):
        return read_csv(in_stream, delimiter="\t")


class JSON(base_formats.JSON):
    """A list of objects, one per row, keyed by column name."""

    def create_dataset(self, in_stream, **kwargs):
        try:
            return file_dataset(super().create_dataset(decode(in_stream), **kwargs))
        except ImportRejected:
            raise
        except Exception as exc:  # tablib raises whatever json or its own checks raise
            raise ImportRejected([RowError(None, None, f"the JSON cannot be read: {exc}")]) from None


class _Spreadsheet:
    """A binary workbook: the first sheet, its first row naming the columns."""

    def create_dataset(self, in_stream, **kwargs):
        try:
            dataset = super().create_dataset(in_stream)
        except Exception as exc:  # openpyxl and odfpy raise many kinds for a file that is not theirs
            raise ImportRejected(
                [RowError(None, None, f"the file cannot be read as {self.get_title().upper()}: {exc}")]
            ) from None
        if not dataset.headers:
            raise ImportRejected([RowError(1, None, "the file is empty; the first row must name the columns")])
        dataset.headers = ["" if name is None else str(name).strip() for name in dataset.headers]
        return file_dataset(dataset)


class XLSX(_Spreadsheet, base_formats.XLSX):
    pass


class ODS(_Spreadsheet, base_formats.TablibFormat):
    TABLIB_MODULE = "tablib.formats._ods"
    CONTENT_TYPE = "application/vnd.oasis.opendocument.spreadsheet"

    def get_read_mode(self):
        return "rb"

    def is_binary(self):
        return True


FORMATS = (CSV, XLSX, JSON, TSV, ODS)
BY_NAME = {format_class.__name__.lower(): format_class for format_class in FORMATS}
SPREADSHEETS = (CSV, TSV, XLSX, ODS)  # formats whose cells a spreadsheet may run as formulas


def format_named(name):
    """The format class for a name (csv, xlsx, json, tsv, ods), or ValueError."""
    try:
        return BY_NAME[name.lower()]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; choose one of {', '.join(BY_NAME)}") from None


def format_of_file(file_name, default="csv"):
    """The format a file's name says (its extension), else `default`."""
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    return BY_NAME.get(extension) or BY_NAME[default]
