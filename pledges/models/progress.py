"""What has happened since: progress updates, their measurements and their sources."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import PeriodPrecision, Qualifier, SourceGrade, TargetKind, Verdict
from .dates import PreciseDate, precision_constraint, precision_field
from .languages import translated
from .pledge import Pledge
from .reference import Country
from .stamped import Stamped
from .target import Target
from .validation import (
    WebAddressField,
    dates_in_range_constraint,
    http_url_condition,
    validate_date_in_range,
    validate_http_url,
    validate_printable,
)


def period_text(precision, start, end):
    """How files and pages write a measured period: 2022, 2023-05, 2023-05-11, 2025-01-01/2025-06-30."""
    if not precision or end is None:
        return ""
    if precision == PeriodPrecision.YEAR:
        return f"{end.year}"
    if precision == PeriodPrecision.MONTH:
        return f"{end.year}-{end.month:02d}"
    if precision == PeriodPrecision.RANGE:
        return f"{start.isoformat()}/{end.isoformat()}"
    return end.isoformat()


def period_errors(*, precision, start, end, has_value):
    """The ways a measured period breaks its rules, as {field: message}; empty when it is sound."""
    errors = {}
    if precision and not has_value:
        errors["measured_precision"] = _("Only a measurement measures a period: give the value too.")
    if precision and end is None:
        errors["measured_end"] = _("A measured period needs its end date.")
    if not precision and (start or end):
        errors["measured_precision"] = _("Say what the dates measure: a day, a month, a year or a range.")
    if precision == PeriodPrecision.RANGE and start is None:
        errors["measured_start"] = _("A range needs a start date.")
    if start and end and end < start:
        errors["measured_end"] = _("The period's end is before its start.")
    return errors


def update_errors(
    pledge, occurred_on, measurement_value, target, *, has_targets=False, measured_precision=None, milestone=""
):
    """The ways a progress update breaks its pledge's rules, as {field: message}; empty when sound.

    The admin (ProgressUpdate.clean) and the importer give these same messages.
    """
    errors = {}
    steps = target is not None and target.kind == TargetKind.MILESTONES
    if milestone and not steps:
        errors["milestone"] = (
            _("Say which of the pledge's targets of steps this step belongs to.")
            if target is None and has_targets
            else _("Only a target of named steps has steps; this update names a step of none.")
        )
    elif milestone and milestone not in target.milestones:
        errors["milestone"] = _("“%(step)s” is not one of the target's steps: %(steps)s.") % {
            "step": milestone,
            "steps": "; ".join(target.milestones),
        }
    if steps:
        if measurement_value is not None:
            errors["measurement_value"] = _(
                "A target of steps is not measured: name the step this update shows done instead."
            )
        elif not milestone:
            errors["milestone"] = _("Name the step of the target this update shows done.")
        if pledge.pk and target.pledge_id != pledge.pk:
            errors["target"] = _("That target belongs to another pledge.")
        measurement_value = target = None  # the rules below are a measurement's
    if measurement_value is not None and target is None:
        errors["measurement_value"] = (
            _("Say which of the pledge's targets this measures.")
            if has_targets
            else _(
                "This pledge has no target, so a measurement has nothing to count towards: "
                "give the pledge its target (unit and value) first."
            )
        )
    if target is not None and measurement_value is None:
        errors["measurement_value"] = _("A measurement of a target needs its value.")
    if target is not None and pledge.pk and target.pledge_id != pledge.pk:
        errors["target"] = _("That target belongs to another pledge.")
    if (
        target is not None
        and measurement_value is not None
        and target.kind == TargetKind.FLOW
        and measured_precision is not None
        and not measured_precision
    ):
        errors["measured_precision"] = _(
            "A yearly flow is measured a year at a time: say the period the figure covers, a year (2024) or "
            "part of one (2026-01-01/2026-10-31), which is shown but not compared with the target."
        )
    # A month or a year may hold the announcement: only a date wholly before it is refused.
    last_day = getattr(occurred_on, "last_day", occurred_on)
    if occurred_on and pledge.announced_on and last_day < pledge.announced_on:
        errors["occurred_on"] = _(
            "%(date)s is before the pledge was announced on %(announced)s: an update reports what happened since."
        ) % {
            "date": getattr(occurred_on, "iso", None) or occurred_on.isoformat(),
            "announced": pledge.announced_on.isoformat(),
        }
    return errors


# What a reader relies on in a published update: changing any of these (or its sources) is a
# correction, announced with a note; a spelling fix may be marked minor instead.
SUBSTANTIVE_FIELDS = (
    "occurred_on",
    "occurred_precision",
    "summary",
    "new_verdict",
    "ruling",
    "measurement_value",
    "measurement_qualifier",
    "target",
    "measurement_country",
    "milestone",
    "measured_precision",
    "measured_start",
    "measured_end",
)


# What a reader relies on in a source: changing it is a correction too. Its grade is the editors'
# judgement (shown, but not the evidence itself) and an archived copy only adds a way to open it.
# A published update's summary or ruling rewritten in Russian or Chinese is a correction too;
# a translation written where there was none is not (readers of that language met the English).
TRANSLATED_SUBSTANTIVE_FIELDS = ("summary_ru", "summary_zh_hans", "ruling_ru", "ruling_zh_hans")
SOURCE_SUBSTANTIVE_FIELDS = ("url", "title", "publisher", "published_on", "published_precision")


def correction_errors(*, was_published: bool, changed, withdrawing: bool, note: str, minor: bool = False) -> dict:
    """{"correction_note": message} when a change to a published update needs a note it lacks.

    `changed` names what changed (fields, or "sources"); `withdrawing` is unpublishing it.
    """
    if not was_published or (note or "").strip():
        return {}
    if withdrawing:
        return {
            "correction_note": _(
                "Withdrawing a published update needs a note saying why: readers see it in the changes log."
            )
        }
    if changed and not minor:
        return {
            "correction_note": _(
                "This update is published: a change to its %(changed)s needs a correction note saying what was "
                "wrong; readers see it. (A spelling fix may be marked minor instead.)"
            )
            % {"changed": ", ".join(str(name) for name in changed)}
        }
    return {}


def ruling_errors(*, new_verdict: str, ruling: str) -> dict:
    """{"ruling": message} when an update gives a verdict without saying why; empty otherwise."""
    if new_verdict and not (ruling or "").strip():
        return {
            "ruling": _(
                "A new verdict comes with its ruling: say in a short paragraph why the pledge is now “%(verdict)s”."
            )
            % {"verdict": Verdict(new_verdict).label}
        }
    return {}


def measurement_clash_error(measured_on, country):
    """The message for a second measurement of one target (and country) for one period's end."""
    if country:
        return _("%(country)s already has a measurement of this target for %(date)s: one per period and country.") % {
            "country": country,
            "date": measured_on.isoformat(),
        }
    return _("This target already has a measurement for %(date)s: one per period (per country, for a country's).") % {
        "date": measured_on.isoformat()
    }


