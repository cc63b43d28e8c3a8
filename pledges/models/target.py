"""A pledge's quantitative targets and how far it has got towards them."""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import PeriodPrecision, Qualifier, TargetKind
from .languages import WORKING_LANGUAGE, Shown, shown_item, translated
from .pledge import Pledge
from .reference import Unit
from .validation import dates_in_range_constraint, validate_date_in_range, validate_printable


@dataclass(frozen=True)
class TargetProgress:
    """How far a quantitative pledge has got, from its measurements. See `Pledge.target_progress`."""

    current_value: Decimal | None = None
    as_of: date | None = None
    percent: Decimal | None = None  # of the way from the baseline to the target
    expected_value: Decimal | None = None
    on_track: bool | None = None
    by_country: dict = field(default_factory=dict)  # country id: the update with its latest figure
    share: Decimal | None = None  # the current value as a share of the target, for a target to grow to
    reached: bool = False  # the current value is the target's
    exceeded: bool = False  # the current value is past the target
    latest: object = None  # the update whose measurement is the current value (its period, its report date)
    # Only countries' figures, no figure for the whole: the sum is a floor ("at least 2.5 million
    # of 50 million reported"), never a share of the target.
    at_least: bool = False
    qualifier: str = ""  # how exact the current value is ("about"), as its source gives it
    partial: tuple = ()  # a yearly flow's measurements of part of a year: shown, never compared
    steps: tuple = ()  # a target of named steps: (step, the published update that shows it done, or None)

    @property
    def steps_done(self):
        return sum(1 for _step, update in self.steps if update is not None)


