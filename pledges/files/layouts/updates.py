"""The progress-updates file: a column a line, the rules a row keeps, and how it is written."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from pledges.files.columns import Column, translations
from pledges.files.layouts.side_columns import MAX_SOURCES, MAX_TARGETS, SOURCE_PARTS
from pledges.files.layouts.update_writes import UpdateWrites
from pledges.files.lookups import LookupCell
from pledges.files.resources import RecordResource
from pledges.files.widgets import (
    BooleanCell,
    ChoiceCell,
    DecimalCell,
    PeriodCell,
    PreciseDateCell,
    SlugCell,
    TextCell,
    UrlCell,
)
from pledges.models import (
    SOURCE_SUBSTANTIVE_FIELDS,
    TRANSLATED_SUBSTANTIVE_FIELDS,
    Country,
    Pledge,
    PreciseDate,
    ProgressUpdate,
    Qualifier,
    Source,
    SourceGrade,
    Target,
    Verdict,
    correction_errors,
    evidence_errors,
    measurement_clash_error,
    new_update_key,
    period_errors,
    ruling_errors,
    update_errors,
)
from pledges.services import bulk

# The columns whose change to a published update is a correction (besides its sources).
SUBSTANTIVE_COLUMNS = frozenset(
    {"occurred_on", "summary", "new_verdict", "ruling", "measurement_value", "target", "measured_period"}
    | {"measurement_qualifier"}
    | {"measurement_country", "milestone"}
)


def _source_columns(number):
    prefix = f"source{number}_"
    first = number == 1
    """The columns of an update's source `number`: url, title, publisher, published_on, grade."""
    return (
        Column(
            UrlCell(required=first, max_length=500),
            name=prefix + "url",
            side=True,
            meaning=f"Source {number}: address.",
            example="https://en.people.cn/...",
        ),
        Column(
            TextCell(required=first, max_length=300),
            name=prefix + "title",
            side=True,
            meaning=f"Source {number}: title.",
            example="Trade hits record",
        ),
        Column(
            TextCell(required=first, max_length=200),
            name=prefix + "publisher",
            side=True,
            meaning=f"Source {number}: publisher.",
            example="People's Daily",
        ),
        Column(
            PreciseDateCell(),
            name=prefix + "published_on",
            side=True,
            meaning=f"Source {number}: date, as precisely as the page gives it.",
            example="2026-01-20",
        ),
        Column(
            ChoiceCell(SourceGrade.choices),
            name=prefix + "grade",
            side=True,
            meaning=f"Source {number}: primary (the official text), reporting (the default) or weak; "
            "a verdict needs one that is not weak.",
            example="primary",
        ),
        Column(
            UrlCell(max_length=500),
            name=prefix + "archived_url",
            side=True,
            meaning=f"Source {number}: an archived copy of the page, shown to readers beside it.",
            example="https://web.archive.org/web/2026/https://en.people.cn/...",
        ),
    )


