"""The one importer of pledge and progress-update files.

The seed data, an editor's upload in the admin and `manage.py import_pledges/import_updates`
all come here. A file is read whole and checked whole first: any bad row rejects the file with
every error found, each naming its row and column, and nothing is written. Only then are the
changes written in one transaction, in bulk, with an audit-history row for every record that
was created or changed.

Rows match existing records on their key (a pledge's slug; an update's pledge and key). A row
identical to what is stored changes nothing, so an export imports back as a no-op. Columns
missing from a file leave those fields as they are.
"""

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import bulk, exporters
from .layouts import MAX_SOURCES, PLEDGE_COLUMNS, UPDATE_COLUMNS, CellError, stored_columns
from .models import (
    Actor,
    Country,
    Event,
    Pledge,
    ProgressUpdate,
    Source,
    Topic,
    deadline_errors,
    measurement_clash_error,
    new_update_key,
    single_party_error,
    target_errors,
    update_errors,
)
from .services import pledges_refresh_verdicts, record_history
from .tables import Errors, ImportRejected, RowError, read_table, reject


@dataclass
class RowChange:
    """What importing one row does: creates a record, changes some columns, or nothing."""

    row: int
    key: str
    action: str  # "new", "update" or "unchanged"
    changes: list = field(default_factory=list)  # (column, old text, new text)


@dataclass
class ImportReport:
    """The outcome (or, for a dry run, the plan) of importing one file."""

    kind: str
    rows: list
    warnings: list
    dry_run: bool

    def count(self, action):
        return sum(1 for row in self.rows if row.action == action)

    @property
    def summary(self):
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.kind}: {self.count('new')} new, {self.count('update')} updated, "
            f"{self.count('unchanged')} unchanged {verb} imported"
            if self.rows
            else f"{self.kind}: the file has no rows"
        )

    @property
    def count_unchanged(self):
        return self.count("unchanged")

    @property
    def changed_rows(self):
        """The rows that create or change a record (an unchanged row is only counted)."""
        return [row for row in self.rows if row.action != "unchanged"]

    def lines(self):
        """The plan, a line per new or changed row with every value or change in full, for a terminal."""
        for row in self.changed_rows:
            if row.action == "new":
                values = "; ".join(f"{column}: {new!r}" for column, _old, new in row.changes)
                yield f"Row {row.row} ({row.key}): new: {values}"
            else:
                changes = "; ".join(f"{column}: {old!r} → {new!r}" for column, old, new in row.changes)
                yield f"Row {row.row} ({row.key}): changes {changes}"
        unchanged = self.count_unchanged
        if unchanged:
            yield f"{unchanged} row{'s' if unchanged != 1 else ''} unchanged"

    @property
    def fingerprint(self):
        """A digest of the planned changes: a confirm must apply exactly what was previewed."""
        digest = hashlib.sha256()
        for row in self.rows:
            digest.update(repr((row.row, row.key, row.action, row.changes)).encode())
        return digest.hexdigest()


@dataclass
class _Row:
    number: int
    values: dict  # column name -> parsed value, for the columns the file has
    cells: dict  # column name -> normalised cell text
    failed: set = field(default_factory=set)  # columns whose cell could not be read


def _parse(data, columns, errors):
    """Read the file and every cell of it; bad cells are added to `errors`."""
    table = read_table(data)
    by_name = {column.name: column for column in columns}
    expected = "unknown column; expected: " + ", ".join(by_name)
    seen = set()
    for name in table.header:
        if name not in by_name:
            errors.append(RowError(1, name or "(empty)", expected))
        elif name in seen:
            errors.append(RowError(1, name, "the column appears twice"))
        seen.add(name)
    for column in columns:
        if column.required and column.name not in seen:
            errors.append(RowError(1, column.name, "this required column is missing"))
    reject(errors)
    present = [by_name[name] for name in table.header]
    rows = []
    for number, cells in table.rows:
        if len(cells) > len(present) and any(cell.strip() for cell in cells[len(present):]):
            errors.append(RowError(number, None, f"has {len(cells)} cells but the header names {len(present)} columns"))
            continue
        values, texts, failed = {}, {}, set()
        for column, raw in zip(present, cells + [""] * (len(present) - len(cells))):
            try:
                value = column.parse(raw)
            except CellError as exc:
                failed.add(column.name)
                errors.append(None if errors.full else RowError(number, column.name, str(exc)))  # counted only
                continue
            values[column.name] = value
            texts[column.name] = column.render(value)
        if not errors.full:  # past the listed errors the file is only counted, not kept
            rows.append(_Row(number, values, texts, failed))
    if errors.full:
        reject(errors)
    return rows


