"""The pledges file: a column a line, and the rules a row of it keeps."""

from django.contrib.auth import get_user_model

from pledges.files.columns import Column, translations
from pledges.files.errors import RowError
from pledges.files.layouts.pledge_writes import PledgeWrites
from pledges.files.layouts.side_columns import (
    EVENT_COLUMNS,
    MAX_TARGETS,
    TARGET_PARTS,
    target_column_names,
    target_columns,
)
from pledges.files.lookups import LookupCell, LookupListCell, PartiesCell
from pledges.files.resources import RecordResource
from pledges.files.widgets import (
    BooleanCell,
    ChoiceCell,
    DateCell,
    LanguageCell,
    PageAddressCell,
    PreciseDateCell,
    SlugCell,
    TextCell,
    UrlCell,
)
from pledges.models import (
    QUOTE_LANGUAGES,
    Country,
    DeadlinePrecision,
    Event,
    FollowUp,
    Party,
    Pledge,
    ProgressUpdate,
    Target,
    TargetKind,
    Topic,
    Verdict,
    deadline_errors,
    follow_up_errors,
    owner_choices,
    quote_language_errors,
    target_errors,
)
from pledges.services import bulk


def _editors():
    # Owners are editors: the same rule as the model field's limit_choices_to.
    return get_user_model().objects.filter(owner_choices()).distinct()


# One cell reader for both party columns, so a party named in both (a mutual commitment) is one record.
_PARTIES = PartiesCell(Party, Country, required=True)
# The columns' names in files of an earlier layout, read as today's.
_OLD_COLUMN_NAMES = {"actor": "parties"}


