"""The pledge and progress-update files: one declaration of each layout, a column a line.

The README's column tables, the public /pledges.csv, the seeds, the admin and every command
read these resources. A new column is one `Column(...)` line (and, for a side column, its part
of the layout's write path).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from pledges.files.errors import RowError
from pledges.files.resources import Column, RecordResource
from pledges.files.widgets import (
    BooleanCell,
    ChoiceCell,
    DateCell,
    DecimalCell,
    LookupCell,
    PartiesCell,
    PeriodCell,
    SlugCell,
    TextCell,
    UrlCell,
)
from pledges.models import (
    Country,
    DeadlinePrecision,
    Event,
    FollowUp,
    Party,
    Pledge,
    ProgressUpdate,
    Source,
    SourceGrade,
    Target,
    Topic,
    Unit,
    Verdict,
    deadline_errors,
    event_slug,
    evidence_errors,
    follow_up_errors,
    measurement_clash_error,
    new_update_key,
    period_errors,
    target_errors,
    update_errors,
)
from pledges.services import bulk, pledges_refresh_verdicts, record_history

MAX_SOURCES = 3
_SOURCE_PARTS = ("url", "title", "publisher", "published_on", "grade")


def _staff():
    # Owners are editors: the same rule as the model field's limit_choices_to.
    return get_user_model().objects.filter(**Pledge._meta.get_field("owner").get_limit_choices_to())


MAX_TARGETS = 3
_TARGET_PARTS = ("label", "unit", "baseline_value", "baseline_on", "target_value")


def target_column_names(number):
    """{Target field: column name} of a pledge's target `number`: target_unit, baseline_value,
    ... for the first (the names of the one-target layout), target2_unit ... for the others."""
    if number == 1:
        return {
            "label": "target_label",
            "unit": "target_unit",
            "baseline_value": "baseline_value",
            "baseline_on": "baseline_on",
            "target_value": "target_value",
        }
    return {
        "label": f"target{number}_label",
        "unit": f"target{number}_unit",
        "baseline_value": f"target{number}_baseline_value",
        "baseline_on": f"target{number}_baseline_on",
        "target_value": f"target{number}_value",
    }


def _target_columns(number):
    names = target_column_names(number)
    which = "the" if number == 1 else f"a {('second', 'third')[number - 2]}"
    example = (
        {"label": "annual trade", "unit": "usd", "baseline": "50100000000", "on": "2021-12-31", "value": "70000000000"}
        if number == 1
        else {
            "label": "government scholarships",
            "unit": "scholarships",
            "baseline": "0",
            "on": "2023-05-19",
            "value": "3000",
        }
    )
    return (
        Column(
            names["label"],
            names["label"],
            TextCell(max_length=200),
            side=True,
            meaning=f"What {which} quantitative target counts.",
            example=example["label"],
        ),
        Column(
            names["unit"],
            names["unit"],
            LookupCell(Unit, "code", what="unit", max_length=30, vocabulary=True, format=SlugCell.format),
            side=True,
            meaning=f"Unit of {which} target, by its code; editors add units in the admin.",
            example=example["unit"],
        ),
        Column(
            names["baseline_value"],
            names["baseline_value"],
            DecimalCell(),
            side=True,
            meaning="Its value when the pledge was made.",
            example=example["baseline"],
        ),
        Column(
            names["baseline_on"],
            names["baseline_on"],
            DateCell(),
            side=True,
            meaning="Date of that baseline value.",
            example=example["on"],
        ),
        Column(
            names["target_value"],
            names["target_value"],
            DecimalCell(),
            side=True,
            meaning="The promised value.",
            example=example["value"],
        ),
    )


# One cell reader for both party columns, so a party named in both (a mutual commitment) is one record.
_PARTIES = PartiesCell(Party, Country, required=True)
# The columns' names in files of an earlier layout, read as today's.
_OLD_COLUMN_NAMES = {"actor": "parties"}


class PledgeResource(RecordResource):
    """The pledges file: one row per pledge, matched on its slug."""

    kind = "pledges"
    key_column = "slug"

    slug = Column(
        "slug",
        "slug",
        SlugCell(required=True, max_length=120),
        meaning="Stable key of the pledge; rows match existing pledges on it.",
        example="trade-70-billion-by-2030",
    )
    title = Column(
        "title",
        "title",
        TextCell(required=True, max_length=200),
        meaning="Short headline.",
        example="Raise trade to $70 billion by 2030",
    )
    parties = Column(
        "parties",
        "parties",
        _PARTIES,
        side=True,
        meaning="Who made it: one party, or several for a joint pledge; a state by its country's code "
        "(parties are created if new). Files of November 2026 call the column actor.",
        example="Xi Jinping",
    )
    beneficiaries = Column(
        "beneficiaries",
        "beneficiaries",
        _PARTIES,
        side=True,
        meaning="Who it was made to, the same way; a pledging party may be one too.",
        example="KZ|KG|TJ|TM|UZ",
    )
    event = Column(
        "event",
        "event",
        LookupCell(Event, "name", what="event", max_length=300, create=True),
        meaning="Where it was announced (created if new).",
        example="China–Central Asia virtual summit",
    )
    announced_on = Column(
        "announced_on",
        "announced_on",
        DateCell(required=True),
        meaning="The day it was announced.",
        example="2022-01-25",
    )
    quote = Column(
        "quote",
        "quote",
        TextCell(required=True),
        meaning="The pledge's own words, verbatim.",
        example="striving to increase trade between our two sides to $70 billion by 2030",
    )
    summary = Column(
        "summary",
        "summary",
        TextCell(required=True),
        meaning="A neutral summary.",
        example="Grow trade to $70 billion a year by 2030.",
    )
    topic = Column(
        "topic",
        "topic",
        LookupCell(Topic, "slug", what="topic", required=True, max_length=50, format=SlugCell.format, vocabulary=True),
        meaning="Topic slug; editors add topics in the admin, a file never does.",
        example="trade",
    )
    source_title = Column(
        "source_title",
        "source_title",
        TextCell(required=True, max_length=300),
        meaning="Title of the document that reports the pledge.",
        example="Xi announces initiatives ...",
    )
    source_publisher = Column(
        "source_publisher",
        "source_publisher",
        TextCell(required=True, max_length=200),
        meaning="Who published that document.",
        example="Global Times",
    )
    source_url = Column(
        "source_url",
        "source_url",
        UrlCell(required=True, max_length=500),
        meaning="Where it can be read.",
        example="https://www.globaltimes.cn/page/202201/1246977.shtml",
    )
    source_published_on = Column(
        "source_published_on", "source_published_on", DateCell(), meaning="When it was published.", example="2022-01-25"
    )
    deadline_text = Column(
        "deadline_text",
        "deadline_text",
        TextCell(max_length=200),
        meaning="The deadline in the pledge's words.",
        example="by 2030",
    )
    deadline_precision = Column(
        "deadline_precision",
        "deadline_precision",
        ChoiceCell(DeadlinePrecision.choices, required=True),
        meaning="How precisely those words fix a date.",
        example="year",
    )
    deadline_start = Column(
        "deadline_start",
        "deadline_start",
        DateCell(),
        meaning="Start of the deadline window (ranges).",
        example="2027-01-25",
    )
    deadline_end = Column(
        "deadline_end", "deadline_end", DateCell(), meaning="End of the deadline window.", example="2030-12-31"
    )
    (
        target_label,
        target_unit,
        baseline_value,
        baseline_on,
        target_value,
        target2_label,
        target2_unit,
        target2_baseline_value,
        target2_baseline_on,
        target2_value,
        target3_label,
        target3_unit,
        target3_baseline_value,
        target3_baseline_on,
        target3_value,
    ) = (column for number in range(1, MAX_TARGETS + 1) for column in _target_columns(number))
    ruling = Column(
        "ruling",
        "ruling",
        TextCell(),
        meaning="Why the verdict is what it is (or why it is not yet rated), in the editor's words.",
        example="Kept: trade reached $70.2 billion in 2022, eight years early.",
    )
    owner = Column(
        "owner",
        "owner",
        LookupCell(get_user_model(), "username", what="staff user name", max_length=150, queryset=_staff()),
        meaning="User name of the editor who owns it.",
        example="editor",
    )
    published = Column("is_published", "published", BooleanCell(), meaning="Shown to the public.", example="yes")
    last_reviewed_on = Column(
        "last_reviewed_on",
        "last_reviewed_on",
        DateCell(),
        meaning="When an editor last reviewed it.",
        example="2026-11-01",
    )
    follows = Column(
        "follows",
        "follows",
        LookupCell(Pledge, "slug", what="pledge slug", max_length=120, format=SlugCell.format),
        meaning="Slug of the earlier pledge this one renews, extends, replaces or restates "
        "(it must be imported first).",
        example="trade-70-billion-by-2030",
    )
    follow_up = Column(
        "follow_up", "follow_up", ChoiceCell(FollowUp.choices), meaning="How it follows that pledge.", example="renews"
    )
    verdict = Column(
        "verdict",
        "verdict",
        ChoiceCell(Verdict.choices),
        export_only=True,
        meaning="Current verdict. Export only: verdicts come from progress updates.",
        example="kept",
    )

    class Meta(RecordResource.Meta):
        model = Pledge
        import_id_fields = ("slug",)

    def row_key(self, row):
        return (str(row.get("slug") or "").strip()) or None

    def record_key(self, record):
        return record["slug"]

    def stored_records(self, keys):
        return {pledge.slug: pledge for pledge in bulk.filter_in(Pledge.objects, "slug", keys)} if keys else {}

    def related_cells(self, pks):
        cells = self._party_cells(pks)
        for number in range(1, MAX_TARGETS + 1):
            cells.update({name: {} for name in target_column_names(number).values()})
        targets = Target.objects.filter(pledge_id__gte=pks[0], pledge_id__lte=pks[-1], position__lte=MAX_TARGETS)
        for pledge_id, position, *values in targets.values_list(
            "pledge_id", "position", "label", "unit__code", "baseline_value", "baseline_on", "target_value"
        ):
            for column, value in zip(target_column_names(position).values(), values):
                cells[column][pledge_id] = value
        return cells

    def _party_cells(self, pks):
        # The parties are few and read once; the links without a join (a third faster).
        if not hasattr(self, "_party_keys"):
            self._party_keys = {
                pk: code or name for pk, name, code in Party.objects.values_list("pk", "name", "country__code")
            }
        cells = {}
        for column in ("parties", "beneficiaries"):
            keys = cells[column] = {}
            # `pks` come in order (iter_queryset): a range is a cheaper query than a list of 2,000.
            links = getattr(Pledge, column).through.objects.filter(pledge_id__gte=pks[0], pledge_id__lte=pks[-1])
            for pledge_id, party_id in links.values_list("pledge_id", "party_id"):
                keys.setdefault(pledge_id, []).append(self._party_keys[party_id])
            for pledge_id in keys:
                keys[pledge_id].sort()
        return cells

    def before_import(self, dataset, **kwargs):
        headers = set(dataset.headers)
        if headers & _OLD_COLUMN_NAMES.keys():  # a file of an earlier layout: its columns as today's
            dataset.headers = [
                _OLD_COLUMN_NAMES[name]
                if name in _OLD_COLUMN_NAMES and _OLD_COLUMN_NAMES[name] not in headers
                else name
                for name in dataset.headers
            ]
        super().before_import(dataset, **kwargs)
        pledge_ids = [pledge.pk for pledge in self.stored_instances.values()]
        self.stored_targets = (
            {
                (t.pledge_id, t.position): t
                for t in bulk.filter_in(Target.objects.select_related("unit"), "pledge", pledge_ids)
            }
            if pledge_ids
            else {}
        )
        self.measured_targets = (
            set(
                ProgressUpdate.objects.filter(target__in=[t.pk for t in self.stored_targets.values()])
                .values_list("target__pledge_id", "target__position")
                .distinct()
            )
            if self.stored_targets
            else set()
        )

    def wanted_targets(self, instance, row):
        """{position: {Target field: value}} the row asks for; a column the file leaves out keeps
        what is stored."""
        wanted = {}
        for number in range(1, MAX_TARGETS + 1):
            stored = self.stored_targets.get((instance.pk, number)) if instance.pk else None
            values = {}
            for part, column in target_column_names(number).items():
                if column in row.values:
                    values[part] = row.values[column]
                else:
                    values[part] = getattr(stored, part) if stored is not None else None
            if any(value not in (None, "") for value in values.values()):
                wanted[number] = values
        return wanted

    def rule_errors(self, instance, row):
        # A column the file leaves out keeps its stored value, so the rules see that value.
        errors = {
            **deadline_errors(instance.deadline_precision, instance.deadline_start, instance.deadline_end),
            **follow_up_errors(instance.follows, instance.follow_up, instance.slug, instance.announced_on),
        }
        wanted = row.targets = self.wanted_targets(instance, row)
        for number in range(1, MAX_TARGETS + 1):
            names = target_column_names(number)
            values = wanted.get(number)
            if values is None:
                if instance.pk and (instance.pk, number) in self.measured_targets:
                    errors[names["target_value"]] = (
                        f"target {number} has measurements; it cannot be removed "
                        "(remove or move its measurements first)"
                    )
                continue
            for part, message in target_errors(
                values["unit"], values["target_value"], values["baseline_value"]
            ).items():
                errors[names[part]] = message
        verdict = row.values.get("verdict")
        if verdict and verdict != row.stored.get("verdict", Verdict.NOT_RATED):
            self.warnings.append(
                RowError(
                    row.number, "verdict", "not applied: verdicts change only through progress updates with a source"
                )
            )
        return {column: str(message) for column, message in errors.items()}

    def write_new(self, instances, now):
        self._create_named_records()
        for pledge in instances:
            self.relink(pledge)
            pledge.created_at = pledge.updated_at = now
            pledge.remind_after = None
        for pledge, pk in zip(
            instances, bulk.insert(Pledge, [bulk.field_values(p) for p in instances], return_ids=True)
        ):
            pledge.pk = pledge.id = pk

    def _create_named_records(self):
        """The parties and events the file names that do not exist yet, created once each."""
        for party, pk in zip(
            parties := self.fields["parties"].widget.new_records,
            bulk.insert(Party, [bulk.field_values(p) for p in parties], return_ids=True),
        ):
            party.pk = party.id = pk
        events = self.fields["event"].widget.new_records
        taken = set(Event.objects.values_list("slug", flat=True)) if events else set()
        for event in events:  # an event is first held when its first pledge was announced
            event.held_on = next((i.announced_on for i, _row in self.pending if i.event is event), None)
            event.slug = event_slug(event.name, taken)  # bulk_create does not call save()
        Event.objects.bulk_create(events)

    def write_changed(self, instances, attributes, now):
        for pledge in instances:
            self.relink(pledge)
            pledge.updated_at = now
            pledge.remind_after = None  # the reminder sweep looks at changed pledges again
        Pledge.objects.bulk_update(instances, sorted(attributes | {"updated_at", "remind_after"}), batch_size=1000)

    def write_related(self, created, changed, now):
        known = self.fields["parties"].widget.known
        self._write_targets(created + changed, now)
        for column in ("parties", "beneficiaries"):
            through = getattr(Pledge, column).through
            relinked = [
                (pledge, row)
                for pledge, row in changed
                if any(name == column for name, _old, _new in row.change.changes)
            ]
            through.objects.filter(pledge_id__in=[pledge.pk for pledge, _row in relinked]).delete()
            bulk.insert(
                through,
                [
                    {"pledge_id": pledge.pk, "party_id": known[key].pk}
                    for pledge, row in created + relinked
                    for key in row.values[column]
                ],
            )
        record_history(Pledge, [p for p, _row in created], created=True, user=self.user, reason=self.reason, now=now)
        record_history(Pledge, [p for p, _row in changed], created=False, user=self.user, reason=self.reason, now=now)

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
                )
                if stored is None:
                    created.append(target)
                elif any(getattr(stored, part) != getattr(target, part) for part in _TARGET_PARTS):
                    target.pk = stored.pk
                    changed.append(target)
        Target.objects.bulk_create(created)
        Target.objects.bulk_update(changed, list(_TARGET_PARTS), batch_size=1000)
        record_history(Target, created, created=True, user=self.user, reason=self.reason, now=now)
        record_history(Target, changed, created=False, user=self.user, reason=self.reason, now=now)


def _source_columns(number):
    prefix = f"source{number}_"
    first = number == 1
    """The columns of an update's source `number`: url, title, publisher, published_on, grade."""
    return (
        Column(
            prefix + "url",
            prefix + "url",
            UrlCell(required=first, max_length=500),
            side=True,
            meaning=f"Source {number}: address.",
            example="https://en.people.cn/...",
        ),
        Column(
            prefix + "title",
            prefix + "title",
            TextCell(required=first, max_length=300),
            side=True,
            meaning=f"Source {number}: title.",
            example="Trade hits record",
        ),
        Column(
            prefix + "publisher",
            prefix + "publisher",
            TextCell(required=first, max_length=200),
            side=True,
            meaning=f"Source {number}: publisher.",
            example="People's Daily",
        ),
        Column(
            prefix + "published_on",
            prefix + "published_on",
            DateCell(),
            side=True,
            meaning=f"Source {number}: date.",
            example="2026-01-20",
        ),
        Column(
            prefix + "grade",
            prefix + "grade",
            ChoiceCell(SourceGrade.choices),
            side=True,
            meaning=f"Source {number}: primary (the official text), reporting (the default) or weak; "
            "a verdict needs one that is not weak.",
            example="primary",
        ),
    )


