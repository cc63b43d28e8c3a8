"""How each kind of cell is read and written: django-import-export widgets with our messages.

`clean` turns a cell into a value or raises ValueError saying what is wrong with it (the
resource adds the row and column); `renderer` gives the function that turns a value back into
the cell text `clean` reads as the same value, so an export imports back unchanged (chosen once
per export and called per cell; the library's `render` calls it). Every widget says its `format`
in words: the README's column tables print it.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from import_export import widgets

from pledges.models import (
    PRECISE_DATE_FORMAT,
    PreciseDate,
    date_range_error,
    home_page_error,
    normalised_url,
    period_text,
    unprintable_error,
)

# A cell a spreadsheet would run as a formula starts with one of these.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_TRIGGERS)
LIST_SEPARATOR = "|"
_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_SPACE_RE = re.compile(r"\s")
_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"no", "false", "0", "n", ""}


def neutralise_formula(text):
    """Make a text cell that a spreadsheet would run as a formula show as text instead.

    The leading apostrophe is the spreadsheet convention for "this is text"; `unneutralise`
    takes it off again on import, so an export imports back unchanged. (The library's own
    IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT deletes the "=", which does not round-trip.)
    """
    if text and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def unneutralise(text):
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def _text(value):
    return "" if value is None else str(value)


def _iso(value):
    return value.isoformat() if value else ""


def _precise_iso(value):
    if isinstance(value, tuple):  # (date, precision) as stored; an empty date is (None, "day")
        value = PreciseDate.of(*value)
    if not value:
        return ""
    return value.iso if isinstance(value, PreciseDate) else value.isoformat()


def _plain_number(value):
    if value is None:
        return ""
    text = str(value)
    if "E" in text or "e" in text:
        return format(value.normalize(), "f")
    # "1000.00" is written "1000" and "0.50" "0.5": what normalize() gives, at a third of its cost.
    return text.rstrip("0").rstrip(".") if "." in text else text


def cell_text(value):
    """A cell as text, whatever the file format made of it (a spreadsheet gives numbers, dates)."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class Cell(widgets.Widget):
    """A cell of one kind. Empty cells give `empty`, or "a value is required" when `required`."""

    empty: object = None
    format = "text"

    def __init__(self, *, required=False, max_length=None):
        super().__init__(coerce_to_string=True)
        self.required = required
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            if self.required:
                raise ValueError("a value is required")
            return self.empty
        return self.parse(text)

    def parse(self, text):
        raise NotImplementedError

    def render(self, value, obj=None, **kwargs):
        return self.renderer(bool(kwargs.get("neutralise_formulas")))(value)

    def renderer(self, neutralise_formulas=False):
        """A function from value to cell text."""
        return _text

    def typed_renderer(self):
        """A function from value to a workbook's cell: text, formulas neutralised, but for the
        kinds a spreadsheet keeps typed (numbers, dates), which read back as the same text."""
        return self.renderer(True)


class TextCell(Cell):
    """Free text; a formula-looking cell is written with a leading apostrophe for spreadsheets."""

    empty = ""

    @property
    def format(self):
        return f"text, at most {self.max_length} characters" if self.max_length else "text"

    def parse(self, text):
        text = unneutralise(text)
        unprintable = unprintable_error(text)
        if unprintable:
            raise ValueError(str(unprintable))
        if self.max_length and len(text) > self.max_length:
            raise ValueError(f"is {len(text)} characters long; the most is {self.max_length}")
        return text

    def renderer(self, neutralise_formulas=False):
        # Called once per cell of an export, so the formula check is inlined (a fifth of its time).
        if neutralise_formulas:
            return lambda value: "" if value is None else ("'" + value if value[:1] in _FORMULA_FIRST else value)
        return _text


class StepsCell(TextCell):
    """Named steps in order, separated by vertical bars: "field survey|agreement|opening"."""

    @property
    def empty(self):
        return []  # a new list each time: the cell's value becomes a record's

    format = "step names in order, separated by vertical bars"

    def parse(self, text):
        steps = [super(StepsCell, self).parse(step.strip()) for step in text.split(LIST_SEPARATOR)]
        if not all(steps):
            raise ValueError("a step has no name (two vertical bars together, or one at an end)")
        return steps

    def renderer(self, neutralise_formulas=False):
        text = super().renderer(neutralise_formulas)
        return lambda value: text(LIST_SEPARATOR.join(value) if value else None)


class SlugCell(TextCell):
    format = "letters, digits, hyphens and underscores"

    def parse(self, text):
        if not _SLUG_RE.match(text):
            raise ValueError(f"{text!r} may hold only letters, digits, hyphens and underscores")
        return super().parse(text)


class UrlCell(TextCell):
    format = "an http:// or https:// address"

    def parse(self, text):
        if not text.lower().startswith(("http://", "https://")) or len(text.split("//", 1)[1]) < 3:
            raise ValueError(f"{text!r} is not an http:// or https:// address")
        if _SPACE_RE.search(text):
            raise ValueError(f"{text!r} contains spaces")
        not_a_document = home_page_error(text)
        if not_a_document:
            raise ValueError(str(not_a_document))
        # Stored as browsers and Django's URL field write it: HTTPS://X.ORG/x is https://x.org/x.
        return super().parse(normalised_url(text))


