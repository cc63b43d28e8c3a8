"""The column layouts of the pledge and progress-update files: one place for each column.

Every column says what it means, its format and an example (the README's tables are these),
how to read a cell of it and how to write a value into one. The importer, the exporters and
the admin's preview all work through these definitions.
"""

import re
from dataclasses import dataclass
from functools import cached_property
from datetime import date
from decimal import Decimal, InvalidOperation

from .models import DeadlinePrecision, Unit, Verdict, date_range_error, unprintable_error

# A cell a spreadsheet would run as a formula starts with one of these.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"no", "false", "0", "n", ""}
LIST_SEPARATOR = "|"


class CellError(ValueError):
    """A cell's text cannot be read as its column's kind of value."""


def neutralise_formula(text):
    """Make a text cell that a spreadsheet would run as a formula show as text instead.

    The leading apostrophe is the spreadsheet convention for "this is text"; `unneutralise`
    takes it off again on import, so an export imports back unchanged.
    """
    if text and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def unneutralise(text):
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


@dataclass(frozen=True)
class Column:
    """One column of an import/export file."""

    name: str
    kind: str  # text, slug, url, date, decimal, bool, choice, codes
    meaning: str
    example: str
    required: bool = False
    max_length: int | None = None
    choices: tuple = ()
    export_only: bool = False
    # Where the value is stored, as a Django lookup path (e.g. "actor__name"); None for the
    # columns the importer and exporter treat specially (countries, sources).
    path: str | None = None

    @cached_property
    def _choice_values(self):
        return frozenset(value for value, _label in self.choices)

    @property
    def format(self):
        """The cell format in words, for people reading the documentation."""
        if self.kind == "choice":
            return "one of: " + ", ".join(value for value, _label in self.choices)
        return {
            "text": f"text, at most {self.max_length} characters" if self.max_length else "text",
            "slug": "letters, digits, hyphens and underscores",
            "url": "an http:// or https:// address",
            "date": "YYYY-MM-DD",
            "decimal": "a number with a point for decimals, no thousands separators",
            "bool": "yes or no",
            "codes": f"ISO 3166-1 alpha-2 country codes separated by {LIST_SEPARATOR}",
        }[self.kind]

    def parse(self, raw):
        """The value of a cell's text, or CellError saying what is wrong with it."""
        text = raw.strip()
        if not text:
            if self.required:
                raise CellError("a value is required")
            return [] if self.kind == "codes" else (False if self.kind == "bool" else None)
        return self._parser(text)

    @cached_property
    def _parser(self):
        return getattr(self, f"_parse_{self.kind}")

    def render(self, value):
        """The cell text for a value; `parse(render(v)) == v` for every value parse returns."""
        return self.renderer(value)

    @cached_property
    def renderer(self):
        """A function from value to cell text, chosen once per column: exports call it per cell."""
        return _RENDERERS.get(self.kind, _render_text)

    def _parse_text(self, text):
        text = unneutralise(text)
        unprintable = unprintable_error(text)
        if unprintable:
            raise CellError(str(unprintable))
        if self.max_length and len(text) > self.max_length:
            raise CellError(f"is {len(text)} characters long; the most is {self.max_length}")
        return text

    def _parse_slug(self, text):
        if not _SLUG_RE.match(text):
            raise CellError(f"{text!r} may hold only letters, digits, hyphens and underscores")
        return self._parse_text(text)

    def _parse_url(self, text):
        if not text.lower().startswith(("http://", "https://")) or len(text.split("//", 1)[1]) < 3:
            raise CellError(f"{text!r} is not an http:// or https:// address")
        if any(c.isspace() for c in text):
            raise CellError(f"{text!r} contains spaces")
        scheme, rest = text.split("://", 1)
        # Stored as browsers and Django's URL field write it: HTTPS://x is https://x.
        return self._parse_text(f"{scheme.lower()}://{rest}")

    def _parse_date(self, text):
        try:
            if len(text) != 10:
                raise ValueError
            value = date.fromisoformat(text)
        except ValueError:
            raise CellError(f"{text!r} is not a date in the form YYYY-MM-DD") from None
        out_of_range = date_range_error(value)
        if out_of_range:
            raise CellError(str(out_of_range))
        return value

    def _parse_decimal(self, text):
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise CellError(f"{text!r} is not a number (use a point for decimals, no separators)") from None
        if not value.is_finite():
            raise CellError(f"{text!r} is not a number")
        if value.as_tuple().exponent < -2:
            raise CellError(f"{text!r} has more than 2 decimal places")
        if abs(value) >= Decimal(10) ** 18:
            raise CellError(f"{text!r} is too large")
        return value

    def _parse_bool(self, text):
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise CellError(f"{text!r} is not yes or no")

    def _parse_choice(self, text):
        lowered = text.lower()
        if lowered in self._choice_values:
            return lowered
        for value, label in self.choices:
            if lowered == str(label).lower():
                return value
        raise CellError(f"{text!r} is not one of: " + ", ".join(v for v, _ in self.choices))

    def _parse_codes(self, text):
        codes = [code.strip().upper() for code in text.split(LIST_SEPARATOR) if code.strip()]
        for code in codes:
            if not _COUNTRY_RE.match(code):
                raise CellError(f"{code!r} is not a two-letter country code")
        if len(set(codes)) != len(codes):
            raise CellError("a country is listed twice")
        # Order carries no meaning; sorted, a file and the database compare equal.
        return sorted(codes)