class ProgressUpdateResource(RecordResource):
    """The progress-updates file: one row per update, matched on its pledge and key, sources as columns."""

    kind = "updates"

    pledge = Column(
        "pledge",
        "pledge",
        LookupCell(Pledge, "slug", what="pledge slug", required=True, max_length=120, format=SlugCell.format),
        meaning="Slug of the pledge the update belongs to.",
        example="trade-70-billion-by-2030",
    )
    key = Column(
        "key",
        "key",
        SlugCell(max_length=60),
        default=new_update_key,
        meaning="Stable key of the update within its pledge; rows match on pledge and key. "
        "Leave empty for a new update to get one.",
        example="trade-2025",
    )
    occurred_on = Column(
        "occurred_on",
        "occurred_on",
        DateCell(required=True),
        meaning="When it happened or was reported.",
        example="2026-01-18",
    )
    summary = Column(
        "summary",
        "summary",
        TextCell(required=True),
        meaning="What happened.",
        example="Trade reached $106.3 billion in 2025.",
    )
    new_verdict = Column(
        "new_verdict",
        "new_verdict",
        ChoiceCell(Verdict.choices),
        meaning="The verdict this evidence supports, if it changes it.",
        example="kept",
    )
    measurement_value = Column(
        "measurement_value",
        "measurement_value",
        DecimalCell(),
        meaning="A measured value of one of the pledge's targets.",
        example="106300000000",
    )
    target = Column(
        "target",
        "target",
        ChoiceCell([(str(n), str(n)) for n in range(1, MAX_TARGETS + 1)]),
        side=True,
        meaning="Which of the pledge's targets the value measures, by number (empty: the first).",
        example="1",
    )
    measured_period = Column(
        "measured_period",
        "measured_period",
        PeriodCell(),
        side=True,
        meaning="The period the value describes, when it is not the day of the update "
        "(trade in 2022, reported in May 2023).",
        example="2022",
    )
    measurement_country = Column(
        "measurement_country",
        "measurement_country",
        LookupCell(Country, "code", what="country code", max_length=2, upper=True),
        meaning="Country code when the value is for one country.",
        example="TJ",
    )
    published = Column("is_published", "published", BooleanCell(), meaning="Shown to the public.", example="yes")
    source1_url, source1_title, source1_publisher, source1_published_on, source1_grade = _source_columns(1)
    source2_url, source2_title, source2_publisher, source2_published_on, source2_grade = _source_columns(2)
    source3_url, source3_title, source3_publisher, source3_published_on, source3_grade = _source_columns(3)

    class Meta(RecordResource.Meta):
        model = ProgressUpdate
        import_id_fields = ("pledge", "key")

    def row_key(self, row):
        key = str(row.get("key") or "").strip()
        return (str(row.get("pledge") or "").strip(), key) if key else None

    def record_key(self, record):
        return (record["pledge"], record["key"])

    def key_text(self, instance):
        return f"{instance.pledge.slug if instance.pledge_id or instance.pledge else ''}/{instance.key}"

    def stored_records(self, keys):
        if not keys:
            return {}
        stored = (
            bulk.filter_in(ProgressUpdate.objects, "key", {key for _slug, key in keys})
            .filter(pledge__slug__in={slug for slug, _key in keys})
            .select_related("pledge")
        )
        return {
            (update.pledge.slug, update.key): update for update in stored if (update.pledge.slug, update.key) in keys
        }

    def related_cells(self, pks):
        cells = {f"source{number}_{part}": {} for number in range(1, MAX_SOURCES + 1) for part in _SOURCE_PARTS}
        cells["target"], cells["measured_period"] = targets, periods = {}, {}
        measured = ProgressUpdate.objects.filter(pk__gte=pks[0], pk__lte=pks[-1], target__isnull=False)
        for pk, position, *period in measured.values_list(
            "pk", "target__position", "measured_precision", "measured_start", "measured_end"
        ):
            targets[pk] = str(position)
            if period[0]:
                periods[pk] = tuple(period)
        cited = {}  # update id -> how many of its sources were read
        # `pks` come in order (iter_queryset): a range is a cheaper query than a list of 2,000.
        sources = Source.objects.filter(update_id__gte=pks[0], update_id__lte=pks[-1]).order_by("update_id", "position")
        for update_id, *values in sources.values_list("update_id", *_SOURCE_PARTS):
            number = cited[update_id] = cited.get(update_id, 0) + 1
            if number <= MAX_SOURCES:
                for part, value in zip(_SOURCE_PARTS, values):
                    cells[f"source{number}_{part}"][update_id] = value
        return cells

    def before_import(self, dataset, **kwargs):
        if "key" not in dataset.headers and "pledge" in dataset.headers:
            dataset.append_col([""] * len(dataset), header="key")  # every row a new update
        super().before_import(dataset, **kwargs)
        pledge_ids = [pledge.pk for pledge in self.fields["pledge"].widget.known.values()]
        self.beneficiaries = set(
            Pledge.beneficiaries.through.objects.filter(pledge_id__in=pledge_ids).values_list(
                "pledge_id", "party__country__code"
            )
        )
        self.targets = {(t.pledge_id, str(t.position)): t for t in Target.objects.filter(pledge_id__in=pledge_ids)}
        self.target_positions = {t.pk: position for (_pledge_id, position), t in self.targets.items()}
        # One measurement per target, country and period: what is stored, then each row as read.
        self.measured = {
            (target_id, code, measured_end or day): (key, None)
            for target_id, code, measured_end, day, key in ProgressUpdate.objects.filter(
                pledge_id__in=pledge_ids, measurement_value__isnull=False
            ).values_list("target_id", "measurement_country__code", "measured_end", "occurred_on", "key")
        }

    def import_instance(self, instance, row, **kwargs):
        """The row's cells, then its measurement's target (by number) and period set on the update."""
        super().import_instance(instance, row, **kwargs)
        values = self.row.values
        if "measured_period" in values:
            instance.measured_precision, instance.measured_start, instance.measured_end = values["measured_period"] or (
                "",
                None,
                None,
            )
        if instance.measurement_value is None:
            instance.target = None
            return
        stored = self.target_positions.get(instance.target_id) if instance.target_id else None
        stored_position = stored or "1"
        position = values.get("target") or stored_position if "target" in values else stored_position
        instance.target = self.targets.get((instance.pledge.pk, position))
        if instance.target is None and any(pledge_id == instance.pledge.pk for pledge_id, _n in self.targets):
            numbers = sorted(n for pledge_id, n in self.targets if pledge_id == instance.pledge.pk)
            self.row.failed = True
            raise ValidationError(
                {"target": f"this pledge has no target {position}; its targets are " + ", ".join(numbers)}
            )

    def rule_errors(self, instance, row):
        pledge = instance.pledge
        errors = {
            column: str(message)
            for column, message in update_errors(
                pledge,
                instance.occurred_on,
                instance.measurement_value,
                instance.target,
                has_targets=(pledge.pk, "1") in self.targets,
            ).items()
        }
        for _field, message in period_errors(
            instance.measured_precision,
            instance.measured_start,
            instance.measured_end,
            instance.measurement_value is not None,
        ).items():
            errors["measured_period"] = str(message)
        country = instance.measurement_country
        if country is not None:
            if (pledge.pk, country.code) not in self.beneficiaries:
                errors["measurement_country"] = f"{country.code} is not a beneficiary of this pledge"
            if instance.measurement_value is None:
                errors["measurement_value"] = "a country's measurement needs a value"
        for number in range(2, MAX_SOURCES + 1):
            prefix = f"source{number}_"
            if any(row.values.get(prefix + part) for part in _SOURCE_PARTS):
                for part in ("url", "title", "publisher"):
                    if not row.values.get(prefix + part):
                        errors[prefix + part] = f"source {number} needs a {part}"
        # A file without grade columns leaves stored grades as they are, and new sources reporting.
        grades = [
            row.values.get(f"source{number}_grade") or SourceGrade.REPORTING
            for number in range(1, MAX_SOURCES + 1)
            if row.values.get(f"source{number}_url")
        ]
        weak_evidence = evidence_errors(instance.new_verdict, grades)
        if weak_evidence:
            errors["source1_grade"] = str(weak_evidence)
        if instance.target is not None and instance.occurred_on and not errors:
            measured_on = instance.measured_on
            place = (instance.target.pk, country.code if country else None, measured_on)
            key, number = self.measured.get(place, (None, None))
            if key is not None and key != instance.key:  # a row with the stored key updates that measurement
                where = f" (row {number})" if number else ""
                column = "measured_period" if instance.measured_end else "occurred_on"
                errors[column] = str(measurement_clash_error(measured_on, country and country.code)) + where
            else:
                self.measured[place] = (instance.key, row.number)
        return errors

    def write_new(self, instances, now):
        for update in instances:
            self.relink(update)
            update.created_at = update.updated_at = now
        for update, pk in zip(
            instances, bulk.insert(ProgressUpdate, [bulk.field_values(u) for u in instances], return_ids=True)
        ):
            update.pk = update.id = pk

    def write_changed(self, instances, attributes, now):
        for update in instances:
            self.relink(update)
            update.updated_at = now
        # The measurement's target and period are side columns set on the record (import_instance).
        measured = {"target", "measured_precision", "measured_start", "measured_end"}
        ProgressUpdate.objects.bulk_update(instances, sorted(attributes | measured | {"updated_at"}), batch_size=1000)

    def write_related(self, created, changed, now):
        resourced = created + [
            (update, row)
            for update, row in changed
            if any(column.startswith("source") for column, _old, _new in row.change.changes)
        ]
        self._replace_sources([(update, self._row_sources(row.values)) for update, row in resourced], now)
        updates = [u for u, _row in created + changed]
        record_history(
            ProgressUpdate, [u for u, _row in created], created=True, user=self.user, reason=self.reason, now=now
        )
        record_history(
            ProgressUpdate, [u for u, _row in changed], created=False, user=self.user, reason=self.reason, now=now
        )
        pledges_refresh_verdicts({update.pledge_id for update in updates}, user=self.user, reason=self.reason)

    @staticmethod
    def _row_sources(values):
        # grade None: the file has no grade for it (kept as stored, or reporting; see _replace_sources).
        return [
            Source(position=number, **{part: values.get(f"source{number}_{part}") for part in _SOURCE_PARTS})
            for number in range(1, MAX_SOURCES + 1)
            if values.get(f"source{number}_url")
        ]

    def _replace_sources(self, updates_with_sources, now):
        """Make each update's sources exactly the given ones, recording every change in history."""
        wanted = {update.pk: sources for update, sources in updates_with_sources}
        stored = {(s.update_id, s.position): s for s in Source.objects.filter(update_id__in=wanted)}
        created, changed = [], []
        for update_id, sources in wanted.items():
            for source in sources:
                source.update_id = update_id
                current = stored.pop((update_id, source.position), None)
                if not source.grade:
                    source.grade = current.grade if current is not None else SourceGrade.REPORTING
                if current is None:
                    created.append(source)
                elif any(getattr(current, part) != getattr(source, part) for part in _SOURCE_PARTS):
                    source.pk = current.pk
                    changed.append(source)
        for removed in stored.values():
            removed._history_user = self.user
            removed._change_reason = self.reason
            removed.delete()
        for source, pk in zip(created, bulk.insert(Source, [bulk.field_values(s) for s in created], return_ids=True)):
            source.pk = source.id = pk
        Source.objects.bulk_update(changed, list(_SOURCE_PARTS), batch_size=2000)
        record_history(Source, created, created=True, user=self.user, reason=self.reason, now=now)
        record_history(Source, changed, created=False, user=self.user, reason=self.reason, now=now)


PLEDGE_COLUMNS = tuple(PledgeResource.fields.values())
UPDATE_COLUMNS = tuple(ProgressUpdateResource.fields.values())