class PledgeResource(PledgeWrites, RecordResource):
    """The pledges file: one row per pledge, matched on its slug."""

    kind = "pledges"
    key_column = "slug"

    slug = Column(
        SlugCell(required=True, max_length=120),
        meaning="Stable key of the pledge; rows match existing pledges on it.",
        example="trade-70-billion-by-2030",
    )
    title = Column(
        TextCell(required=True, max_length=200),
        meaning="Short headline.",
        example="Raise trade to $70 billion by 2030",
    )
    title_ru, title_zh_hans = translations(
        title, ru="Довести товарооборот до 70 млрд долларов к 2030 году", zh="到2030年将贸易额提升至700亿美元"
    )
    parties = Column(
        _PARTIES,
        side=True,
        meaning="Who made it: one party, or several for a joint pledge; a state by its country's code "
        "(parties are created if new). Files of November 2026 call the column actor.",
        example="Xi Jinping",
    )
    beneficiaries = Column(
        _PARTIES.optional(),
        side=True,
        meaning="Who it was made to, the same way; a pledging party may be one too.",
        example="KZ|KG|TJ|TM|UZ",
    )
    event = Column(
        LookupCell(Event, "name", what="event", max_length=300, create=True),
        meaning="Where it was announced (created if new).",
        example="China–Central Asia virtual summit",
    )
    event_ru = Column(
        TextCell(max_length=300),
        side=True,
        read_from="event__name_ru",
        meaning="The event's name in Russian (empty: as stored).",
        example="Виртуальный саммит Китай — Центральная Азия",
    )
    event_zh_hans = Column(
        TextCell(max_length=300),
        side=True,
        read_from="event__name_zh_hans",
        meaning="The event's name in Chinese (empty: as stored).",
        example="中国—中亚视频峰会",
    )
    event_held_on = Column(
        DateCell(),
        side=True,
        read_from="event__held_on",
        meaning="When the event was held (empty: as stored; a new event's is the day its first pledge was announced).",
        example="2022-01-25",
    )
    event_place = Column(
        TextCell(max_length=200),
        side=True,
        read_from="event__place",
        meaning="Where the event was held (empty: as stored).",
        example="online",
    )
    event_place_ru, event_place_zh_hans = translations(event_place, ru="онлайн", zh="线上")
    event_description = Column(
        TextCell(),
        side=True,
        read_from="event__description",
        meaning="What the event was, for its page (empty: as stored).",
        example="A video summit marking 30 years of diplomatic relations.",
    )
    event_description_ru, event_description_zh_hans = translations(
        event_description, ru="Видеосаммит к 30-летию дипломатических отношений.", zh="纪念建交30周年的视频峰会。"
    )
    announced_on = Column(
        PreciseDateCell(required=True),
        meaning="When it was announced, as precisely as the source says: a day, a month or a year.",
        example="2022-01-25",
        precision="announced_precision",
    )
    quote = Column(
        TextCell(required=True),
        meaning="The pledge's own words, verbatim, or (when said in another language) their English translation.",
        example="striving to increase trade between our two sides to $70 billion by 2030",
    )
    quote_ru, quote_zh_hans = translations(
        quote,
        ru="стремиться к увеличению товарооборота между нашими сторонами до 70 млрд долларов к 2030 году",
        zh="力争到2030年将双方贸易额提升至700亿美元",
    )
    quote_language = Column(
        LanguageCell(QUOTE_LANGUAGES),
        meaning="The language the pledge was made in, when not English: the quote is then a translation.",
        example="zh-hans",
    )
    quote_original = Column(
        TextCell(),
        meaning="The pledge's words as said, in that language, when a source gives them.",
        example="力争到2030年将中国同中亚国家贸易额提升至700亿美元",
    )
    quote_translated_by = Column(
        TextCell(max_length=200),
        meaning="Who made the English translation shown as the quote.",
        example="Global Times",
    )
    summary = Column(
        TextCell(required=True),
        meaning="A neutral summary.",
        example="Grow trade to $70 billion a year by 2030.",
    )
    summary_ru, summary_zh_hans = translations(
        summary,
        ru="Увеличить товарооборот до 70 млрд долларов в год к 2030 году.",
        zh="到2030年将年贸易额提高到700亿美元。",
    )
    topic = Column(
        LookupCell(Topic, "slug", what="topic", required=True, max_length=50, format=SlugCell.format, vocabulary=True),
        meaning="Topic slug; editors add topics in the admin, a file never does.",
        example="trade",
    )
    more_topics = Column(
        LookupListCell(Topic, "slug", what="topic", max_length=50, vocabulary=True),
        side=True,
        meaning="Any other topics it is on, in order (the overview shows topic).",
        example="people|education",
    )
    source_title = Column(
        TextCell(required=True, max_length=300),
        meaning="Title of the document that reports the pledge.",
        example="Xi announces initiatives ...",
    )
    source_publisher = Column(
        TextCell(required=True, max_length=200),
        meaning="Who published that document.",
        example="Global Times",
    )
    source_url = Column(
        UrlCell(required=True, max_length=500),
        meaning="Where it can be read.",
        example="https://www.globaltimes.cn/page/202201/1246977.shtml",
    )
    source_published_on = Column(
        PreciseDateCell(),
        meaning="When it was published, as precisely as the page gives it.",
        example="2022-01-25",
        precision="source_published_precision",
    )
    deadline_text = Column(
        TextCell(max_length=200),
        meaning="The deadline in the pledge's words.",
        example="by 2030",
    )
    deadline_text_ru, deadline_text_zh_hans = translations(deadline_text, ru="к 2030 году", zh="到2030年")
    deadline_precision = Column(
        ChoiceCell(DeadlinePrecision.choices, required=True),
        meaning="How precisely those words fix a date.",
        example="year",
    )
    deadline_start = Column(
        DateCell(),
        meaning="Start of the deadline window (ranges).",
        example="2027-01-25",
    )
    deadline_end = Column(DateCell(), meaning="End of the deadline window.", example="2030-12-31")
    (
        target_label,
        target_label_ru,
        target_label_zh_hans,
        target_unit,
        baseline_value,
        baseline_on,
        target_value,
        target_qualifier,
        target_kind,
        target_steps,
        target_steps_ru,
        target_steps_zh_hans,
        target2_label,
        target2_label_ru,
        target2_label_zh_hans,
        target2_unit,
        target2_baseline_value,
        target2_baseline_on,
        target2_value,
        target2_qualifier,
        target2_kind,
        target2_steps,
        target2_steps_ru,
        target2_steps_zh_hans,
        target3_label,
        target3_label_ru,
        target3_label_zh_hans,
        target3_unit,
        target3_baseline_value,
        target3_baseline_on,
        target3_value,
        target3_qualifier,
        target3_kind,
        target3_steps,
        target3_steps_ru,
        target3_steps_zh_hans,
    ) = (column for number in range(1, MAX_TARGETS + 1) for column in target_columns(number))
    ruling = Column(
        TextCell(),
        export_only=True,
        meaning="Why the verdict is what it is. Export only: a ruling comes with the progress update "
        "that gives the verdict (the updates file's ruling column).",
        example="Kept: trade reached $70.2 billion in 2022, eight years early.",
    )
    ruling_ru, ruling_zh_hans = translations(
        ruling,
        ru="Выполнено: в 2022 году товарооборот достиг 70,2 млрд долларов, на восемь лет раньше срока.",
        zh="已兑现：2022年贸易额达到702亿美元，提前八年。",
    )
    owner = Column(
        LookupCell(get_user_model(), "username", what="editor's user name", max_length=150, queryset=_editors()),
        meaning="User name of the editor who owns it (a member of the Editors group or a superuser; a Viewer cannot own a pledge).",
        example="editor",
    )
    published = Column(BooleanCell(), attribute="is_published", meaning="Shown to the public.", example="yes")
    last_reviewed_on = Column(
        DateCell(),
        meaning="When an editor last reviewed it.",
        example="2026-11-01",
    )
    follows = Column(
        LookupCell(Pledge, "slug", what="pledge slug", max_length=120, format=SlugCell.format),
        meaning="Slug of the earlier pledge this one renews, extends, replaces or restates "
        "(stored already, or on an earlier row of the same file).",
        example="trade-70-billion-by-2030",
    )
    also_follows = Column(
        LookupListCell(Pledge, "slug", what="pledge slug", max_length=120),
        side=True,
        meaning="Slugs of any other earlier pledges it follows the same way (a pledge restating two), in order.",
        example="sister-cities-100-pairs",
    )
    follow_up = Column(ChoiceCell(FollowUp.choices), meaning="How it follows that pledge.", example="renews")
    verdict = Column(
        ChoiceCell(Verdict.choices),
        export_only=True,
        meaning="Current verdict. Export only: verdicts come from progress updates.",
        example="kept",
    )
    url = Column(
        PageAddressCell(),
        export_only=True,
        side=True,
        read_from="slug",
        meaning="The pledge's public page. Export only.",
        example="https://pledges.example.org/pledges/trade-70-billion-by-2030/",
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
            "pledge_id", "position", *("unit__code" if part == "unit" else part for part in TARGET_PARTS)
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
        cells["also_follows"] = followed = {}
        links = Pledge.also_follows.through.objects.filter(from_pledge_id__gte=pks[0], from_pledge_id__lte=pks[-1])
        for pledge_id, slug in links.order_by("id").values_list("from_pledge_id", "to_pledge__slug"):
            followed.setdefault(pledge_id, []).append(slug)
        cells["more_topics"] = topics = {}
        links = Pledge.more_topics.through.objects.filter(pledge_id__gte=pks[0], pledge_id__lte=pks[-1])
        for pledge_id, slug in links.order_by("id").values_list("pledge_id", "topic__slug"):
            topics.setdefault(pledge_id, []).append(slug)
        for column in ("parties", "beneficiaries"):
            keys = cells[column] = {}
            # `pks` come in order (stored_rows, export_rows): a range is a cheaper query than a list of 2,000.
            links = getattr(Pledge, column).through.objects.filter(pledge_id__gte=pks[0], pledge_id__lte=pks[-1])
            # In the order the pledge names them: the order its links were written.
            for pledge_id, party_id in links.order_by("id").values_list("pledge_id", "party_id"):
                keys.setdefault(pledge_id, []).append(self._party_keys[party_id])
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
        self.event_details = {}  # event name: {part: (value, row number)}, from event_errors

    def read_stored(self, dataset):
        """The stored pledges, then their targets and what their updates measure or mark done."""
        stored = super().read_stored(dataset)
        pledge_ids = [pledge.pk for pledge in stored.values()]
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
        self.steps_shown = (
            list(
                ProgressUpdate.objects.filter(target__in=[t.pk for t in self.stored_targets.values()])
                .exclude(milestone="")
                .values_list("target__pledge_id", "target__position", "milestone", "key")
            )
            if self.stored_targets
            else []
        )
        return stored

    def wanted_targets(self, instance, row):
        """{position: {Target field: value}} the row asks for; a column the file leaves out keeps
        what is stored."""
        wanted = {}
        for number in range(1, MAX_TARGETS + 1):
            stored = self.stored_targets.get((instance.pk, number)) if instance.pk else None
            values = {}
            for part, column in target_column_names(number).items():
                if column in row.values and not (part == "kind" and not row.values[column]):
                    values[part] = row.values[column]
                else:  # an empty kind keeps the stored one too (a new target's is total)
                    values[part] = getattr(stored, part) if stored is not None else None
            if any(value not in (None, "", []) for part, value in values.items() if part != "kind"):
                wanted[number] = values
        return wanted

    def event_errors(self, instance, row):
        """What the row says of its event (date, place, description), kept for the write; a
        detail another row gives the same event differently is refused."""
        errors = {}
        for part, column in EVENT_COLUMNS.items():
            value = row.values.get(column)
            if value in (None, ""):
                continue  # an empty cell keeps what is stored
            if instance.event is None:
                errors[column] = "an event's details need the event column"
                continue
            given = self.event_details.setdefault(instance.event.name, {})
            if part in given and given[part][0] != value:
                errors[column] = f"row {given[part][1]} gives {instance.event.name!r} another {part}: {given[part][0]}"
            else:
                given.setdefault(part, (value, row.number))
        return errors

    def rule_errors(self, instance, row):
        if instance.pk is None and instance.slug:  # a later row of the file may follow this new pledge
            self.records.known(Pledge, "slug").setdefault(instance.slug, instance)
        # A column the file leaves out keeps its stored value, so the rules see that value.
        errors = {
            **self.event_errors(instance, row),
            **deadline_errors(
                precision=instance.deadline_precision, start=instance.deadline_start, end=instance.deadline_end
            ),
            **follow_up_errors(
                follows=instance.follows,
                how=instance.follow_up,
                slug=instance.slug,
                announced_on=instance.announced_on,
                also_follows=[self.records.known(Pledge, "slug")[key] for key in row.values.get("also_follows") or []],
            ),
            **quote_language_errors(language=instance.quote_language, original=instance.quote_original),
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
                unit=values["unit"],
                target=values["target_value"],
                baseline=values["baseline_value"],
                kind=values["kind"] or TargetKind.TOTAL,
                milestones=values["milestones"] or [],
            ).items():
                errors[names[part]] = message
            dropped = {
                step: key
                for pledge_id, position, step, key in self.steps_shown
                if (pledge_id, position) == (instance.pk, number) and step not in (values["milestones"] or [])
            }
            if dropped:
                step, key = next(iter(dropped.items()))
                errors[names["milestones"]] = (
                    f"step {step!r} is shown done by update {key!r}; it cannot be removed or renamed "
                    "(change that update first)"
                )
        verdict = row.values.get("verdict")
        if verdict and verdict != row.stored.get("verdict", Verdict.NOT_RATED):
            self.warnings.append(
                RowError(
                    row.number, "verdict", "not applied: verdicts change only through progress updates with a source"
                )
            )
        ruling = (row.values.get("ruling") or "").strip()
        if ruling and ruling != (row.stored.get("ruling") or "").strip():
            self.warnings.append(
                RowError(
                    row.number,
                    "ruling",
                    "not applied: a ruling comes with the progress update that gives the verdict "
                    "(the updates file's ruling column)",
                )
            )
        return {column: str(message) for column, message in errors.items()}
