"""The audit history read back: what changed between two versions, and edit conflicts.

Every write of a record stamps its `updated_at` (`Stamped.stamp`, by `save()` or `records_update`) when it changes
the record, so `updated_at` is the record's version. A form carries the version it was opened
at; the save locks the row and compares, and a stale save is refused with what changed
meanwhile, read from the audit history. Nobody's edit is silently overwritten.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import ModelChange

from pledges.models import Pledge, PreciseDate, ProgressUpdate, Source, Target
from pledges.services import bulk, public_version

# Bookkeeping columns, not something an editor changed.
UNAUDITED_FIELDS = frozenset({"created_at", "updated_at"})


class EditConflict(Exception):
    """Someone else saved these records after the editor opened them; nothing was written."""

    def __init__(self, messages):
        super().__init__(" ".join(messages))
        self.messages = messages


# Why not simple-history's `bulk_history_create` (behind bulk_create/update_with_history): it
# writes no many-to-many history, so a bulk-written pledge's history would have no parties, and
# it inserts with bulk_create. `make bench-history` (PostgreSQL, 10,000 pledges, best of 3 in one
# process): bulk_history_create 1,177 ms for the pledge rows alone, this 438 ms with the parties'
# and beneficiaries' rows too (COPY through services.bulk): 2.7 times as fast.
# A pledge's links, copied into each of its history rows.
PLEDGE_LINKS = ("parties", "beneficiaries", "more_topics", "also_follows")


def history_record(
    model: type[models.Model],
    objects: Sequence[models.Model],
    *,
    created: bool,
    user: AbstractBaseUser | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    """Write one audit-history row per object in bulk, as simple-history does on save().

    A pledge's history row also gets a copy of its parties, beneficiaries and more topics: without them, the
    history would show (and a revert would restore) a pledge made by and to nobody.
    """
    if not objects:
        return
    public_version.note_changes(model, objects)  # before the rows: the last ones are the old state
    history_model = model.history.model  # type: ignore[attr-defined]  # the manager simple-history adds
    extra = {
        "history_date": now or timezone.now(),
        "history_user_id": user.pk if user else None,
        "history_change_reason": reason,
        "history_type": "+" if created else "~",
    }
    tracked = [field.attname for field in history_model.tracked_fields]
    rows = [{**{name: getattr(obj, name) for name in tracked}, **extra} for obj in objects]
    history_ids = bulk.insert(history_model, rows, return_ids=model is Pledge)
    if model is Pledge:
        history_of = {obj.pk: history_id for obj, history_id in zip(objects, history_ids)}
        for column in PLEDGE_LINKS:
            m2m_history = apps.get_model("pledges", f"HistoricalPledge_{column}")
            field = getattr(Pledge, column).field
            own, other = field.m2m_column_name(), field.m2m_reverse_name()  # pledge_id, party_id
            links = bulk.filter_in(getattr(Pledge, column).through.objects, field.m2m_field_name(), history_of)
            bulk.insert(
                m2m_history,
                [
                    {"history_id": history_of[pledge_id], "id": link_id, own: pledge_id, other: other_id}
                    for link_id, pledge_id, other_id in links.values_list("id", own, other)
                ],
            )


def version_token(updated_at: datetime | None) -> str:
    """The version an editor's form carries: the record's `updated_at`, to the microsecond."""
    return updated_at.isoformat() if updated_at else ""


def _parse_token(token: str) -> datetime | None:
    try:
        return datetime.fromisoformat(token)
    except (TypeError, ValueError):
        return None


def stale_versions(model: type[models.Model], versions: Mapping[int, str]) -> list[models.Model]:
    """Lock the records in `versions` ({pk: token}) and return those saved since that version.

    Call inside a transaction: the row locks make a concurrent save wait until this one
    commits, so two editors can never both pass the check and both write.
    """
    locked = model._default_manager.select_for_update().filter(pk__in=versions).order_by("pk")
    return stale_records(locked, versions)


def stale_records(records: Iterable[Any], versions: Mapping[int, str]) -> list[Any]:
    """Those of `records` saved since the version in `versions` ({pk: token}); others are not checked."""
    return [
        record
        for record in records
        if record.pk in versions and version_token(record.updated_at) != versions[record.pk]
    ]


def delta(newer: Any, older: Any) -> list[ModelChange]:
    """The audited changes from history record `older` to history record `newer`, in field order.

    simple-history's `diff_against` compares every field it can; it reads values through
    `model_to_dict`, which skips fields no form edits (the verdict, set only from evidence), so
    those few are compared here.
    """
    audited = [field for field in newer.tracked_fields if field.name not in UNAUDITED_FIELDS]
    m2m_names = [field.name for field in newer._history_m2m_fields]
    compared = [field.name for field in audited if field.editable] + m2m_names
    changes = newer.diff_against(older, included_fields=compared, foreign_keys_are_objs=True).changes
    changes += [
        ModelChange(field.name, getattr(older, field.attname), getattr(newer, field.attname))
        for field in audited
        if not field.editable and getattr(older, field.attname) != getattr(newer, field.attname)
    ]
    order = {name: position for position, name in enumerate([field.name for field in audited] + m2m_names)}
    return sorted(changes, key=lambda change: order[change.field])


RELATED_HISTORY_LIMIT = 200
# How simple-history's change types read in the editor's language.
_CHANGE_WORDS = {"+": gettext_lazy("added"), "~": gettext_lazy("changed"), "-": gettext_lazy("removed")}


def related_history(pledge_id: int, limit: int = RELATED_HISTORY_LIMIT) -> list[dict[str, Any]]:
    """What happened to a pledge's progress updates, their sources and its targets, newest first:
    [{when, what, change, who, why}], from their own audit history (removed ones included)."""
    updates = ProgressUpdate.history.model.objects
    update_ids = set(updates.filter(pledge_id=pledge_id).values_list("id", flat=True))
    rows = []
    for records, describe in (
        (
            updates.filter(pledge_id=pledge_id),
            lambda r: (
                _("Update of %(date)s: %(summary)s")
                % {"date": PreciseDate.of(r.occurred_on, r.occurred_precision).iso, "summary": r.summary[:80]}
            ),
        ),
        (
            Source.history.model.objects.filter(update_id__in=update_ids),
            lambda r: (
                _("Source %(position)s, %(title)s (%(publisher)s)")
                % {"position": r.position, "title": r.title, "publisher": r.publisher}
            ),
        ),
        (
            Target.history.model.objects.filter(pledge_id=pledge_id),
            lambda r: _("Target %(position)s: %(value)s") % {"position": r.position, "value": r.target_value},
        ),
    ):
        for record in records.select_related("history_user").order_by("-history_date")[:limit]:
            rows.append(
                {
                    "when": record.history_date,
                    "what": describe(record),
                    "change": _CHANGE_WORDS.get(record.history_type, record.history_type),
                    "who": record.history_user,
                    "why": record.history_change_reason,
                }
            )
    return sorted(rows, key=lambda row: row["when"], reverse=True)[:limit]


def describe_change(model: type[models.Model], change: ModelChange) -> tuple[str, str, str]:
    """One change as an editor reads it: the field's label, and the old and new values shown."""
    field: Any = model._meta.get_field(change.field)  # a field the history tracks, never a reverse relation
    return str(field.verbose_name).capitalize(), _display(field, change.old), _display(field, change.new)


