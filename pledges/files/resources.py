"""The machinery every file layout shares, built into django-import-export's hooks.

A layout is a `RecordResource` (see `layouts`): its `Column`s are the library's `Field`s with
the words the README prints. The library's import flow runs as documented (before_import, then
per row: before_import_row, the instance loader, import_instance, skip_row, validate_instance,
save_instance; then after_import), with what our importer did better kept inside those hooks:

- The whole file is checked before anything is written: `use_bulk` with no batch size holds
  the rows until every one has been read, and `after_import` writes nothing if any row failed.
  Any error rejects the file whole (`ImportRejected`), each naming its row and column; at most
  MAX_ERRORS are kept, all are counted.
- Every row's plan (new with its values, changed with each field's old and new text in full,
  or unchanged) is kept for the preview, and its digest (the fingerprint) must match the
  preview's at confirm: a file whose target rows changed meanwhile is refused.
- The write path is ours (`write_new`, `write_changed`, `write_related` in each layout): COPY on
  PostgreSQL, many-to-many rows in bulk, an audit-history row for every change, because the
  library's bulk mode skips many-to-many fields and history, and its row-by-row mode is 45×
  slower (bench/RESULTS.md).
"""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models.base import ModelState
from django.utils import timezone
from import_export import resources
from import_export.instance_loaders import BaseInstanceLoader

from pledges.files.errors import ImportRejected, RowError
from pledges.files.export_rows import ExportRows
from pledges.files.file_checks import FileChecks
from pledges.files.lookups import FileRecords, LookupCell
from pledges.files.reports import ImportResult, RowChange
from pledges.files.widgets import cell_text
from pledges.files.write_gate import WriteGate

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 500  # rows between two calls of an import's progress callback