def _check_references(rows, column, known, what, errors):
    """Report each row whose `column` names something not in `known` (a set or dict)."""
    for row in rows:
        value = row.values.get(column)
        for item in value if isinstance(value, list) else [value]:
            if item not in (None, "") and item not in known:
                errors.append(RowError(row.number, column, f"unknown {what} {item!r}"))


def _check_duplicates(rows, key_of, column, errors):
    first_seen = {}
    for row in rows:
        key = key_of(row)
        if key is None:
            continue
        if key in first_seen:
            errors.append(RowError(row.number, column, f"{key!r} is already used in row {first_seen[key]}"))
        else:
            first_seen[key] = row.number


def _plan(rows, existing, key_of, columns):
    """Compare each row with the stored record of the same key, column by column."""
    names = [column.name for column in columns if not column.export_only]
    plan = []
    for row in rows:
        key = key_of(row)
        stored = existing.get(key)
        if stored is None:  # its values, as "changes" from nothing, so a preview shows them
            plan.append(RowChange(row.number, str(key), "new", [(name, "", row.cells[name]) for name in names
                                                                if row.cells.get(name)]))
            continue
        changes = [
            (name, stored[name], row.cells[name])
            for name in names
            if name in row.cells and stored[name] != row.cells[name]
        ]
        plan.append(RowChange(row.number, str(key), "update" if changes else "unchanged", changes))
    return plan


def _stored_cells(records, columns):
    names = [column.name for column in columns]
    return ((pk, dict(zip(names, cells))) for pk, cells in records)


@contextmanager
def _concurrent_writes_rejected(kind):
    """Turn a unique-key clash with a concurrent import or edit into a clear, whole rejection.

    The file was checked against the records as they were read; if someone else created the
    same key before our transaction committed, the database refuses and nothing of ours is kept.
    """
    try:
        yield
    except IntegrityError:
        raise ImportRejected(
            [RowError(None, None, f"some of these {kind} were created by someone else meanwhile; "
                                  "nothing was written, import the file again")]
        ) from None




# Pledges ---------------------------------------------------------------------------------------

def _field_map(columns, skip=()):
    """Column -> model field for the columns stored directly on the imported model.

    Columns whose path crosses a relation ("actor__name") are looked up instead (see callers).
    """
    return {
        column.name: column.path
        for column in stored_columns(columns)
        if "__" not in column.path and not column.export_only and column.name not in skip
    }


_PLEDGE_FIELDS = _field_map(PLEDGE_COLUMNS, skip={"slug"})