class Target(models.Model):
    """A quantitative target of a pledge: a value to reach in a unit, from a baseline.

    A pledge has none, one or several ("$70 billion of trade and 100 city pairs"); each has its
    own measurements (progress updates that name it), progress and on-track line. The first
    (by position) is the one the overview shows.
    """

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="targets", verbose_name=_("pledge"))
    position = models.PositiveSmallIntegerField(
        default=1, help_text=_("1 is the target the overview shows."), verbose_name=_("position")
    )
    label = models.CharField(
        validators=[validate_printable],
        max_length=200,
        blank=True,
        help_text=_("What is counted, e.g. annual trade."),
        verbose_name=_("label"),
    )
    label_ru, label_zh_hans = translated(label)
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=TargetKind.choices,
        default=TargetKind.TOTAL,
        help_text=_("What the number means, and so how measurements count towards it."),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="targets", verbose_name=_("unit")
    )
    milestones = models.JSONField(
        _("steps"),
        default=list,
        blank=True,
        help_text=_("For a target of named steps: the steps in order; an update marks the one it shows done."),
    )
    milestones_ru, milestones_zh_hans = translated(milestones)
    baseline_value = models.DecimalField(
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The value when the pledge was made."),
        verbose_name=_("baseline value"),
    )
    baseline_on = models.DateField(
        null=True, blank=True, validators=[validate_date_in_range], verbose_name=_("baseline date")
    )
    target_value = models.DecimalField(
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The promised value (none for a direction only)."),
        verbose_name=_("promised value"),
    )
    value_qualifier = models.CharField(
        _("how exact"),
        max_length=10,
        choices=Qualifier.choices,
        blank=True,
        help_text=_("As the pledge gives the value: exactly, about, more than, at least or up to."),
    )

    history = HistoricalRecords()
    TRANSLATED = ("label", "milestones")

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "position"], name="target_position_unique_in_pledge"),
            models.CheckConstraint(condition=Q(position__gte=1), name="target_position_from_one"),
            dates_in_range_constraint("target_dates_in_range", "baseline_on"),
            models.CheckConstraint(
                condition=Q(kind=TargetKind.DIRECTION, target_value__isnull=True)
                | Q(kind=TargetKind.MILESTONES, target_value__isnull=True, baseline_value__isnull=True)
                | (Q(kind__in=[TargetKind.TOTAL, TargetKind.LEVEL, TargetKind.FLOW]) & Q(target_value__isnull=False)),
                name="target_value_as_its_kind",
            ),
            # Steps are counted, so a target of steps has no unit; every other target has one.
            models.CheckConstraint(
                condition=Q(kind=TargetKind.MILESTONES, unit__isnull=True)
                | (~Q(kind=TargetKind.MILESTONES) & Q(unit__isnull=False)),
                name="target_unit_unless_steps",
            ),
        ]

    def __str__(self):
        return self.label or (str(self.unit.name) if self.unit_id else gettext("steps"))

    def step_name(self, step):
        """A step (named in English, as updates name it) in the reader's language: the step at
        the same place in that language's list, else the English marked as such."""
        index = self.milestones.index(step) if step in self.milestones else None
        return shown_item(self, "milestones", index) if index is not None else Shown(step, WORKING_LANGUAGE, False)

    def last_value(self, *, country=None, before=None, exclude=None):
        """What a new measurement (for `country`, of the period ending `before`) is compared with:
        the latest stored measurement up to then, drafts included, else the baseline."""
        measurements = self.measurements.filter(measurement_value__isnull=False, measurement_country=country)
        if exclude is not None:
            measurements = measurements.exclude(pk=exclude)
        measurements = measurements.annotate(measured=Coalesce("measured_end", "occurred_on"))
        if before is not None:
            measurements = measurements.filter(measured__lte=before)
        latest = measurements.order_by("-measured", "-pk").values_list("measurement_value", flat=True).first()
        return latest if latest is not None else self.baseline_value

    def progress(self, updates):
        """Progress towards this target from the given progress updates' measurements of it.

        The current value is the latest measurement for the whole region, by the period it
        measures; where there is none, the sum of each country's latest, which is only a floor
        ("at least"). A yearly flow counts whole years only: a part of a year is kept apart
        (`partial`), never compared with the target. Percent runs from the baseline (or zero) to
        the target. With a recorded baseline, the pledge is on track when the current value has
        reached the straight line from the baseline at the announcement to the target at the
        deadline window's end, both read at the end of the measured period. A direction has no
        number: only its latest value. A target of steps counts the steps its published updates
        show done.
        """
        if self.kind == TargetKind.MILESTONES:
            # The earliest update to show a step done dates it.
            marked = sorted((u for u in updates if u.target_id == self.pk and u.milestone), key=lambda u: u.occurred_on)
            done = {u.milestone: u for u in reversed(marked)}
            steps = TargetProgress(steps=tuple((self.step_name(step), done.get(step)) for step in self.milestones))
            total, count = len(self.milestones), steps.steps_done
            share = (Decimal(count * 100) / total).quantize(Decimal("1")) if total else None
            return replace(steps, share=share, reached=bool(total) and count == total)
        pledge = self.pledge
        measured = sorted(
            (u for u in updates if u.measurement_value is not None and u.target_id == self.pk),
            key=lambda u: (u.measured_on, u.pk or 0),
        )
        partial = ()
        if self.kind == TargetKind.FLOW:
            partial = tuple(u for u in measured if not covers_a_year(u))
            measured = [u for u in measured if covers_a_year(u)]
        if not measured:
            return TargetProgress(partial=partial)
        overall = [u for u in measured if u.measurement_country_id is None]
        latest_by_country = {}
        for update in measured:
            if update.measurement_country_id is not None:
                latest_by_country[update.measurement_country_id] = update
        if overall:
            latest = overall[-1]
            current, as_of, qualifier = latest.measurement_value, latest.measured_on, latest.measurement_qualifier
        else:
            current = sum((u.measurement_value for u in latest_by_country.values()), Decimal(0))
            latest = max(latest_by_country.values(), key=lambda u: u.measured_on)
            as_of = latest.measured_on
            exact = {u.measurement_qualifier for u in latest_by_country.values()} == {""}
            qualifier = "" if exact else "about"
        shown = {"current_value": current, "as_of": as_of, "by_country": latest_by_country, "latest": latest}
        if self.kind == TargetKind.DIRECTION or self.target_value is None:
            return TargetProgress(**shown, qualifier=qualifier, partial=partial)
        growing = self.target_value >= (self.baseline_value or Decimal(0))
        past = current > self.target_value if growing else current < self.target_value
        if not overall:
            # A floor: it may show the target met ("at least 52 million of 50 million"), no more.
            return TargetProgress(
                **shown,
                at_least=True,
                qualifier=qualifier,
                partial=partial,
                reached=past or current == self.target_value,
            )
        baseline = self.baseline_value or Decimal(0)
        span = self.target_value - baseline
        percent = None if span == 0 else ((current - baseline) / span * 100).quantize(Decimal("0.1"))
        expected = on_track = None
        if self.baseline_value is not None and pledge.deadline_end and pledge.deadline_end > pledge.announced_on:
            elapsed = (as_of - pledge.announced_on).days / (pledge.deadline_end - pledge.announced_on).days
            fraction = Decimal(str(min(max(elapsed, 0.0), 1.0)))
            expected = (baseline + span * fraction).quantize(Decimal("0.01"))
            on_track = current >= expected if span >= 0 else current <= expected
        return TargetProgress(
            **shown,
            percent=percent,
            expected_value=expected,
            on_track=on_track,
            # "152% of the target" reads right only for a target to grow to; a cut is told otherwise.
            share=(current / self.target_value * 100).quantize(Decimal("1"))
            if span >= 0 and self.target_value > 0
            else None,
            reached=current == self.target_value,
            exceeded=past,
            qualifier=qualifier,
            partial=partial,
        )

    def clean(self):
        errors = target_errors(
            unit=getattr(self, "unit", None) if self.unit_id else None,
            target=self.target_value,
            baseline=self.baseline_value,
            kind=self.kind,
            milestones=self.milestones,
        )
        if errors:
            raise ValidationError(errors)