class ProgressUpdateResource(UpdateWrites, RecordResource):
    """The progress-updates file: one row per update, matched on its pledge and key, sources as columns."""

    kind = "updates"

    pledge = Column(
        LookupCell(Pledge, "slug", what="pledge slug", required=True, max_length=120, format=SlugCell.format),
        meaning="Slug of the pledge the update belongs to.",
        example="trade-70-billion-by-2030",
    )
    key = Column(
        SlugCell(max_length=60),
        default=new_update_key,
        meaning="Stable key of the update within its pledge; rows match on pledge and key. "
        "Leave empty for a new update to get one.",
        example="trade-2025",
    )
    occurred_on = Column(
        PreciseDateCell(required=True),
        meaning="When it happened or was reported, as precisely as the source says: a day, a month or a year.",
        example="2026-01-18",
        precision="occurred_precision",
    )
    summary = Column(
        TextCell(required=True),
        meaning="What happened.",
        example="Trade reached $106.3 billion in 2025.",
    )
    summary_ru, summary_zh_hans = translations(
        summary, ru="В 2025 году товарооборот достиг 106,3 млрд долларов.", zh="2025年贸易额达到1063亿美元。"
    )
    new_verdict = Column(
        ChoiceCell(Verdict.choices),
        meaning="The verdict this evidence supports, if it changes it.",
        example="kept",
    )
    ruling = Column(
        TextCell(),
        meaning="Why the pledge has its verdict, in a short paragraph; required with new_verdict. "
        "The pledge shows the newest ruling of its published updates.",
        example="Kept: trade reached $70.2 billion in 2022, eight years early.",
    )
    ruling_ru, ruling_zh_hans = translations(
        ruling,
        ru="Выполнено: в 2022 году товарооборот достиг 70,2 млрд долларов, на восемь лет раньше срока.",
        zh="已兑现：2022年贸易额达到702亿美元，提前八年。",
    )
    measurement_value = Column(
        DecimalCell(),
        meaning="A measured value of one of the pledge's targets.",
        example="106300000000",
    )
    target = Column(
        ChoiceCell([(str(n), str(n)) for n in range(1, MAX_TARGETS + 1)]),
        side=True,
        meaning="Which of the pledge's targets the value measures or the step belongs to, by number "
        "(empty: the first).",
        example="1",
    )
    measurement_qualifier = Column(
        ChoiceCell(Qualifier.choices),
        meaning="How exact the value is, as the source gives it: empty for exactly, about, more_than, at_least "
        "or up_to.",
        example="about",
    )
    measured_period = Column(
        PeriodCell(),
        side=True,
        meaning="The period the value describes, when it is not the day of the update "
        "(trade in 2022, reported in May 2023).",
        example="2022",
    )
    measurement_country = Column(
        LookupCell(Country, "code", what="country code", max_length=2, upper=True),
        meaning="Country code when the value is for one country.",
        example="TJ",
    )
    milestone = Column(
        TextCell(max_length=200),
        meaning="For a target of milestones: the step this update shows done, as the pledges file names it "
        "(target says which target; empty: the first).",
        example="intergovernmental agreement",
    )
    published = Column(BooleanCell(), attribute="is_published", meaning="Shown to the public.", example="yes")
    correction_note = Column(
        TextCell(),
        meaning="What was wrong and what changed: needed (new) when a published update's date, summary, "
        "verdict, ruling, measurement or sources change, or it is unpublished; shown to readers.",
        example="The 2025 figure was China's customs total, not the ministry's.",
    )
    correction_note_ru, correction_note_zh_hans = translations(
        correction_note,
        ru="Цифра за 2025 год была итогом таможни Китая, а не министерства.",
        zh="2025年的数字是中国海关的总数，而非商务部的。",
    )
    (source1_url, source1_title, source1_publisher, source1_published_on, source1_grade, source1_archived_url) = (
        _source_columns(1)
    )
    (source2_url, source2_title, source2_publisher, source2_published_on, source2_grade, source2_archived_url) = (
        _source_columns(2)
    )
    (source3_url, source3_title, source3_publisher, source3_published_on, source3_grade, source3_archived_url) = (
        _source_columns(3)
    )

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
        cells = {f"source{number}_{part}": {} for number in range(1, MAX_SOURCES + 1) for part in SOURCE_PARTS}
        cells["target"], cells["measured_period"] = targets, periods = {}, {}
        measured = ProgressUpdate.objects.filter(pk__gte=pks[0], pk__lte=pks[-1], target__isnull=False)
        for pk, position, *period in measured.values_list(
            "pk", "target__position", "measured_precision", "measured_start", "measured_end"
        ):
            targets[pk] = str(position)
            if period[0]:
                periods[pk] = tuple(period)
        cited = {}  # update id -> how many of its sources were read
        # `pks` come in order (stored_rows, export_rows): a range is a cheaper query than a list of 2,000.
        sources = Source.objects.filter(update_id__gte=pks[0], update_id__lte=pks[-1]).order_by("update_id", "position")
        for update_id, precision, *values in sources.values_list("update_id", "published_precision", *SOURCE_PARTS):
            number = cited[update_id] = cited.get(update_id, 0) + 1
            if number <= MAX_SOURCES:
                for part, value in zip(SOURCE_PARTS, values):
                    cells[f"source{number}_{part}"][update_id] = value
                cells[f"source{number}_published_on"][update_id] = PreciseDate.of(values[3], precision)
        return cells

    def before_import(self, dataset, **kwargs):
        if "key" not in dataset.headers and "pledge" in dataset.headers:
            dataset.append_col([""] * len(dataset), header="key")  # every row a new update
        super().before_import(dataset, **kwargs)
        pledge_ids = [pledge.pk for pledge in self.fields["pledge"].widget.known(self.records).values()]
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
        if instance.measurement_value is None and not instance.milestone:
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

    def _correction_errors(self, instance, row):
        """A published row that changes what readers rely on needs a new correction note; with one,
        the update is stamped as corrected now (readers see "Corrected on <date>: <note>")."""
        if row.new or row.stored.get("published") != "yes" or row.change is None:
            return {}
        changed = [
            column
            for column, old, _new in row.change.changes
            if column in SUBSTANTIVE_COLUMNS
            or (column in TRANSLATED_SUBSTANTIVE_FIELDS and old)
            or (column.startswith("source") and column.split("_", 1)[1] in SOURCE_SUBSTANTIVE_FIELDS)
        ]
        withdrawing = not instance.is_published
        note = (row.values.get("correction_note") or "").strip()
        if note == (row.stored.get("correction_note") or "").strip():
            note = ""  # the note of an earlier correction, exported and read back, is not a new one
        errors = correction_errors(was_published=True, changed=changed, withdrawing=withdrawing, note=note)
        if not errors and note and (changed or withdrawing):
            instance.corrected_at = timezone.now()
        return errors

    def rule_errors(self, instance, row):
        pledge = instance.pledge
        errors = {
            ("measured_period" if field == "measured_precision" else field): str(message)
            for field, message in update_errors(
                pledge,
                instance.occurred,
                instance.measurement_value,
                instance.target,
                has_targets=(pledge.pk, "1") in self.targets,
                measured_precision=instance.measured_precision,
                milestone=instance.milestone,
            ).items()
        } | ruling_errors(new_verdict=instance.new_verdict, ruling=instance.ruling)
        for _field, message in period_errors(
            precision=instance.measured_precision,
            start=instance.measured_start,
            end=instance.measured_end,
            has_value=instance.measurement_value is not None,
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
            if any(row.values.get(prefix + part) for part in SOURCE_PARTS):
                for part in ("url", "title", "publisher"):
                    if not row.values.get(prefix + part):
                        errors[prefix + part] = f"source {number} needs a {part}"
        # A file without grade columns leaves stored grades as they are, and new sources reporting.
        grades = [
            row.values.get(f"source{number}_grade") or SourceGrade.REPORTING
            for number in range(1, MAX_SOURCES + 1)
            if row.values.get(f"source{number}_url")
        ]
        errors |= self._correction_errors(instance, row)
        weak_evidence = evidence_errors(new_verdict=instance.new_verdict, grades=grades)
        if weak_evidence:
            errors["source1_grade"] = str(weak_evidence["new_verdict"])
        if (
            instance.measurement_value is not None
            and instance.target is not None
            and instance.occurred_on
            and not errors
        ):
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
