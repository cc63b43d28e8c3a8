"""Cells that name other records: a pledge, a topic, an owner by their key (read once per file,
not once per row), and the parties of a pledge by name, created once each if new."""

import copy

from import_export import widgets

from pledges.files.widgets import COUNTRY_RE, LIST_SEPARATOR, TextCell, cell_text, neutralise_formula, unneutralise
from pledges.models import unprintable_error


class FileRecords:
    """The records one file's cells name, read once before its rows, and those it names that do
    not exist yet (saved with the import, never by a dry run).

    The import's own collector, begun anew for each file (`RecordResource._begin`): the lookup
    cells read and write it while the rows are read, the write path saves what is new in it.
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


class LookupCell(widgets.ForeignKeyWidget):
    """A related record named by a natural key (a slug, a user name, a code), or None.

    The records named in a file are read once into a dict before its rows (`preload`, called
    by the resource's `before_import`), where the library's ForeignKeyWidget asks the database
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
        super().__init__(model, field=field)
        self.upper = upper
        # A vocabulary (topics, units) is small and editors own it: it is read whole, and a name
        # not in it is refused with the list of those that are.
        self.vocabulary = vocabulary
        self.text = TextCell(required=required, max_length=max_length)
        self.what, self.create = what, create
        self.format = format or self.text.format
        self.base_queryset = queryset
        self.records = FileRecords()  # the import's, set by the resource for each file

    @property
    def known(self):
        """The records this file names in this cell's model, by key (the import's collector)."""
        return self.records.known(self.model, self.field)

    @property
    def required(self):
        return self.text.required

    def preload(self, values):
        names = {name for name in (self._safe(value) for value in set(values)) if name}
        queryset = self.base_queryset if self.base_queryset is not None else self.model.objects.all()
        if not self.vocabulary:
            queryset = queryset.filter(**{f"{self.field}__in": names})
        self.known.update({getattr(record, self.field): record for record in queryset})

    def _safe(self, value):
        try:
            return self._name(value)
        except ValueError:
            return None

    def _name(self, value):
        name = self.text.clean(value)
        return name.upper() if self.upper else name

    def clean(self, value, row=None, **kwargs):
        name = self._name(value)
        if not name:
            return None
        record = self.known.get(name)
        if record is None:
            if self.vocabulary:
                known = ", ".join(sorted(self.known)) or "none yet"
                raise ValueError(f"unknown {self.what} {name!r}; known: {known} (an editor adds more in the admin)")
            if not self.create:
                raise ValueError(f"unknown {self.what} {name!r}")
            record = self.known[name] = self.model(**{self.field: name})  # saved with the import
        return record

    def render(self, value, obj=None, **kwargs):
        # Exports read plain values (see resources.RecordResource.iter_queryset), not records.
        return self.text.render(self._key(value), **kwargs)

    def _key(self, value):
        # A record (from a row being imported) or already its key (from an export's row).
        return value if value is None or isinstance(value, str) else getattr(value, self.field)

    def renderer(self, neutralise_formulas=False):
        # An export's rows hold the related record's key (a text), not the record.
        return self.text.renderer(neutralise_formulas)


class LookupListCell(LookupCell):
    """Records named by key (topics, earlier pledges), `|`-separated, in order: a list of keys."""

    def clean(self, value, row=None, **kwargs):
        keys = [key.strip() for key in cell_text(value).split(LIST_SEPARATOR) if key.strip()]
        for key in keys:
            super().clean(key)  # known, or refused with the list of those that are
        if len(set(keys)) != len(keys):
            raise ValueError(f"a {self.what} is listed twice")
        return keys

    def preload(self, values):
        # A vocabulary is read whole; otherwise the records each cell names.
        super().preload(
            [] if self.vocabulary else [key for value in values for key in cell_text(value).split(LIST_SEPARATOR)]
        )

    def render(self, value, obj=None, **kwargs):
        return LIST_SEPARATOR.join(value) if value else ""

    def renderer(self, neutralise_formulas=False):
        return lambda value: LIST_SEPARATOR.join(value) if value else ""


class PartiesCell(widgets.ManyToManyWidget):
    """Parties, `|`-separated: a state by its country's ISO 3166-1 alpha-2 code, anyone else by name.

    A name or code not yet known makes a new party, saved with the import (never by a dry run):
    a code the state of that country, a name an unclassified party for an editor to classify.
    The parties and countries a file names are read once before its rows.
    """

    format = "party names or, for a state, its country's two-letter code, separated by vertical bars"

    def __init__(self, model, country_model, *, required=False):
        super().__init__(model, separator=LIST_SEPARATOR, field="name")
        self.country_model = country_model
        self.required = required
        self.records = FileRecords()  # the import's, set by the resource for each file

    @property
    def known(self):
        """File key ("KZ" or a name) -> party, saved or new: the import's collector."""
        return self.records.known(self.model, "file_key")

    def preload(self, values):
        keys = {key for value in set(values) for key in self._keys(cell_text(value))}
        codes = {key for key in keys if COUNTRY_RE.match(key)}
        parties = self.model.objects.filter(name__in=keys - codes) | self.model.objects.filter(country__code__in=codes)
        self.known.update({party.file_key: party for party in parties.select_related("country")})
        new_states = list(self.country_model.objects.filter(code__in=codes - set(self.known)))
        taken = set(self.model.objects.filter(name__in=[c.name for c in new_states]).values_list("name", flat=True))
        for country in new_states:
            # The state of a country no party stands for yet, named after it ("Name (KZ)" if that is taken).
            name = f"{country.name} ({country.code})" if country.name in taken else country.name
            self.known[country.code] = self.model(kind="state", country=country, name=name)

    def optional(self):
        """This cell where an empty cell is allowed (it reads and makes parties in the same collector)."""
        other = copy.copy(self)
        other.required = False
        return other

    @staticmethod
    def _keys(text):
        return [key.strip() for key in text.split(LIST_SEPARATOR) if key.strip()]

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            if self.required:
                raise ValueError("a value is required")
            return []
        keys = []
        for key in self._keys(text):
            key = unneutralise(key)
            if len(key) == 2 and key.isalpha():
                key = key.upper()
                if key not in self.known:
                    raise ValueError(f"unknown country code {key!r}")
            elif key not in self.known:
                if len(key) > 200:
                    raise ValueError(f"a party's name is at most 200 characters; {key[:40]!r}… has {len(key)}")
                message = unprintable_error(key)
                if message:
                    raise ValueError(f"{key[:40]!r} {message}")
                self.known[key] = self.model(name=key)  # saved with the import
            keys.append(key)
        if len(set(keys)) != len(keys):
            raise ValueError("a party is listed twice")
        # In the order named (a railway's route): it is kept, and a file that reorders them changes them.
        return keys

    def render(self, value, obj=None, **kwargs):
        return LIST_SEPARATOR.join(value) if value else ""

    def renderer(self, neutralise_formulas=False):
        if not neutralise_formulas:
            return self.render
        return lambda value: LIST_SEPARATOR.join(neutralise_formula(key) for key in value) if value else ""
