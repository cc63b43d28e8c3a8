"""The file formats editors import and export: django-import-export formats, CSV our way.

CSV is read by our own reader rather than tablib's because editors' spreadsheets write it three
ways (comma, semicolon in many European locales, tab) with or without a byte-order mark, and
because an error must name the file's own line: tablib drops blank lines (which shifts every
row number after them) and gives no line for a byte that is not UTF-8. Blank lines stay in the
dataset as empty rows, which the resources skip.
"""

import csv
import io
import json
import zipfile
from datetime import date, datetime

import tablib
from django.conf import settings
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
            _check_row_count(number)
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
    """A list of objects, one per row, keyed by column name (`json_rows`)."""

    def create_dataset(self, in_stream, **kwargs):
        return spreadsheet_dataset(json_rows(decode(in_stream)))


def _json_refused(number, message):
    return ImportRejected([RowError(number, None, message)])


def json_rows(text):
    """The rows of a JSON list of objects: the first object's names, then each object's values.

    Read one object at a time (tablib's reader loads the whole list, then took 36 s over 20,000
    empty objects and failed with a TypeError), so a list of a million objects is refused at the
    row cap, not after it is built. Every object must name only the first one's columns, and a
    value must be text, a number, true/false or null.
    """
    decoder = json.JSONDecoder()

    def skip(position):
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        return position

    position = skip(0)
    if text[position : position + 1] != "[":
        raise _json_refused(None, "the JSON must be a list of objects, one per row")
    position, header = skip(position + 1), None
    number = 1  # the header is row 1, as in a spreadsheet: the first object is row 2
    while text[position : position + 1] != "]":
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise _json_refused(None, f"the JSON cannot be read: {exc}") from None
        number += 1
        if not isinstance(item, dict):
            raise _json_refused(number, "is not an object of column names and values")
        if header is None:
            header = list(item)
            if not header:
                raise _json_refused(number, "the first object names no columns; name them as its keys")
            yield header
        unknown = next((name for name in item if name not in header), None)
        if unknown is not None:
            raise _json_refused(number, f"names the column {unknown!r}, which the first object does not")
        nested = next((name for name in header if isinstance(item.get(name), (dict, list))), None)
        if nested is not None:
            raise _json_refused(number, f"the value of {nested!r} is a list or object; give text or a number")
        yield [item.get(name) for name in header]
        position = skip(position)
        if text[position : position + 1] == ",":
            position = skip(position + 1)
        elif text[position : position + 1] != "]":
            raise _json_refused(None, f"the JSON cannot be read: expected ',' or ']' at character {position + 1}")
    if header is None:
        raise _json_refused(None, "the file is empty; give a list of objects, one per row")


# Far wider than any layout (the pledges layout has under a hundred columns with its numbered sides).
MAX_COLUMNS = 1024


def _check_row_count(number):
    """Refuse a file once its row `number` (the header is row 1) is past the most a file may have."""
    if number > settings.PLEDGES_IMPORT_MAX_ROWS + 1:
        raise ImportRejected(
            [
                RowError(
                    number,
                    None,
                    f"the file has more than {settings.PLEDGES_IMPORT_MAX_ROWS:,} rows (empty rows up to its last "
                    "filled cell count too); split it into smaller files",
                )
            ]
        )


def _unreadable(title, exc):
    # Some readers raise with no message at all ("the file cannot be read as XLSX: " said nothing).
    reason = str(exc) or type(exc).__name__
    return ImportRejected([RowError(None, None, f"the file cannot be read as {title}: {reason}")])


def _check_unpacked_size(archive, title):
    """Refuse a zip (XLSX, ODS) whose parts unpack to more than the setting allows.

    The sizes are the zip's own word, and Python's zipfile never unpacks a part past its stated
    size (a part that claims less than it holds fails its checksum instead), so this bounds what
    the reader can be made to parse before a byte of it is parsed.
    """
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > settings.PLEDGES_IMPORT_MAX_UNPACKED_BYTES:
        limit = settings.PLEDGES_IMPORT_MAX_UNPACKED_BYTES / 1024 / 1024
        raise ImportRejected(
            [
                RowError(
                    None,
                    None,
                    f"the {title} unpacks to {unpacked / 1024 / 1024:,.0f} MB of XML, more than the {limit:,.0f} MB "
                    "a file may hold; split it into smaller files",
                )
            ]
        )