def import_pledges(data, *, user=None, dry_run=False, reason="CSV import", expected_fingerprint=None):
    """Import a pledges file (bytes or text). Returns an ImportReport; raises ImportRejected.

    With `expected_fingerprint`, the import is refused unless it would make exactly the
    changes that were previewed (someone may have edited the pledges in between).
    """
    errors = Errors()
    rows = _parse(data, PLEDGE_COLUMNS, errors)
    _check_duplicates(rows, lambda row: row.values.get("slug"), "slug", errors)
    country_ids = dict(
        Country.objects.filter(code__in={c for r in rows for c in r.values.get("beneficiaries", [])})
        .values_list("code", "id")
    )
    _check_references(rows, "beneficiaries", country_ids, "country code", errors)
    topic_ids = dict(Topic.objects.filter(slug__in={r.values.get("topic") for r in rows}).values_list("slug", "id"))
    _check_references(rows, "topic", topic_ids, "topic", errors)
    # Owners are editors: the same rule as the model's limit_choices_to.
    owner_ids = dict(
        get_user_model().objects.filter(username__in={r.values.get("owner") for r in rows} - {None})
        .filter(**Pledge._meta.get_field("owner").get_limit_choices_to())
        .values_list("username", "id")
    )
    _check_references(rows, "owner", owner_ids, "staff user name", errors)
    for row in rows:
        several = single_party_error(row.values.get("actor"))
        if several:
            errors.append(RowError(row.number, "actor", str(several)))

    slugs = [row.values["slug"] for row in rows if row.values.get("slug")]
    existing_ids, existing = {}, {}
    for pk, cells in _stored_cells(exporters.pledge_records(Pledge.objects.filter(slug__in=slugs)), PLEDGE_COLUMNS):
        existing_ids[cells["slug"]] = pk
        existing[cells["slug"]] = cells
    for row in rows:
        _check_pledge_rules(row, existing.get(row.values.get("slug")), errors)
    reject(errors)
    plan = _plan(rows, existing, lambda row: row.values["slug"], PLEDGE_COLUMNS)
    warnings = [
        RowError(row.number, "verdict", "not applied: verdicts change only through progress updates with a source")
        for row in rows
        if row.values.get("verdict") and row.values["verdict"] != existing.get(row.values["slug"], {}).get("verdict", "not_rated")
    ]
    report = ImportReport("pledges", plan, warnings, dry_run)
    if dry_run:
        return report
    if expected_fingerprint is not None and expected_fingerprint != report.fingerprint:
        raise ImportRejected([RowError(None, None, "the pledges changed since the preview; review the file again")])

    with _concurrent_writes_rejected("pledges"), transaction.atomic():
        _write_pledges(rows, plan, existing_ids, country_ids, topic_ids, owner_ids, user, reason)
    return report


def _check_pledge_rules(row, stored, errors):
    """Check the rules that tie columns together, on the pledge as it would be after the import.

    A column the file leaves out keeps its stored value, so the rules see that value.
    """
    by_name = {column.name: column for column in PLEDGE_COLUMNS}
    if row.failed:
        return  # the unreadable cells are reported already; rules on guesses would only confuse

    def value(name):
        if name in row.values:
            return row.values[name]
        return by_name[name].parse(stored[name]) if stored else by_name[name].parse("")

    problems = {
        **deadline_errors(value("deadline_precision"), value("deadline_start"), value("deadline_end")),
        **target_errors(value("target_unit") or "", value("target_value"), value("baseline_value")),
    }
    for name, message in problems.items():
        errors.append(RowError(row.number, name, str(message)))


def _named(model, rows, column, defaults):
    """Ids of the `model` rows named in `column`, creating those that do not exist yet."""
    names = {row.values[column] for row in rows if row.values.get(column)}
    ids = dict(model.objects.filter(name__in=names).values_list("name", "id"))
    missing = [model(name=name, **defaults(name)) for name in sorted(names - ids.keys())]
    for created in model.objects.bulk_create(missing):
        ids[created.name] = created.pk
    return ids


def _pledge_fields(values, refs):
    """Model field values per column for one row: {column: {field: value}}."""
    actor_ids, event_ids, topic_ids, owner_ids = refs
    by_column = {}
    for column, model_field in _PLEDGE_FIELDS.items():
        if column in values:
            value = values[column]
            if value is None and model_field in ("target_unit", "deadline_text"):
                value = ""
            by_column[column] = {model_field: value}
    lookups = {"actor": actor_ids, "event": event_ids, "topic": topic_ids, "owner": owner_ids}
    for column, ids in lookups.items():
        if column in values:
            by_column[column] = {f"{column}_id": ids.get(values[column])}
    return by_column