def _display(field: Any, value: Any) -> str:  # a model field or relation, as _meta gives it
    if field.many_to_many:
        # Rows of the through table, with related objects (delta() asks for objects).
        names = sorted(
            str(item) for row in value or [] for item in row.values() if isinstance(item, field.related_model)
        )
        return ", ".join(names) or "-"
    if value in (None, ""):
        return "-"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateField):
        return formats.date_format(value, "Y-m-d") if hasattr(value, "year") else str(value)
    return str(value)


def changes_since(record: Any, token: str) -> str:
    """What changed in `record` since version `token`, who changed it and when, as one sentence."""
    loaded_at = _parse_token(token)
    history = record.history.select_related("history_user")
    newer = list(history.filter(updated_at__gt=loaded_at).order_by("history_date", "history_id")) if loaded_at else []
    base = (
        history.filter(updated_at__lte=loaded_at).order_by("-history_date", "-history_id").first()
        if loaded_at
        else None
    )
    who = sorted({str(entry.history_user or _("an import or a task")) for entry in newer}) or [_("someone")]
    when = formats.date_format(timezone.localtime(newer[-1].history_date), "Y-m-d H:i") if newer else "?"
    details = ""
    if newer and base:
        parts = [
            f"{label}: “{old}” → “{new}”"
            for label, old, new in (describe_change(type(record), change) for change in delta(newer[-1], base))
        ]
        details = "; ".join(parts)
    return _("“%(record)s” was saved by %(who)s at %(when)s, after you opened it%(details)s.") % {
        "record": record,
        "who": ", ".join(who),
        "when": when,
        "details": f" ({details})" if details else "",
    }


