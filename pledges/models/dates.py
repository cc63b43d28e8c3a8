"""Dates as precise as their sources: a day (2023-12-05), a month (2023-12) or a year (2023).

A source that says "December 2023" gives a month, and the record keeps a month: the date column
holds the period's first day (so lists sort by it) and a precision column beside it says how much
of the date is known. Pages write it as known ("December 2023", not "1 December 2023"); files
read and write ISO 8601's reduced forms. One definition for every dated field that takes one
(an update's date, a source's date).
"""

import calendar
import re
from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from .validation import date_range_error

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR_RE = re.compile(r"^\d{4}$")
PRECISE_DATE_FORMAT = "a day (2023-12-05), a month (2023-12) or a year (2023)"


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


def precision_field(date_field_verbose):
    """The precision column that goes beside a date column."""
    return models.CharField(
        _("precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("How much of %(date)s the source gives: the day, only the month, or only the year.")
        % {"date": date_field_verbose},
    )


def precision_constraint(name, date_field, precision_field_name):
    """The precision is one of the three, and a month or year is kept as its first day."""
    return models.CheckConstraint(
        name=name,
        condition=Q(**{f"{precision_field_name}": DatePrecision.DAY})
        | Q(**{f"{precision_field_name}": DatePrecision.MONTH, f"{date_field}__day": 1})
        | Q(**{f"{precision_field_name}": DatePrecision.YEAR, f"{date_field}__day": 1, f"{date_field}__month": 1})
        | Q(**{f"{date_field}__isnull": True}),
    )


class PreciseDate(date):
    """A date and how much of it is known; the date is the period's first day.

    A `date`, so it sorts and compares as one and can be given to a date field as it is.
    """

    __slots__ = ("precision",)

    def __new__(cls, year, month=1, day=1, precision=DatePrecision.DAY):
        self = super().__new__(cls, year, month, day)
        self.precision = DatePrecision(precision)
        return self

    def __reduce__(self):
        return (PreciseDate._of, (date(self.year, self.month, self.day), str(self.precision)))

    @staticmethod
    def _of(day, precision):
        return PreciseDate.of(day, precision)

    @classmethod
    def of(cls, day, precision=DatePrecision.DAY):
        """`day` at `precision` (empty for DAY), moved to the first day of its month or year; None for None."""
        if day is None:
            return None
        precision = precision or DatePrecision.DAY
        if precision == DatePrecision.YEAR:
            return cls(day.year, 1, 1, precision)
        if precision == DatePrecision.MONTH:
            return cls(day.year, day.month, 1, precision)
        return cls(day.year, day.month, day.day, precision)

    @classmethod
    def parse(cls, text):
        """2023-12-05, 2023-12 or 2023 as a PreciseDate; ValueError saying what was wrong."""
        text = text.strip()
        try:
            if _YEAR_RE.match(text):
                value = cls(int(text), 1, 1, DatePrecision.YEAR)
            elif month := _MONTH_RE.match(text):
                value = cls(int(month.group(1)), int(month.group(2)), 1, DatePrecision.MONTH)
            elif len(text) == 10:
                day = date.fromisoformat(text)
                value = cls(day.year, day.month, day.day)
            else:
                raise ValueError
        except ValueError:
            raise ValueError(f"{text!r} is not a date: give {PRECISE_DATE_FORMAT}") from None
        out_of_range = date_range_error(value.last_day)
        if out_of_range:
            raise ValueError(str(out_of_range))
        return value

    @property
    def last_day(self):
        """The last day the date may mean: the day itself, or its month's or year's last."""
        if self.precision == DatePrecision.YEAR:
            return date(self.year, 12, 31)
        if self.precision == DatePrecision.MONTH:
            return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return date(self.year, self.month, self.day)

    @property
    def iso(self):
        """As files write it: 2023-12-05, 2023-12 or 2023."""
        if self.precision == DatePrecision.YEAR:
            return f"{self.year:04d}"
        if self.precision == DatePrecision.MONTH:
            return f"{self.year:04d}-{self.month:02d}"
        return self.isoformat()

    def text(self):
        """As a reader sees it in the active language: 5 December 2023, December 2023, 2023."""
        if self.precision == DatePrecision.YEAR:
            return pgettext("a year on its own", "%(year)s") % {"year": self.year}
        if self.precision == DatePrecision.MONTH:
            return date_format(self, "YEAR_MONTH_FORMAT")
        return date_format(self, "DATE_FORMAT")

    def __repr__(self):
        return f"PreciseDate({self.iso!r})"