class DateCell(Cell):
    format = "YYYY-MM-DD"

    def typed_renderer(self):
        return lambda value: value

    def parse(self, text):
        try:
            if len(text) != 10:
                raise ValueError
            value = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD") from None
        out_of_range = date_range_error(value)
        if out_of_range:
            raise ValueError(str(out_of_range))
        return value

    def renderer(self, neutralise_formulas=False):
        return _iso


class PreciseDateCell(Cell):
    """A date as precise as its source: 2023-12-05, 2023-12 or 2023, read as a PreciseDate.

    Its column keeps the precision in a second field (`Column(precision=...)`), so a stored value
    comes as (date, precision)."""

    format = PRECISE_DATE_FORMAT

    def parse(self, text):
        return PreciseDate.parse(text)

    def renderer(self, neutralise_formulas=False):
        return _precise_iso

    def typed_renderer(self):
        # A whole date as a date; a month or a year (2023-12, 2023) as the text it is.
        return lambda value: value[0] if isinstance(value, tuple) and value[1] == "day" else _precise_iso(value)


class DecimalCell(Cell):
    format = "a number with a point for decimals, no thousands separators"

    def parse(self, text):
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a number (use a point for decimals, no separators)") from None
        if not value.is_finite():
            raise ValueError(f"{text!r} is not a number")
        if value.as_tuple().exponent < -2:
            raise ValueError(f"{text!r} has more than 2 decimal places")
        if abs(value) >= Decimal(10) ** 18:
            raise ValueError(f"{text!r} is too large")
        return value

    def renderer(self, neutralise_formulas=False):
        return _plain_number

    def typed_renderer(self):
        # A spreadsheet keeps 15 significant digits: a longer amount stays text, whole.
        return lambda value: value if value is None or len(value.as_tuple().digits) <= 15 else _plain_number(value)


class BooleanCell(Cell):
    empty = False
    format = "yes or no"

    def parse(self, text):
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"{text!r} is not yes or no")

    def renderer(self, neutralise_formulas=False):
        return lambda value: "" if value is None else ("yes" if value else "no")


class ChoiceCell(Cell):
    """One of a model field's choices, by value or (in any case) by label."""

    empty = ""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = tuple(choices)
        self.values = frozenset(value for value, _label in self.choices)

    @property
    def format(self):
        # A choice whose value is empty (a qualifier's "exactly") is the empty cell.
        return "one of: " + ", ".join(value for value, _label in self.choices if value)

    def parse(self, text):
        lowered = text.lower()
        if lowered in self.values:
            return lowered
        for value, label in self.choices:
            if lowered == str(label).lower():
                return value
        raise ValueError(f"{text!r} is not {self.format}")


class PeriodCell(Cell):
    """The period a measurement describes: 2022, 2023-05, 2023-05-11, or 2025-01-01/2025-06-30.

    Read as (precision, start, end), start None but for a range; written back the same way.
    """

    empty = None
    format = "a year (2022), a month (2023-05), a day (2023-05-11) or a range (2025-01-01/2025-06-30)"
    _YEAR = re.compile(r"^\d{4}$")
    _MONTH = re.compile(r"^(\d{4})-(\d{2})$")

    def parse(self, text):
        import calendar

        if "/" in text:
            first, _slash, last = text.partition("/")
            start, end = DateCell().parse(first.strip()), DateCell().parse(last.strip())
            if end < start:
                raise ValueError(f"{text!r} ends before it starts")
            return ("range", start, end)
        if self._YEAR.match(text):
            return ("year", None, self._checked(date(int(text), 12, 31), text))
        month = self._MONTH.match(text)
        if month:
            year, number = int(month.group(1)), int(month.group(2))
            if not 1 <= number <= 12:
                raise ValueError(f"{text!r} is not a month; write YYYY-MM")
            return ("month", None, self._checked(date(year, number, calendar.monthrange(year, number)[1]), text))
        try:
            return ("day", None, DateCell().parse(text))
        except ValueError:
            raise ValueError(f"{text!r} is not a period: write {self.format}") from None

    @staticmethod
    def _checked(day, text):
        message = date_range_error(day)
        if message:
            raise ValueError(f"{text!r}: {message}")
        return day

    def renderer(self, neutralise_formulas=False):
        return lambda value: period_text(*value) if value else ""


class PageAddressCell(Cell):
    """A pledge's public page, written from its slug; export only (an import file's cell is
    allowed and not read). The address without a language redirects to the reader's."""

    format = "an address (export only)"

    def parse(self, text):
        return text

    def renderer(self, neutralise_formulas=False):
        site = settings.PLEDGES_SITE_URL
        return lambda slug: f"{site}/pledges/{slug}/" if slug else ""


class LanguageCell(ChoiceCell):
    """A language by its code (zh-hans, ru, kk ...), from Django's list of languages."""

    format = "a language code such as zh-hans, ru or kk"
