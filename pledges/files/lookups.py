"""Cells that name other records: a pledge, a topic, an owner by their key (read once per file,
not once per row), and the parties of a pledge by name, created once each if new.

The cells hold nothing of a file: the records a file names are in its import's `FileRecords`,
which the resource hands to `preload` and `clean` (the library passes a row's keyword arguments
on to its widgets)."""

import copy

from pledges.files.widgets import (
    COUNTRY_RE,
    LIST_SEPARATOR,
    Cell,
    TextCell,
    cell_text,
    neutralise_formula,
    unneutralise,
)
from pledges.models import unprintable_error


class FileRecords:
    """The records one file's cells name, read once before its rows, and those it names that do
    not exist yet (saved with the import, never by a dry run).

    The import's own, begun anew for each file (`RecordResource._begin`): the lookup cells are
    given it to read and write while the rows are read, the write path saves what is new in it.
    Cells of the same model and key share one dict (a party named in both party columns, a
    pledge followed and also followed, is one record).
    """

    def __init__(self):
        self._known = {}

    def known(self, model, key):
        """{key: record} of `model`, saved or new, by its key field (parties by their file key)."""
        return self._known.setdefault((model._meta.label, key), {})

    def new(self, model, key):
        """Those of `model` not saved yet, each once, in the order the file named them."""
        return list({id(record): record for record in self.known(model, key).values() if record.pk is None}.values())


class LookupCell(Cell):
    """A related record named by a natural key (a slug, a user name, a code), or None.

    The records named in a file are read once into its collector before its rows (`preload`,
    called by the resource's `before_import`), where the library's ForeignKeyWidget asks the database
    once per row: 0.002× COPY's speed against 0.107× for the whole import (bench/RESULTS.md).
    `create` makes a record that does not exist yet (actors and events); it is saved with
    the import, never by a dry run.
    """

    def __init__(
        self,
        model,
        field,
        *,
        what,
        required=False,
        max_length=None,
        create=False,
        queryset=None,
        format=None,
        upper=False,
        vocabulary=False,
    ):
        super().__init__(required=required)
        self.model, self.field, self.upper = model, field, upper
        # A vocabulary (topics, units) is small and editors own it: it is read whole, and a name
        # not in it is refused with the list of those that are.
        self.vocabulary = vocabulary
        self.text = TextCell(max_length=max_length)
        self.what, self.create = what, create
        self.format = format or self.text.format
        self.base_queryset = queryset

    def known(self, records):
        """The records the file names in this cell's model, by key."""
        return records.known(self.model, self.field)

    def preload(self, values, records):
        names = {name for name in (self._safe(value) for value in set(values)) if name}
        queryset = self.base_queryset if self.base_queryset is not None else self.model.objects.all()
        if not self.vocabulary:
            queryset = queryset.filter(**{f"{self.field}__in": names})
        self.known(records).update({getattr(record, self.field): record for record in queryset})

    def _safe(self, value):
        try:
            return self._name(value)
        except ValueError:
            return None

    def _name(self, value):
        name = self.text.clean(value)
        return name.upper() if self.upper else name

    def clean(self, value, row=None, *, records, **kwargs):
        name = self._name(value)
        if not name:
            if self.required:
                raise ValueError("a value is required")
            return None
        known = self.known(records)
        record = known.get(name)
        if record is None:
            if self.vocabulary:
                names = ", ".join(sorted(known)) or "none yet"
                raise ValueError(f"unknown {self.what} {name!r}; known: {names} (an editor adds more in the admin)")
            if not self.create:
                raise ValueError(f"unknown {self.what} {name!r}")
            record = known[name] = self.model(**{self.field: name})  # saved with the import
        return record

    def renderer(self, neutralise_formulas=False):
        # An export's row holds the related record's key (see stored_rows); a row being
        # imported, the record.
        text, field = self.text.renderer(neutralise_formulas), self.field
        return lambda value: text(value if value is None or isinstance(value, str) else getattr(value, field))


