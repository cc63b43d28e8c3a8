"""A layout's columns: django-import-export's Field with the words the README prints, declared in
the order a file has them."""

import copy
from datetime import date

from import_export import fields

from pledges.files.lookups import LookupCell
from pledges.models import DatePrecision, PreciseDate


class Column(fields.Field):
    """One column of a file: the library's Field, with what the README says of it.

    `export_only` columns are written but never read back (a pledge's verdict comes only from
    progress updates). `side` columns are not set on the record itself: the layout writes them
    (a pledge's countries, an update's sources).

    `precision` names the field beside a date that says how much of it is known (a PreciseDateCell
    column): the column reads and writes both.
    """

    def __init__(
        self,
        widget,
        *,
        meaning,
        example,
        name=None,
        attribute=None,
        export_only=False,
        side=False,
        precision=None,
        read_from=None,
        **kwargs,
    ):
        # A column declared in a layout is named after its attribute there, as the library names a
        # declared field; `name` names one made by a function (a target's, a source's).
        super().__init__(attribute=attribute or name, column_name=name, widget=widget, readonly=export_only, **kwargs)
        self.meaning, self.example, self.export_only, self.side = meaning, example, export_only, side
        self.precision = precision
        self.read_from = read_from  # a side column's stored value, read with the record's own columns

    def setter(self):
        """How a read value is set on the record, or None for a column not set on it."""
        if self.export_only or self.side:
            return None
        attribute, precision = self.attribute, self.precision
        if precision is None:
            return lambda instance, value: setattr(instance, attribute, value)

        def set_date(instance, value):
            setattr(instance, attribute, date(value.year, value.month, value.day) if value else None)
            setattr(instance, precision, value.precision if value else DatePrecision.DAY)

        return set_date

    @property
    def required(self):
        return getattr(self.widget, "required", False)

    @property
    def format(self):
        return self.widget.format

    @property
    def path(self):
        """The lookup that reads this column's stored value in bulk, or None for side columns read
        on their own (related_cells)."""
        if self.side:
            return self.read_from
        if isinstance(self.widget, LookupCell):
            return f"{self.attribute}__{self.widget.field}"
        if self.precision:
            return (self.attribute, self.precision)  # read as one (date, precision) value
        return self.attribute

    def get_value(self, instance):
        # Exports and comparisons read rows as dicts by column name (ExportRows.stored_rows).
        if isinstance(instance, dict):
            return instance.get(self.column_name)
        if self.precision:
            return PreciseDate.of(getattr(instance, self.attribute), getattr(instance, self.precision))
        return super().get_value(instance)


# The other languages a file's translated columns are in, by column-name suffix.
LANGUAGE_COLUMNS = {"ru": "Russian", "zh_hans": "Chinese"}


def translations(column, *, ru, zh):
    """The columns beside a translated text's (`title`) for its Russian and Chinese (`title_ru`,
    `title_zh_hans`): optional, read and written like it; `ru` and `zh` are the README's examples.
    A file without them keeps what is stored."""
    columns = []
    for suffix, example in zip(LANGUAGE_COLUMNS, (ru, zh)):
        widget = copy.copy(column.widget)
        widget.required = False
        columns.append(
            Column(
                widget,
                # Named as declared (title_ru), or after a made column's name (target2_label_ru).
                name=f"{column.column_name}_{suffix}" if column.column_name else None,
                meaning=f"The same in {LANGUAGE_COLUMNS[suffix]} (empty: pages show the English, marked as such).",
                example=example,
                export_only=column.export_only,
                side=column.side,
                read_from=f"{column.read_from}_{suffix}" if column.read_from else None,
            )
        )
    return tuple(columns)