def _write_pledges(rows, plan, existing_ids, country_ids, topic_ids, owner_ids, user, reason):
    now = timezone.now()
    first_announced = {}
    for row in rows:
        if row.values.get("event"):
            first_announced.setdefault(row.values["event"], row.values.get("announced_on"))
    refs = (
        _named(Actor, rows, "actor", lambda name: {}),
        _named(Event, rows, "event", lambda name: {"held_on": first_announced.get(name)}),
        topic_ids,
        owner_ids,
    )
    actions = {change.row: change for change in plan}
    stored = Pledge.objects.in_bulk(
        [existing_ids[row.values["slug"]] for row in rows if actions[row.number].action == "update"]
    )
    # remind_after is cleared on every write: the reminder sweep looks at changed pledges again.
    to_create, to_update, changed_fields, new_countries = [], [], {"updated_at", "remind_after"}, {}
    for row in rows:
        change = actions[row.number]
        by_column = _pledge_fields(row.values, refs)
        slug = row.values["slug"]
        if change.action == "new":
            fields = {name: value for part in by_column.values() for name, value in part.items()}
            to_create.append(Pledge(slug=slug, created_at=now, updated_at=now, **fields))
            new_countries[slug] = row.values["beneficiaries"]
        elif change.action == "update":
            pledge = stored[existing_ids[slug]]
            for column, _old, _new in change.changes:
                for name, value in by_column.get(column, {}).items():
                    setattr(pledge, name, value)
                    changed_fields.add(name)
                if column == "beneficiaries":
                    new_countries[slug] = row.values["beneficiaries"]
            pledge.updated_at = now
            pledge.remind_after = None
            to_update.append(pledge)

    for pledge, pk in zip(to_create, bulk.insert(Pledge, [bulk.field_values(p) for p in to_create], return_ids=True)):
        pledge.pk = pledge.id = pk
    Pledge.objects.bulk_update(to_update, sorted(changed_fields), batch_size=1000)
    through = Pledge.beneficiaries.through
    pledge_ids = {pledge.slug: pledge.pk for pledge in to_create + to_update}
    through.objects.filter(pledge_id__in=[pledge_ids[s] for s in new_countries if s in existing_ids]).delete()
    bulk.insert(
        through,
        [
            {"pledge_id": pledge_ids[slug], "country_id": country_ids[code]}
            for slug, codes in new_countries.items()
            for code in codes
        ],
    )
    record_history(Pledge, to_create, created=True, user=user, reason=reason, now=now)
    record_history(Pledge, to_update, created=False, user=user, reason=reason, now=now)


# Progress updates -------------------------------------------------------------------------------

_UPDATE_FIELDS = _field_map(UPDATE_COLUMNS, skip={"key"})
_SOURCE_PARTS = ("url", "title", "publisher", "published_on")


def _update_key(row):
    return (row.values.get("pledge"), row.values.get("key")) if row.values.get("key") else None