class KeyedInstanceLoader(BaseInstanceLoader):
    """The stored records the rows name by their keys, read at once from the dataset it is given
    (`read_stored`), as the library's CachedInstanceLoader does for a single key column; an
    update's key is its pledge and its own key together."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.stored = resource.read_stored(dataset)

    def get_instance(self, row):
        return self.stored.get(self.resource.row_key(row))


@dataclass
class _Row:
    """The row being imported: its number in the file (1 is the header), key and values."""

    number: int
    key: object = None
    new: bool = True
    stored: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    blank: bool = False
    change: RowChange | None = None


class RecordResource(FileChecks, WriteGate, ExportRows, resources.Resource):
    """A file layout of one model, with the checks and write path described above.

    A plain `Resource`: its columns are exactly the `Column`s it declares, in the order declared,
    each named after its attribute (a ModelResource would add every model field not declared).
    """

    kind = "records"  # "pledges", "updates": said in messages
    key_column = "key"  # the column a duplicate key is reported in

    class Meta:
        use_bulk = True
        batch_size = None  # every row is read before any is written (see write_gate)
        skip_diff = True  # the plan is ours, in full text (see skip_row)
        clean_model_instances = False  # the record's rule functions are called instead (validate_instance)
        instance_loader_class = KeyedInstanceLoader
        use_transactions = True
        store_instance = True

    def __init__(self, progress=None, **kwargs):
        """`progress(rows done, rows in all)`, if given, is called as the rows are read."""
        super().__init__(**kwargs)
        self.progress = progress
        self._blank = None
        self._relations = None
        self._begin(dry_run=False)

    def _begin(self, *, dry_run):
        """What one file's import keeps, made anew for each: a resource imports file after file
        as a fresh one would (the library's admin and command make one per file; nothing else must)."""
        self.dry_run = dry_run
        self.now = timezone.now()
        self.rows_total = 0
        self.warnings = []
        self.plan = []
        self.pending = []  # (instance, row) of each row to write
        self.present = None  # the file's columns, once before_import has checked them
        self.stored_instances = {}
        self.stored_cells = {}
        self.seen_keys = {}
        self.row = None
        self.user = None
        self.reason = "File import"
        self.expected_fingerprint = None
        self.records = FileRecords()  # what this file's cells name, new records included

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, column in cls.fields.items():
            column.attribute = column.attribute or name  # `published` may say its own (is_published)

    @classmethod
    def get_result_class(cls):
        return ImportResult

    # What the library's admin and export command ask of a ModelResource.
    @classmethod
    def get_display_name(cls):
        return cls.__name__

    def get_queryset(self):
        return self._meta.model.objects.all()

    # What each layout says -----------------------------------------------------------------

    def row_key(self, row):
        """The key a file row names its record by (raw cells), or None for a new record."""
        raise NotImplementedError

    def stored_records(self, keys):
        """The stored records with these keys, as instances, by key."""
        raise NotImplementedError

    def record_key(self, row):
        """The key of an exported row (a dict by column name)."""
        raise NotImplementedError

    def related_cells(self, pks):
        """Side columns' values of these records, {column: {pk: value}}, read in one query."""
        return {}

    def rule_errors(self, instance, row):
        """The record's own rules on the row as imported, as {column: message}."""
        return {}

    def write_new(self, instances, now):
        raise NotImplementedError

    def write_changed(self, instances, changed_attributes, now):
        raise NotImplementedError

    def write_related(self, created, changed, now):
        """Side columns and history, after the records themselves are written."""

    # Columns -------------------------------------------------------------------------------

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        """The library's import, all or nothing; a rejected file's result holds `rejection`.

        The rejection is also a base error, so the library's admin and `import` command, which
        look there, report it and write nothing.
        """
        self._begin(dry_run=dry_run)
        try:
            try:
                return super().import_data(
                    dataset,
                    dry_run=dry_run,
                    raise_errors=False,
                    use_transactions=True,
                    collect_failed_rows=collect_failed_rows,
                    rollback_on_validation_errors=True,
                    **kwargs,
                )
            except IntegrityError:
                # The file was checked against the records as they were read; if someone created
                # the same key before our transaction committed, the database refuses, and
                # nothing of ours is kept.
                raise ImportRejected(
                    [
                        RowError(
                            None,
                            None,
                            f"some of these {self.kind} were created by someone "
                            "else meanwhile; nothing was written, import the file again",
                        )
                    ]
                ) from None
        except ImportRejected as rejected:
            result = self.get_result_class()()
            result.rejection = rejected
            result.append_base_error(self.get_error_result_class()(rejected))
            return result

    def handle_import_error(self, result, error, raise_errors=False):
        # A rejection (or a clash with a concurrent write) ends the import; the library would
        # record it and carry on with the rows.
        if isinstance(error, (ImportRejected, IntegrityError)):
            raise error
        # A fault of the server, not the file: logged in full for whoever runs the site; the page
        # says only that it failed (the library's page would show the traceback, server paths and all).
        logger.error("The import of a %s file failed", self.kind, exc_info=error)
        super().handle_import_error(result, error, raise_errors)

    def before_import_row(self, row, **kwargs):
        if self.progress is not None and kwargs["row_number"] % PROGRESS_EVERY == 0:
            self.progress(kwargs["row_number"], self.rows_total)
        # The header is the file's row 1; a blank line is no row at all (skipped, never read).
        self.row = _Row(kwargs["row_number"] + 1, blank=not any(cell_text(value) for value in row.values()))

    def init_instance(self, row=None):
        # Each new row's record starts as a copy of one blank record's values: Model.__init__
        # fills every field's default (timestamps, keys) one by one, a sixth of an import's time.
        # A default that must differ per record (an update's key) is set by its column.
        model = self._meta.model
        if self._blank is None:
            self._blank = {name: value for name, value in vars(model()).items() if name != "_state"}
        instance = model.__new__(model)
        instance.__dict__.update(self._blank)
        instance._state = ModelState()
        return instance

    def after_init_instance(self, instance, new, row, **kwargs):
        self.row.new = new
        self.row.key = self.row_key(row)
        if not new:
            self.row.stored = self.stored_cells.get(self.row.key, {})

    def import_instance(self, instance, row, **kwargs):
        """Read every cell of the row; set the record's own columns. Errors name their column."""
        errors = {}
        if self.row.blank:
            return
        values, records = self.row.values, self.records
        for name, clean, default, setter in self.readers:
            try:
                value = clean(row[name], records=records)
            except ValueError as exc:
                errors[name] = ValidationError(str(exc))
                continue
            if default is not None and (value is None or value == ""):
                value = default()
            values[name] = value
            if setter is not None:
                setter(instance, value)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """An unchanged row is skipped (counted, not written); a changed one records its changes.

        A new row's values are written out only where someone reads them: a dry run's plan, or
        the fingerprint a confirm checks. An import that previews nothing (the command line, the
        seeds) saves a fifth of its time.
        """
        if import_validation_errors or self.row.blank:
            return self.row.blank
        values, stored = self.row.values, self.row.stored
        if self.row.new:
            action = "new"
            changes = (
                []
                if not self.describe_new
                else [
                    (name, "", text)
                    for name, text in ((name, render(values[name])) for name, render in self.comparers)
                    if text
                ]
            )
        else:
            changes = [
                (name, stored.get(name, ""), text)
                for name, text in ((name, render(values[name])) for name, render in self.comparers)
                if stored.get(name, "") != text
            ]
            action = "update" if changes else "unchanged"
        self.row.change = RowChange(self.row.number, self.key_text(instance), action, changes)
        self.plan.append(self.row.change)  # of no use if a row fails: the file is then rejected
        return action == "unchanged"

    def key_text(self, instance):
        return str(self.row.key)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        key = self.row.key
        if (
            key is not None and self.key_column not in errors
        ):  # one row per record: a second row with the same key is a mistake
            if key in self.seen_keys:
                errors.setdefault(self.key_column, []).append(
                    f"{self.key_text(instance)!r} is already used in row {self.seen_keys[key]}"
                )
            else:
                self.seen_keys[key] = self.row.number
        if not errors:  # rules on values that could not be read would only confuse
            errors.update({column: [message] for column, message in self.rule_errors(instance, self.row).items()})
        if errors:
            raise ValidationError(errors)

    def relink(self, instance):
        """Point the record at related records created by this import (they had no key before)."""
        if self._relations is None:
            self._relations = [
                self._meta.model._meta.get_field(column.attribute)
                for column in self.columns
                if isinstance(column.widget, LookupCell) and not column.side
            ]
        for relation in self._relations:
            related = instance._state.fields_cache.get(relation.name, False)
            if related is not False:  # set by this import
                setattr(instance, relation.attname, None if related is None else related.pk)