def new_update_key():
    """A short, stable key for a progress update, unique within its pledge."""
    return uuid.uuid4().hex[:12]


class ProgressUpdate(Stamped):
    """A dated entry in a pledge's public timeline, with its sources.

    It may carry a measurement (optionally for one beneficiary country) and a new verdict;
    a published update with a new verdict is what changes the pledge's verdict.
    """

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="updates", verbose_name=_("pledge"))
    key = models.SlugField(
        max_length=60,
        default=new_update_key,
        help_text=_("Stable key within the pledge, for CSV round trips."),
        verbose_name=_("key"),
    )
    occurred_on = models.DateField(
        validators=[validate_date_in_range],
        help_text=_("When it happened or was reported: a day (2023-12-05), a month (2023-12) or a year (2023)."),
        verbose_name=_("date"),
    )
    occurred_precision = precision_field(_("the update's date"))
    summary = models.TextField(validators=[validate_printable], verbose_name=_("summary"))
    summary_ru, summary_zh_hans = translated(summary)
    new_verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True, verbose_name=_("new verdict"))
    # The verdict and the reason for it are one act: the update that gives a verdict says why, and
    # the pledge shows the newest ruling (services.pledges_refresh_verdicts), so an old ruling
    # never stands under a new verdict. An update may also restate the ruling without a new verdict.
    ruling = models.TextField(
        _("ruling"),
        blank=True,
        validators=[validate_printable],
        help_text=_(
            "Why the pledge has its verdict, in a short paragraph: needed with a new verdict. The pledge "
            "shows the newest ruling; the overview its first sentences."
        ),
    )
    ruling_ru, ruling_zh_hans = translated(ruling)
    measurement_value = models.DecimalField(
        max_digits=20, decimal_places=2, null=True, blank=True, verbose_name=_("measured value")
    )
    measurement_qualifier = models.CharField(
        _("how exact"),
        max_length=10,
        choices=Qualifier.choices,
        blank=True,
        help_text=_("As the source gives the figure: exactly, about, more than, at least or up to."),
    )
    measurement_country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("measured country")
    )
    milestone = models.CharField(
        _("step done"),
        max_length=200,
        blank=True,
        validators=[validate_printable],
        help_text=_("For a target of named steps: the step this update shows done, as the target names it."),
    )
    target = models.ForeignKey(
        Target,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        help_text=_("Which of the pledge's targets the value measures."),
        verbose_name=_("target"),
    )
    # The period a measurement describes, apart from the day it was reported (trade in 2022,
    # reported in May 2023). Empty: the day of the update.
    measured_precision = models.CharField(
        _("measured period"), max_length=10, choices=PeriodPrecision.choices, blank=True
    )
    measured_start = models.DateField(
        null=True, blank=True, validators=[validate_date_in_range], verbose_name=_("measured from")
    )
    measured_end = models.DateField(
        null=True, blank=True, validators=[validate_date_in_range], verbose_name=_("measured to")
    )
    is_published = models.BooleanField(default=False, verbose_name=_("published"))
    # The newest correction of a published update, shown to readers ("Corrected on …"); each earlier
    # one stays in the audit history, where the changes log reads them.
    correction_note = models.TextField(
        _("correction note"),
        blank=True,
        validators=[validate_printable],
        help_text=_("What was wrong and what changed, for readers: needed to change a published update."),
    )
    correction_note_ru, correction_note_zh_hans = translated(correction_note)
    corrected_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("corrected at"))
    created_at = models.DateTimeField(default=timezone.now, editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(default=timezone.now, editable=False, verbose_name=_("updated at"))

    history = HistoricalRecords()
    TRANSLATED = ("summary", "ruling", "correction_note")

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-occurred_on", "-id"]
        permissions = [("import_progressupdate", "Can import progress updates from files")]
        indexes = [models.Index(fields=["updated_at"], name="update_updated_at")]  # see selectors.data_version
        constraints = [
            models.UniqueConstraint(fields=["pledge", "key"], name="update_key_unique_in_pledge"),
            models.CheckConstraint(
                condition=Q(measurement_country__isnull=True) | Q(measurement_value__isnull=False),
                name="update_measurement_country_needs_value",
            ),
            # A target is named by a measurement (its value) or by a step shown done, never both.
            models.CheckConstraint(
                condition=Q(measurement_value__isnull=True, target__isnull=True, milestone="")
                | Q(measurement_value__isnull=False, target__isnull=False, milestone="")
                | (Q(measurement_value__isnull=True, target__isnull=False) & ~Q(milestone="")),
                name="update_measurement_names_its_target",
            ),
            models.CheckConstraint(
                condition=(Q(measured_precision="") & Q(measured_start__isnull=True) & Q(measured_end__isnull=True))
                | (
                    Q(measured_precision__in=PeriodPrecision.values)
                    & Q(measured_end__isnull=False)
                    & Q(measurement_value__isnull=False)
                ),
                name="update_measured_period_is_whole",
            ),
            models.CheckConstraint(
                condition=~Q(measured_precision=PeriodPrecision.RANGE) | Q(measured_start__isnull=False),
                name="update_measured_range_has_start",
            ),
            models.CheckConstraint(
                condition=Q(measured_start__isnull=True) | Q(measured_end__gte=models.F("measured_start")),
                name="update_measured_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(new_verdict="") | Q(new_verdict__in=Verdict.values),
                name="update_new_verdict_is_known",
            ),
            models.CheckConstraint(condition=Q(new_verdict="") | ~Q(ruling=""), name="update_verdict_has_ruling"),
            dates_in_range_constraint("update_dates_in_range", "occurred_on", "measured_start", "measured_end"),
            precision_constraint("update_date_precision", "occurred_on", "occurred_precision"),
            # One measured value per target, country (or the whole) and period: the chart plots one point each.
            models.UniqueConstraint(
                models.F("target"),
                Coalesce(models.F("measurement_country"), models.Value(0)),
                Coalesce(models.F("measured_end"), models.F("occurred_on")),
                condition=Q(measurement_value__isnull=False),
                name="update_one_measurement_a_period",
            ),
        ]

    def __str__(self):
        return f"{self.occurred.iso}: {self.summary[:60]}"

    @property
    def occurred(self):
        """The update's date as precise as its source (a PreciseDate)."""
        return PreciseDate.of(self.occurred_on, self.occurred_precision)

    @property
    def measured_on(self):
        """The day a chart plots a measurement at: its period's end, or the day it was reported."""
        return self.measured_end or self.occurred_on

    @property
    def measured_period_text(self):
        return period_text(self.measured_precision, self.measured_start, self.measured_end)

    def clean(self):
        try:
            pledge = self.pledge  # on a new pledge's page, the pledge being added (not saved yet)
        except Pledge.DoesNotExist:
            return  # the form says a pledge is required
        targets = list(pledge.targets.all()[:2]) if pledge.pk else []
        if (self.measurement_value is not None or self.milestone) and not self.target_id and len(targets) == 1:
            self.target = targets[0]  # a pledge with one target: that is what it measures or steps through
        target = self.target if self.target_id else None
        errors = (
            update_errors(
                pledge,
                self.occurred,
                self.measurement_value,
                target,
                has_targets=bool(targets),
                measured_precision=self.measured_precision,
                milestone=self.milestone,
            )
            | ruling_errors(new_verdict=self.new_verdict, ruling=self.ruling)
            | period_errors(
                precision=self.measured_precision,
                start=self.measured_start,
                end=self.measured_end,
                has_value=self.measurement_value is not None,
            )
        )
        if target is not None and self.measurement_value is not None and self.occurred_on and not errors:
            measured_on = self.measured_end or self.occurred_on
            clash = ProgressUpdate.objects.filter(
                Q(measured_end=measured_on) | Q(measured_end__isnull=True, occurred_on=measured_on),
                target=target,
                measurement_country_id=self.measurement_country_id,
                measurement_value__isnull=False,
            ).exclude(pk=self.pk)
            if clash.exists():
                errors["occurred_on"] = measurement_clash_error(measured_on, self.measurement_country)
        if errors:
            raise ValidationError(errors)


def evidence_errors(*, new_verdict, grades) -> dict:
    """{"new_verdict": why} when an update cannot give a verdict with sources of these grades;
    empty otherwise. Only a verdict needs more than a weak source: an update may still report a
    weak claim."""
    if new_verdict and grades and all(grade == SourceGrade.WEAK for grade in grades):
        return {
            "new_verdict": _("A verdict needs at least one source that is not weak (a primary source or reporting).")
        }
    return {}


class Source(models.Model):
    """A document an update cites: a URL with its title, publisher, date and grade."""

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="sources", verbose_name=_("update")
    )
    position = models.PositiveSmallIntegerField(default=1, verbose_name=_("position"))
    grade = models.CharField(
        max_length=10, choices=SourceGrade.choices, default=SourceGrade.REPORTING, verbose_name=_("grade")
    )
    url = WebAddressField(max_length=500, verbose_name=_("address"))
    archived_url = models.URLField(
        _("archived copy"),
        max_length=500,
        blank=True,
        validators=[validate_http_url],
        help_text=_("An archived copy of the page (the Wayback Machine, archive.today), shown to readers beside it."),
    )
    # What the periodic link check last found (pledges.links): when, the HTTP status (none when
    # no answer came) and the error, and since when the link has been broken.
    link_checked_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("link checked at"))
    link_status = models.PositiveSmallIntegerField(null=True, blank=True, editable=False, verbose_name=_("link status"))
    link_error = models.CharField(max_length=200, blank=True, editable=False, verbose_name=_("link error"))
    broken_since = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("broken since"))
    title = models.CharField(validators=[validate_printable], max_length=300, verbose_name=_("title"))
    publisher = models.CharField(validators=[validate_printable], max_length=200, verbose_name=_("publisher"))
    published_on = models.DateField(
        null=True,
        blank=True,
        validators=[validate_date_in_range],
        help_text=_("A day (2023-12-05), a month (2023-12) or a year (2023), as the page gives it."),
        verbose_name=_("date"),
    )
    published_precision = precision_field(_("the source's date"))

    # The link check's own columns change daily and are not an editor's change of the record.
    history = HistoricalRecords(excluded_fields=["link_checked_at", "link_status", "link_error", "broken_since"])

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["position", "id"]
        indexes = [
            # The link check reads the sources least recently checked first (pledges.links.sweep).
            models.Index(fields=["link_checked_at"], name="source_link_checked_at"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["update", "position"], name="source_position_unique_in_update"),
            models.CheckConstraint(condition=http_url_condition("url"), name="source_url_is_http"),
            models.CheckConstraint(condition=Q(grade__in=SourceGrade.values), name="source_grade_is_known"),
            dates_in_range_constraint("source_dates_in_range", "published_on"),
            precision_constraint("source_date_precision", "published_on", "published_precision"),
        ]

    def __str__(self):
        return self.title

    @property
    def published(self):
        """The source's date as precise as the page gives it (a PreciseDate), or None."""
        return PreciseDate.of(self.published_on, self.published_precision)