def conflict_messages(stale: Sequence[models.Model], versions: Mapping[int, str]) -> list[str]:
    """The messages an editor sees for each record in `stale`, with what to do next."""
    return [changes_since(record, versions[record.pk]) for record in stale] + [
        _("Your changes were not saved. Open the page again to see the current version, then make your changes again.")
    ]


def update_sources_at(*, update: ProgressUpdate, at: datetime) -> list:
    """The sources an update cited at `at`, as their audit-history rows, in their order."""
    then: dict[int, Any] = {}  # simple-history's rows, a model made at run time
    history = Source.history.filter(update_id=update.pk, history_date__lte=at)
    for row in history.order_by("id", "-history_date", "-history_id"):
        then.setdefault(row.id, row)
    return sorted((row for row in then.values() if row.history_type != "-"), key=lambda row: row.position)


def update_sources_restore(
    *, update: ProgressUpdate, at: datetime, user: AbstractBaseUser | None = None
) -> list[Source]:
    """Make an update's sources what they were at `at` (the time of the version it is reverted to).

    simple-history reverts the update's own row only, so a revert left today's sources under the
    old figure ("$106.3 billion in 2025" cited to a November 2026 article). The sources' own audit
    history says which existed then and what they said: those come back (a deleted one with its
    old id), the ones added since go, each change recorded. Returns the sources as restored.
    """
    wanted = {row.id: row for row in update_sources_at(update=update, at=at)}
    # What the audit history keeps (not the link check's own columns, which it leaves out).
    kept = {field.attname for field in Source.history.model._meta.concrete_fields}
    fields = [field.attname for field in Source._meta.concrete_fields if field.attname in kept]
    current = {source.pk: source for source in update.sources.all()}
    as_then = {pk: {name: getattr(row, name) for name in fields} for pk, row in wanted.items()}
    if {pk: {name: getattr(source, name) for name in fields} for pk, source in current.items()} == as_then:
        return list(current.values())
    reason = "Restored with the update's reverted version"
    for source in current.values():  # all go first: a position is unique within the update
        source._history_user, source._change_reason = user, reason  # type: ignore[attr-defined]
        source.delete()
    restored = []
    for values in sorted(as_then.values(), key=lambda values: values["position"]):
        source = Source(**values)
        source._history_user, source._change_reason = user, reason  # type: ignore[attr-defined]
        source.save(force_insert=True)
        restored.append(source)
    return restored


def pledge_targets_restore(*, pledge: Pledge, at: datetime, user: AbstractBaseUser | None = None) -> list[Target]:
    """Make a pledge's targets what they were at `at` (the time of the version it is reverted to).

    As with an update's sources, simple-history reverts the pledge's own row only: the targets
    come back from their own audit history (a deleted one with its old id, a changed one with
    its old values); one added since goes, unless measurements count towards it (they would be
    left measuring nothing), and then it stays. Each change is recorded.
    """
    then: dict[int, Any] = {}
    for row in Target.history.filter(pledge_id=pledge.pk, history_date__lte=at).order_by(
        "id", "-history_date", "-history_id"
    ):
        then.setdefault(row.id, row)
    wanted = {pk: row for pk, row in then.items() if row.history_type != "-"}
    fields = [field.attname for field in Target._meta.concrete_fields]
    as_then = {pk: {name: getattr(row, name) for name in fields} for pk, row in wanted.items()}
    current = {target.pk: target for target in pledge.targets.all()}
    if {pk: {name: getattr(target, name) for name in fields} for pk, target in current.items()} == as_then:
        return list(current.values())
    reason = "Restored with the pledge's reverted version"
    measured = set(ProgressUpdate.objects.filter(target__in=current).values_list("target_id", flat=True))
    for pk, target in current.items():
        if pk not in as_then and pk not in measured:
            target._history_user, target._change_reason = user, reason  # type: ignore[attr-defined]
            target.delete()
    # Positions are unique within a pledge: the kept ones step aside before each takes its old place.
    kept = [current[pk] for pk in as_then if pk in current]
    if kept:
        Target.objects.filter(pk__in=[target.pk for target in kept]).update(position=models.F("position") + 1000)
    restored = []
    for pk, values in sorted(as_then.items(), key=lambda item: item[1]["position"]):
        target = current.get(pk) or Target(pk=pk)
        for name, value in values.items():
            setattr(target, name, value)
        target._history_user, target._change_reason = user, reason  # type: ignore[attr-defined]
        target.save(force_insert=pk not in current)
        restored.append(target)
    return restored
