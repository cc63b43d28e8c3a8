"""How a checked pledges file is written: new and changed pledges in bulk, with the parties and
events it names, their targets and their audit history."""

from pledges.files.layouts.side_columns import MAX_TARGETS, TARGET_PARTS, target_column_names
from pledges.models import (
    Event,
    Party,
    Pledge,
    Target,
    TargetKind,
    event_slug,
)
from pledges.services import bulk, history_record, records_stamp_new, records_update
from pledges.services.history import PLEDGE_LINKS


def _waits(pledge):
    """Whether a new pledge follows one of the same file not written yet."""
    return pledge.follows is not None and pledge.follows.pk is None


class PledgeWrites:
    """PledgeResource's write path (django-import-export's bulk hooks call it)."""

    def write_new(self, instances, now):
        self._create_named_records()
        # A pledge that follows one new in this file is written after it, when that one has its key.
        remaining = instances
        while remaining:  # the rows' checks let a pledge follow only an earlier row, so this ends
            ready = [p for p in remaining if not _waits(p)]
            remaining = [p for p in remaining if _waits(p)]
            if not ready:
                raise RuntimeError("new pledges that follow none of the file's written pledges")
            for pledge in ready:
                self.relink(pledge)
            records_stamp_new(ready, now=now)
            for pledge, pk in zip(ready, bulk.insert(Pledge, [bulk.field_values(p) for p in ready], return_ids=True)):
                pledge.pk = pledge.id = pk

    def _create_named_records(self):
        """The parties and events the file names that do not exist yet, created once each."""
        for party, pk in zip(
            parties := self.records.new(Party, "file_key"),
            bulk.insert(Party, [bulk.field_values(p) for p in parties], return_ids=True),
        ):
            party.pk = party.id = pk
        events = self.records.new(Event, "name")
        taken = set(Event.objects.values_list("slug", flat=True)) if events else set()
        for event in events:  # held, unless the file says when, the day its first pledge was announced
            first = next((i for i, _row in self.pending if i.event is event), None)
            event.held_on = first.announced_on if first is not None and first.announced_precision == "day" else None
            for part, (value, _row_number) in self.event_details.get(event.name, {}).items():
                setattr(event, part, value)
            event.slug = event_slug(event.name, taken)  # bulk_create does not call save()
        Event.objects.bulk_create(events)

    def _write_event_details(self):
        """What the file says of events that were there already, saved one by one (an event is
        watched by the public version through its save signal; a file names few)."""
        for event in Event.objects.filter(name__in=list(self.event_details)):
            given = {part: value for part, (value, _row) in self.event_details[event.name].items()}
            changed = [part for part, value in given.items() if getattr(event, part) != value]
            if changed:
                for part in changed:
                    setattr(event, part, given[part])
                event.save(update_fields=changed)

    def write_changed(self, instances, attributes, now):
        for pledge in instances:
            self.relink(pledge)
        records_update(Pledge, instances, attributes, now=now)

    def write_related(self, created, changed, now):
        self._write_event_details()
        self._write_targets(created + changed, now)
        for column in PLEDGE_LINKS:
            through, field = getattr(Pledge, column).through, getattr(Pledge, column).field
            own, other = field.m2m_column_name(), field.m2m_reverse_name()  # pledge_id, party_id
            known = self.fields[column].widget.known(self.records)
            relinked = [
                (pledge, row)
                for pledge, row in changed
                if any(name == column for name, _old, _new in row.change.changes)
            ]
            through.objects.filter(**{f"{own}__in": [pledge.pk for pledge, _row in relinked]}).delete()
            # Written in the order the row names them, which is the order they are read back in.
            bulk.insert(
                through,
                [
                    {own: pledge.pk, other: known[key].pk}
                    for pledge, row in created + relinked
                    for key in row.values.get(column) or []
                ],
            )
        history_record(Pledge, [p for p, _row in created], created=True, user=self.user, reason=self.reason, now=now)
        history_record(Pledge, [p for p, _row in changed], created=False, user=self.user, reason=self.reason, now=now)

    def _write_targets(self, rows, now):
        """Make each row's pledge's targets those it asks for, recording each change in history."""
        target_columns = {name for number in range(1, MAX_TARGETS + 1) for name in target_column_names(number).values()}
        created, changed = [], []
        for pledge, row in rows:
            if not row.new and not any(name in target_columns for name, _old, _new in row.change.changes):
                continue
            for number in range(1, MAX_TARGETS + 1):
                values = row.targets.get(number)
                stored = self.stored_targets.get((pledge.pk, number)) if not row.new else None
                if values is None:
                    if stored is not None:
                        stored._history_user, stored._change_reason = self.user, self.reason
                        stored.delete()
                    continue
                target = Target(
                    pledge_id=pledge.pk,
                    position=number,
                    label=values["label"] or "",
                    unit=values["unit"],
                    baseline_value=values["baseline_value"],
                    baseline_on=values["baseline_on"],
                    target_value=values["target_value"],
                    value_qualifier=values["value_qualifier"] or "",
                    kind=values["kind"] or TargetKind.TOTAL,
                    milestones=values["milestones"] or [],
                    label_ru=values["label_ru"] or "",
                    label_zh_hans=values["label_zh_hans"] or "",
                    milestones_ru=values["milestones_ru"] or [],
                    milestones_zh_hans=values["milestones_zh_hans"] or [],
                )
                if stored is None:
                    created.append(target)
                elif any(getattr(stored, part) != getattr(target, part) for part in TARGET_PARTS):
                    target.pk = stored.pk
                    changed.append(target)
        Target.objects.bulk_create(created)
        Target.objects.bulk_update(changed, list(TARGET_PARTS), batch_size=1000)
        history_record(Target, created, created=True, user=self.user, reason=self.reason, now=now)
        history_record(Target, changed, created=False, user=self.user, reason=self.reason, now=now)