def spreadsheet_dataset(rows):
    """A dataset of a sheet's rows (sequences of cell values), bounded by the cells actually there.

    The first row names the columns; the table is as wide as its last named column, and a value
    to the right of it is an error (as in CSV), so no row is wider than the header however wide
    the sheet says it is. Rows are counted as they are read and refused past
    PLEDGES_IMPORT_MAX_ROWS, so a sheet declaring a million rows costs no more than that.
    """
    rows = iter(rows)
    header = ["" if value is None else str(value).strip() for value in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise ImportRejected([RowError(1, None, "the file is empty; the first row must name the columns")])
    width = len(header)
    if width > MAX_COLUMNS:
        raise ImportRejected(
            [RowError(1, None, f"the header names {width:,} columns; a file may have at most {MAX_COLUMNS:,}")]
        )
    dataset = FileDataset(headers=header)
    for number, cells in enumerate(rows, start=2):
        _check_row_count(number)
        cells = tuple(cells)
        if len(cells) > width:
            extra = next((index for index, value in enumerate(cells[width:], width) if value not in (None, "")), None)
            if extra is not None:
                raise ImportRejected(
                    [RowError(number, None, f"has a value in column {extra + 1} but the header names {width} columns")]
                )
            cells = cells[:width]
        dataset.append(cells + (None,) * (width - len(cells)))
    return dataset


def _styled(openpyxl, sheet, value, *, font=None):
    cell = openpyxl.cell.WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


class XLSX(base_formats.XLSX):
    """A workbook's first sheet, read as a stream bounded by the cells in it.

    The library's reader pads every row to the sheet's declared dimension (`A1:XFD1048576` in a
    2 KB file is 17 billion cells, gigabytes before the first row is checked), so the sheet's
    declared size is ignored here and the rows are read by `spreadsheet_dataset`.
    """

    def export_data(self, dataset, **kwargs):
        """A sheet named after the layout, its header row frozen and bold, each column as wide as
        its header or its longest cell in the first rows (at most 60 characters), dates written as
        YYYY-MM-DD. (tablib's writer sizes a column to its longest cell, a 2,000-character quote.)"""
        import openpyxl
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet(dataset.title or "data")
        sheet.freeze_panes = "A2"
        sample = dataset[:500]
        for index, name in enumerate(dataset.headers, start=1):
            longest = max([len(name), *(len(str(row[index - 1])) for row in sample if row[index - 1] is not None)])
            sheet.column_dimensions[get_column_letter(index)].width = min(longest, 60) + 2
        bold = Font(bold=True)
        sheet.append([_styled(openpyxl, sheet, name, font=bold) for name in dataset.headers])
        for row in dataset:
            sheet.append([_styled(openpyxl, sheet, value) if isinstance(value, date) else value for value in row])
        stream = io.BytesIO()
        book.save(stream)
        return stream.getvalue()

    def create_dataset(self, in_stream, **kwargs):
        import openpyxl

        stream = io.BytesIO(in_stream)
        try:
            with zipfile.ZipFile(stream) as archive:
                _check_unpacked_size(archive, "XLSX")
            book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except ImportRejected:
            raise
        except Exception as exc:  # openpyxl and zipfile raise many kinds for a file that is not theirs
            raise _unreadable("XLSX", exc) from None
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # the file's word for its size, not its cells: ignored
            return spreadsheet_dataset(sheet.iter_rows(values_only=True))
        except ImportRejected:
            raise
        except Exception as exc:  # a part that is not the XML it claims to be, found while reading
            raise _unreadable("XLSX", exc) from None
        finally:
            book.close()


ODS_NAMESPACES = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def _ods_name(prefix, name):
    return f"{{{ODS_NAMESPACES[prefix]}}}{name}"


TABLE, ROW, CELL, COVERED_CELL = (
    _ods_name("table", name) for name in ("table", "table-row", "table-cell", "covered-table-cell")
)
PARAGRAPH = _ods_name("text", "p")
ROWS_REPEATED, COLUMNS_REPEATED = (
    _ods_name("table", name) for name in ("number-rows-repeated", "number-columns-repeated")
)
VALUE_TYPE, VALUE, DATE_VALUE, BOOLEAN_VALUE = (
    _ods_name("office", name) for name in ("value-type", "value", "date-value", "boolean-value")
)


def _ods_cell_value(cell):
    """A cell's value as tablib's ODS reader gives it: numbers as float, dates as date or datetime."""
    kind = cell.get(VALUE_TYPE)
    if kind in ("float", "percentage", "currency") and cell.get(VALUE) is not None:
        return float(cell.get(VALUE))
    if kind == "date" and cell.get(DATE_VALUE):
        value = cell.get(DATE_VALUE)
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if kind == "boolean":
        return cell.get(BOOLEAN_VALUE) == "true"
    return "\n".join("".join(paragraph.itertext()) for paragraph in cell.iter(PARAGRAPH))


def _repeat(element, attribute):
    try:
        return max(1, int(element.get(attribute, "1")))
    except ValueError:
        return 1


def ods_rows(content):
    """The rows of the first sheet of an ODS's content.xml, read as a stream.

    tablib's reader loads the whole document with odfpy (300,000 rows in a 121 KB file took a
    gigabyte) and reads every sheet into one table. Here the XML is parsed as it is read
    (defusedxml: no entity expansion), each row is dropped once yielded, and the repeats a
    spreadsheet writes for its empty tail (`number-columns-repeated="16384"`, `number-rows-repeated=
    "1048576"`) are counted, never laid out, unless a value follows them.
    """
    from defusedxml.ElementTree import iterparse

    depth = 0  # of tables: a table inside a cell is part of that cell
    empty_rows = 0
    for event, element in iterparse(content, events=("start", "end")):
        if element.tag == TABLE:
            depth += 1 if event == "start" else -1
            if event == "end" and depth == 0:
                return  # the first sheet only
            continue
        if event != "end" or depth != 1 or element.tag != ROW:
            continue
        cells, empty_cells = [], 0
        for cell in element:
            if cell.tag not in (CELL, COVERED_CELL):
                continue
            value, repeat = _ods_cell_value(cell), _repeat(cell, COLUMNS_REPEATED)
            if value in ("", None):
                empty_cells += repeat
                continue
            if len(cells) + empty_cells + repeat > MAX_COLUMNS:
                raise ImportRejected(
                    [RowError(None, None, f"a row has a value past column {MAX_COLUMNS:,}, the most a file may have")]
                )
            cells += [""] * empty_cells + [value] * repeat
            empty_cells = 0
        repeat = _repeat(element, ROWS_REPEATED)
        element.clear()
        if not cells:
            empty_rows += repeat
            continue
        for _ in range(empty_rows):
            yield ()
        for _ in range(repeat):
            yield tuple(cells)
        empty_rows = 0


class ODS(base_formats.TablibFormat):
    """An OpenDocument spreadsheet's first sheet, read as a stream (`ods_rows`)."""

    TABLIB_MODULE = "tablib.formats._ods"
    CONTENT_TYPE = "application/vnd.oasis.opendocument.spreadsheet"

    def get_read_mode(self):
        return "rb"

    def is_binary(self):
        return True

    def create_dataset(self, in_stream, **kwargs):
        try:
            with zipfile.ZipFile(io.BytesIO(in_stream)) as archive:
                _check_unpacked_size(archive, "ODS")
                with archive.open("content.xml") as content:
                    return spreadsheet_dataset(ods_rows(content))
        except ImportRejected:
            raise
        except Exception as exc:  # not a zip, no content.xml, XML that is not well formed ...
            raise _unreadable("ODS", exc) from None


# What starts a row in each format's bytes (for a zip, in its XML parts): counted, not parsed.
ROW_MARKS = {"xlsx": b"<row", "ods": b"<table:table-row", "json": b"{"}


def rows_over(data, file_format, limit):
    """Whether a file has more than `limit` rows, counted from its bytes without reading it.

    Lines end in LF, CRLF or a lone CR (old Mac spreadsheets); a workbook's rows are counted in
    its XML parts as they unpack, stopping once over the limit. A count may be high (a brace in
    a JSON text), never low, so a file is at worst sent to a worker that did not need to be.
    """
    if file_format in ("csv", "tsv"):
        return max(data.count(b"\n"), data.count(b"\r")) > limit
    mark = ROW_MARKS.get(file_format)
    if mark is None:
        return False
    if file_format == "json":
        return data.count(mark) > limit
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > settings.PLEDGES_IMPORT_MAX_UNPACKED_BYTES:
                return False  # refused unread, in the request, by its size (`_check_unpacked_size`)
            count = 0
            for name in archive.namelist():
                if not name.endswith(".xml"):
                    continue
                with archive.open(name) as part:
                    tail = b""
                    while chunk := part.read(1024 * 1024):
                        # A mark split across two chunks is counted once: in the tail it ends.
                        count += (tail + chunk).count(mark) - tail.count(mark)
                        tail = chunk[-len(mark) + 1 :]
                        if count > limit:
                            return True
    except Exception:  # not a zip, a corrupt, encrypted or oddly packed part: its reading refuses it, in the request
        return False
    return False


FORMATS = (CSV, XLSX, JSON, TSV, ODS)
BY_NAME = {format_class.__name__.lower(): format_class for format_class in FORMATS}
SPREADSHEETS = (CSV, TSV, XLSX, ODS)  # formats whose cells a spreadsheet may run as formulas
WORKBOOKS = (XLSX, ODS)  # formats that keep a cell's type: numbers and dates are written as such


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