def _render_text(value):
    return "" if value is None else str(value)


_RENDERERS = {
    "bool": lambda value: "" if value is None else ("yes" if value else "no"),
    "codes": lambda value: LIST_SEPARATOR.join(value) if value else "",
    "decimal": lambda value: "" if value is None else format(value.normalize(), "f"),
    "date": lambda value: value.isoformat() if value else "",
}


PLEDGE_COLUMNS = (
    Column("slug", "slug", "Stable key of the pledge; rows match existing pledges on it.",
           "trade-70-billion-by-2030", required=True, max_length=120, path="slug"),
    Column("title", "text", "Short headline.", "Raise trade to $70 billion by 2030",
           required=True, max_length=200, path="title"),
    Column("actor", "text", "Who made the pledge (created if new).", "Xi Jinping",
           required=True, max_length=200, path="actor__name"),
    Column("beneficiaries", "codes", "The countries it was made to.", "KZ|KG|TJ|TM|UZ", required=True),
    Column("event", "text", "Where it was announced (created if new).",
           "China–Central Asia virtual summit", max_length=300, path="event__name"),
    Column("announced_on", "date", "The day it was announced.", "2022-01-25", required=True, path="announced_on"),
    Column("quote", "text", "The pledge's own words, verbatim.",
           "striving to increase trade between our two sides to $70 billion by 2030", required=True, path="quote"),
    Column("summary", "text", "A neutral summary.", "Grow trade to $70 billion a year by 2030.",
           required=True, path="summary"),
    Column("topic", "slug", "Topic slug (see fixtures/topics.json).", "trade", required=True, max_length=50, path="topic__slug"),
    Column("source_title", "text", "Title of the document that reports the pledge.",
           "Xi announces initiatives ...", required=True, max_length=300, path="source_title"),
    Column("source_publisher", "text", "Who published that document.", "Global Times",
           required=True, max_length=200, path="source_publisher"),
    Column("source_url", "url", "Where it can be read.", "https://www.globaltimes.cn/page/202201/1246977.shtml",
           required=True, max_length=500, path="source_url"),
    Column("source_published_on", "date", "When it was published.", "2022-01-25", path="source_published_on"),
    Column("deadline_text", "text", "The deadline in the pledge's words.", "by 2030", max_length=200, path="deadline_text"),
    Column("deadline_precision", "choice", "How precisely those words fix a date.", "year",
           required=True, choices=tuple(DeadlinePrecision.choices), path="deadline_precision"),
    Column("deadline_start", "date", "Start of the deadline window (ranges).", "2027-01-25", path="deadline_start"),
    Column("deadline_end", "date", "End of the deadline window.", "2030-12-31", path="deadline_end"),
    Column("target_unit", "choice", "Unit of the quantitative target.", "usd", choices=tuple(Unit.choices), path="target_unit"),
    Column("baseline_value", "decimal", "Value when the pledge was made.", "50100000000", path="baseline_value"),
    Column("baseline_on", "date", "Date of the baseline value.", "2021-12-31", path="baseline_on"),
    Column("target_value", "decimal", "The promised value.", "70000000000", path="target_value"),
    Column("owner", "text", "User name of the editor who owns it.", "editor", max_length=150, path="owner__username"),
    Column("published", "bool", "Shown to the public.", "yes", path="is_published"),
    Column("last_reviewed_on", "date", "When an editor last reviewed it.", "2026-11-01", path="last_reviewed_on"),
    Column("verdict", "choice", "Current verdict. Export only: verdicts come from progress updates.",
           "kept", choices=tuple(Verdict.choices), export_only=True, path="verdict"),
)

MAX_SOURCES = 3


def stored_columns(columns):
    """The columns with a `path`, in file order: those read and written as plain values."""
    return [column for column in columns if column.path]


def _source_columns(number):
    prefix = f"source{number}_"
    first = number == 1
    return (
        Column(prefix + "url", "url", f"Source {number}: address.", "https://en.people.cn/...",
               required=first, max_length=500),
        Column(prefix + "title", "text", f"Source {number}: title.", "Trade hits record",
               required=first, max_length=300),
        Column(prefix + "publisher", "text", f"Source {number}: publisher.", "People's Daily",
               required=first, max_length=200),
        Column(prefix + "published_on", "date", f"Source {number}: date.", "2026-01-20"),
    )


UPDATE_COLUMNS = (
    Column("pledge", "slug", "Slug of the pledge the update belongs to.", "trade-70-billion-by-2030",
           required=True, max_length=120, path="pledge__slug"),
    Column("key", "slug", "Stable key of the update within its pledge; rows match on pledge and key. "
           "Leave empty for a new update to get one.", "trade-2025", max_length=60, path="key"),
    Column("occurred_on", "date", "When it happened or was reported.", "2026-01-18", required=True, path="occurred_on"),
    Column("summary", "text", "What happened.", "Trade reached $106.3 billion in 2025.", required=True, path="summary"),
    Column("new_verdict", "choice", "The verdict this evidence supports, if it changes it.", "kept",
           choices=tuple(Verdict.choices), path="new_verdict"),
    Column("measurement_value", "decimal", "A measured value of the pledge's target.", "106300000000", path="measurement_value"),
    Column("measurement_country", "text", "Country code when the value is for one country.", "TJ",
           max_length=2, path="measurement_country__code"),
    Column("published", "bool", "Shown to the public.", "yes", path="is_published"),
    *_source_columns(1),
    *_source_columns(2),
    *_source_columns(3),
)