def import_updates(data, *, user=None, dry_run=False, reason="CSV import", expected_fingerprint=None):
    """Import a progress-updates file. Returns an ImportReport; raises ImportRejected.

    The pledges named must exist. Every update cites at least one source; a measurement for a
    country must be for one of the pledge's beneficiaries. Afterwards each affected pledge's
    verdict is the newest published update's new verdict.
    """
    errors = Errors()
    rows = _parse(data, UPDATE_COLUMNS, errors)
    _check_duplicates(rows, _update_key, "key", errors)
    pledges = Pledge.objects.filter(slug__in={r.values.get("pledge") for r in rows}).only(
        "slug", "announced_on", "target_value"
    ).in_bulk(field_name="slug")
    pledge_ids = {slug: pledge.pk for slug, pledge in pledges.items()}
    _check_references(rows, "pledge", pledge_ids, "pledge slug", errors)
    _check_update_rules(rows, pledges, errors)
    codes = {r.values.get("measurement_country") for r in rows} - {None}
    country_ids = dict(Country.objects.filter(code__in={c.upper() for c in codes}).values_list("code", "id"))
    beneficiaries = set(
        Pledge.beneficiaries.through.objects.filter(pledge_id__in=pledge_ids.values()).values_list(
            "pledge_id", "country__code"
        )
    )
    for row in rows:
        values = row.values
        code = values.get("measurement_country")
        if code:
            code = values["measurement_country"] = code.upper()
            row.cells["measurement_country"] = code
            if code not in country_ids:
                errors.append(RowError(row.number, "measurement_country", f"unknown country code {code!r}"))
            elif (pledge_ids.get(values.get("pledge")), code) not in beneficiaries and values.get("pledge") in pledge_ids:
                errors.append(
                    RowError(row.number, "measurement_country", f"{code} is not a beneficiary of this pledge")
                )
            if values.get("measurement_value") is None:
                errors.append(RowError(row.number, "measurement_value", "a country's measurement needs a value"))
        for number in range(2, MAX_SOURCES + 1):
            prefix = f"source{number}_"
            if any(values.get(prefix + part) for part in _SOURCE_PARTS):
                for part in ("url", "title", "publisher"):
                    if not values.get(prefix + part):
                        errors.append(RowError(row.number, prefix + part, f"source {number} needs a {part}"))
    reject(errors)

    for row in rows:
        if not row.values.get("key"):
            row.values["key"] = row.cells["key"] = new_update_key()
    keyed = {(pledge_ids[row.values["pledge"]], row.values["key"]) for row in rows}
    existing_ids, existing = {}, {}
    stored = ProgressUpdate.objects.filter(
        pledge_id__in={pledge_id for pledge_id, _key in keyed}, key__in={key for _pledge, key in keyed}
    )
    for pk, cells in _stored_cells(exporters.update_records(stored), UPDATE_COLUMNS):
        existing_ids[(cells["pledge"], cells["key"])] = pk
        existing[(cells["pledge"], cells["key"])] = cells
    plan = _plan(rows, existing, _update_key, UPDATE_COLUMNS)
    report = ImportReport("updates", plan, [], dry_run)
    if dry_run:
        return report
    if expected_fingerprint is not None and expected_fingerprint != report.fingerprint:
        raise ImportRejected([RowError(None, None, "the updates changed since the preview; review the file again")])

    with _concurrent_writes_rejected("updates"), transaction.atomic():
        _write_updates(rows, plan, existing_ids, pledge_ids, country_ids, user, reason)
    return report


def _check_update_rules(rows, pledges, errors):
    """Each row against its pledge (announced before it, a target to measure towards), and one
    measurement per pledge, country and day, in the file and beside what is stored."""
    measured = {}  # (pledge slug, country code, day) -> (update key, row number or None if stored)
    stored = ProgressUpdate.objects.filter(
        pledge_id__in=[pledge.pk for pledge in pledges.values()], measurement_value__isnull=False
    ).values_list("pledge__slug", "measurement_country__code", "occurred_on", "key")
    for slug, code, day, key in stored:
        measured[(slug, code, day)] = (key, None)
    for row in rows:
        values, pledge = row.values, pledges.get(row.values.get("pledge"))
        if pledge is None or row.failed:
            continue
        problems = update_errors(pledge, values.get("occurred_on"), values.get("measurement_value"))
        for column, message in problems.items():
            errors.append(RowError(row.number, column, str(message)))
        if values.get("measurement_value") is None or not values.get("occurred_on") or problems:
            continue
        code = (values.get("measurement_country") or "").upper() or None
        place = (pledge.slug, code, values["occurred_on"])
        own_key = values.get("key") or f"(new in row {row.number})"  # a row with the stored key updates it
        key, number = measured.get(place, (None, None))
        if key is not None and key != own_key:
            where = f" (row {number})" if number else ""
            errors.append(RowError(row.number, "occurred_on", str(measurement_clash_error(values["occurred_on"], code)) + where))
        else:
            measured[place] = (own_key, row.number)