class LookupListCell(LookupCell):
    """Records named by key (topics, earlier pledges), `|`-separated, in order: a list of keys."""

    def clean(self, value, row=None, *, records, **kwargs):
        keys = [key.strip() for key in cell_text(value).split(LIST_SEPARATOR) if key.strip()]
        for key in keys:
            super().clean(key, records=records)  # known, or refused with the list of those that are
        if len(set(keys)) != len(keys):
            raise ValueError(f"a {self.what} is listed twice")
        return keys

    def preload(self, values, records):
        # A vocabulary is read whole; otherwise the records each cell names.
        super().preload(
            [] if self.vocabulary else [key for value in values for key in cell_text(value).split(LIST_SEPARATOR)],
            records,
        )

    def renderer(self, neutralise_formulas=False):
        return lambda value: LIST_SEPARATOR.join(value) if value else ""


class PartiesCell(Cell):
    """Parties, `|`-separated: a state by its country's ISO 3166-1 alpha-2 code, anyone else by name.

    A name or code not yet known makes a new party, saved with the import (never by a dry run):
    a code the state of that country, a name an unclassified party for an editor to classify.
    The parties and countries a file names are read once before its rows.
    """

    format = "party names or, for a state, its country's two-letter code, separated by vertical bars"

    def __init__(self, model, country_model, *, required=False):
        super().__init__(required=required)
        self.model, self.country_model = model, country_model

    def known(self, records):
        """File key ("KZ" or a name) -> party, saved or new."""
        return records.known(self.model, "file_key")

    def preload(self, values, records):
        keys = {key for value in set(values) for key in self._keys(cell_text(value))}
        codes = {key for key in keys if COUNTRY_RE.match(key)}
        parties = self.model.objects.filter(name__in=keys - codes) | self.model.objects.filter(country__code__in=codes)
        known = self.known(records)
        known.update({party.file_key: party for party in parties.select_related("country")})
        new_states = list(self.country_model.objects.filter(code__in=codes - set(known)))
        taken = set(self.model.objects.filter(name__in=[c.name for c in new_states]).values_list("name", flat=True))
        for country in new_states:
            # The state of a country no party stands for yet, named after it ("Name (KZ)" if that is taken).
            name = f"{country.name} ({country.code})" if country.name in taken else country.name
            known[country.code] = self.model(kind="state", country=country, name=name)

    def optional(self):
        """This cell where an empty cell is allowed (it reads and makes parties in the same collector)."""
        other = copy.copy(self)
        other.required = False
        return other

    @staticmethod
    def _keys(text):
        return [key.strip() for key in text.split(LIST_SEPARATOR) if key.strip()]

    def clean(self, value, row=None, *, records, **kwargs):
        text = cell_text(value)
        if not text:
            if self.required:
                raise ValueError("a value is required")
            return []
        known, keys = self.known(records), []
        for key in self._keys(text):
            key = unneutralise(key)
            if len(key) == 2 and key.isalpha():
                key = key.upper()
                if key not in known:
                    raise ValueError(f"unknown country code {key!r}")
            elif key not in known:
                if len(key) > 200:
                    raise ValueError(f"a party's name is at most 200 characters; {key[:40]!r}… has {len(key)}")
                message = unprintable_error(key)
                if message:
                    raise ValueError(f"{key[:40]!r} {message}")
                known[key] = self.model(name=key)  # saved with the import
            keys.append(key)
        if len(set(keys)) != len(keys):
            raise ValueError("a party is listed twice")
        # In the order named (a railway's route): it is kept, and a file that reorders them changes them.
        return keys

    def renderer(self, neutralise_formulas=False):
        if not neutralise_formulas:
            return lambda value: LIST_SEPARATOR.join(value) if value else ""
        return lambda value: LIST_SEPARATOR.join(neutralise_formula(key) for key in value) if value else ""