def covers_a_year(update):
    """Whether a measurement covers a whole calendar year (what a yearly flow compares)."""
    precision, start, end = update.measured_precision, update.measured_start, update.measured_end
    if precision == PeriodPrecision.YEAR:
        return True
    return (
        precision == PeriodPrecision.RANGE
        and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
        and start.year == end.year
    )


def target_errors(*, unit, target, baseline, kind=TargetKind.TOTAL, milestones=()):
    """The ways a quantitative target breaks its rules, as {field: message} (field names as on Target)."""
    errors = {}
    if kind == TargetKind.MILESTONES:
        if not milestones:
            errors["milestones"] = _("Name the steps of a target of steps, in order.")
        elif len(set(milestones)) < len(milestones):
            errors["milestones"] = _("Each step needs its own name.")
        if target is not None or baseline is not None:
            errors["target_value"] = _("A target of steps has no value or baseline: its steps are its target.")
        if unit:
            errors["unit"] = _("A target of steps counts its steps: leave the unit empty.")
        return errors
    if milestones:
        errors["milestones"] = _("Only a target of steps has steps: choose that kind, or leave the steps empty.")
    if kind == TargetKind.DIRECTION:
        if target is not None:
            errors["target_value"] = _("A direction only has no target value: leave it empty, or choose another kind.")
        if not unit:
            errors["unit"] = _("A target needs a unit.")
        return errors
    # A running total, a level or a yearly flow: a number to reach, in a unit.
    if not unit:
        errors["unit"] = _("A target needs a unit.")
    if target is None:
        errors["target_value"] = _("A target needs its promised value, or the kind “a direction only”.")
        if unit:
            errors["target_value"] = _("A unit needs a target value.")
        if baseline is not None:
            errors["target_value"] = _("A baseline needs a target value.")
    return errors