def _update_fields(values, country_ids):
    """Model field values per column for one row: {column: {field: value}}."""
    by_column = {
        column: {model_field: values[column]} for column, model_field in _UPDATE_FIELDS.items() if column in values
    }
    if "new_verdict" in by_column:
        by_column["new_verdict"] = {"new_verdict": values["new_verdict"] or ""}
    if "measurement_country" in values:
        by_column["measurement_country"] = {"measurement_country_id": country_ids.get(values["measurement_country"])}
    return by_column


def _row_sources(values):
    return [
        Source(position=number, **{part: values.get(f"source{number}_{part}") for part in _SOURCE_PARTS})
        for number in range(1, MAX_SOURCES + 1)
        if values.get(f"source{number}_url")
    ]


def _write_updates(rows, plan, existing_ids, pledge_ids, country_ids, user, reason):
    now = timezone.now()
    actions = {change.row: change for change in plan}
    stored = ProgressUpdate.objects.in_bulk(
        [existing_ids[_update_key(row)] for row in rows if actions[row.number].action == "update"]
    )
    to_create, to_update, changed_fields, sources_of = [], [], {"updated_at"}, []
    for row in rows:
        change = actions[row.number]
        by_column = _update_fields(row.values, country_ids)
        if change.action == "new":
            fields = {name: value for part in by_column.values() for name, value in part.items()}
            update = ProgressUpdate(
                pledge_id=pledge_ids[row.values["pledge"]], key=row.values["key"],
                created_at=now, updated_at=now, **fields,
            )
            to_create.append(update)
            sources_of.append((update, _row_sources(row.values)))
        elif change.action == "update":
            update = stored[existing_ids[_update_key(row)]]
            for column, _old, _new in change.changes:
                for name, value in by_column.get(column, {}).items():
                    setattr(update, name, value)
                    changed_fields.add(name)
            update.updated_at = now
            to_update.append(update)
            if any(column.startswith("source") for column, _old, _new in change.changes):
                sources_of.append((update, _row_sources(row.values)))

    new_ids = bulk.insert(ProgressUpdate, [bulk.field_values(u) for u in to_create], return_ids=True)
    for update, pk in zip(to_create, new_ids):
        update.pk = update.id = pk
    ProgressUpdate.objects.bulk_update(to_update, sorted(changed_fields), batch_size=1000)
    _replace_sources(sources_of, user=user, reason=reason, now=now)
    record_history(ProgressUpdate, to_create, created=True, user=user, reason=reason, now=now)
    record_history(ProgressUpdate, to_update, created=False, user=user, reason=reason, now=now)
    pledges_refresh_verdicts({update.pledge_id for update in to_create + to_update}, user=user, reason=reason)


def _replace_sources(updates_with_sources, *, user, reason, now):
    """Make each update's sources exactly the given ones, recording every change in history."""
    wanted = {update.pk: sources for update, sources in updates_with_sources}
    stored = {(s.update_id, s.position): s for s in Source.objects.filter(update_id__in=wanted)}
    created, changed = [], []
    for update_id, sources in wanted.items():
        for source in sources:
            source.update_id = update_id
            current = stored.pop((update_id, source.position), None)
            if current is None:
                created.append(source)
            elif any(getattr(current, part) != getattr(source, part) for part in _SOURCE_PARTS):
                source.pk = current.pk
                changed.append(source)
    for removed in stored.values():
        removed._history_user = user
        removed._change_reason = reason
        removed.delete()
    for source, pk in zip(created, bulk.insert(Source, [bulk.field_values(s) for s in created], return_ids=True)):
        source.pk = source.id = pk
    Source.objects.bulk_update(changed, list(_SOURCE_PARTS), batch_size=2000)
    record_history(Source, created, created=True, user=user, reason=reason, now=now)
    record_history(Source, changed, created=False, user=user, reason=reason, now=now)
