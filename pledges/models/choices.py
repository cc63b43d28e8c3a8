"""The record's vocabularies: verdicts, deadline precisions and states, follow-ups, periods, source grades."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Verdict(models.TextChoices):
    """The rating of a pledge's outcome, after PolitiFact's scale."""

    NOT_RATED = "not_rated", _("Not yet rated")
    IN_PROGRESS = "in_progress", _("In progress")
    STALLED = "stalled", _("Stalled")
    PARTIALLY_KEPT = "partially_kept", _("Partially kept")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")


VERDICT_DEFINITIONS = {
    Verdict.NOT_RATED: _("Every pledge starts here: there is not yet enough evidence to rate it."),
    Verdict.IN_PROGRESS: _("Work towards the pledge has started and is continuing."),
    Verdict.STALLED: _("Work has stopped or stalled: no progress, or obstacles, delays or cuts."),
    Verdict.PARTIALLY_KEPT: _("What was done is substantially less than promised, but a real step towards it."),
    Verdict.KEPT: _("The pledge was fulfilled, as promised or close to it."),
    Verdict.BROKEN: _("The pledge was not fulfilled, or is no longer possible to fulfil."),
}

# Verdicts that close a pledge: its deadline passing is then no longer news.
SETTLED_VERDICTS = frozenset({Verdict.KEPT, Verdict.PARTIALLY_KEPT, Verdict.BROKEN})


class DeadlinePrecision(models.TextChoices):
    """How precisely the pledge's own words fix its deadline."""

    DAY = "day", _("A day")
    MONTH = "month", _("A month")
    YEAR = "year", _("A year")
    RANGE = "range", _("A range of dates")
    DURATION = "duration", _("A period from the announcement")
    ASAP = "asap", _("As soon as possible (no date)")
    ONGOING = "ongoing", _("Ongoing or continuous (no date)")
    IN_DUE_COURSE = "in_due_course", _("In due course (no date)")
    NONE = "none", _("No deadline")


DATED_PRECISIONS = frozenset(
    {
        DeadlinePrecision.DAY,
        DeadlinePrecision.MONTH,
        DeadlinePrecision.YEAR,
        DeadlinePrecision.RANGE,
        DeadlinePrecision.DURATION,
    }
)


class DeadlineState(models.TextChoices):
    """Where a pledge stands against its deadline. Computed, never stored or typed."""

    UPCOMING = "upcoming", _("Upcoming")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    MET = "met", _("Met")
    UNDATED = "undated", _("No date")


class FollowUp(models.TextChoices):
    """How a pledge follows an earlier one; `passive` words it from the earlier pledge's side."""

    RENEWS = "renews", _("Renews")
    EXTENDS = "extends", _("Extends")
    REPLACES = "replaces", _("Replaces")
    RESTATES = "restates", _("Restates")

    @property
    def passive(self):
        return FOLLOW_UP_PASSIVE[self]


FOLLOW_UP_PASSIVE = {
    FollowUp.RENEWS: _("Renewed"),
    FollowUp.EXTENDS: _("Extended"),
    FollowUp.REPLACES: _("Replaced"),
    FollowUp.RESTATES: _("Restated"),
}


class PeriodPrecision(models.TextChoices):
    """What a measurement measures: one day, a month, a year, or a range of dates (as IATI reports)."""

    DAY = "day", _("A day")
    MONTH = "month", _("A month")
    YEAR = "year", _("A year")
    RANGE = "range", _("A range of dates")


class TargetKind(models.TextChoices):
    """What a target's number means, and so how its measurements count towards it."""

    TOTAL = "total", _("A running total (doses delivered, money granted)")
    LEVEL = "level", _("A level to reach (pairs of sister cities)")
    FLOW = "flow", _("A yearly flow (trade in a year): each measurement a whole year")
    DIRECTION = "direction", _("A direction only (“more”, “expand”): no number")
    MILESTONES = "milestones", _("Named steps (survey, agreement, construction start, opening), each done or not")


class Qualifier(models.TextChoices):
    """How exact a figure is, as its source gives it."""

    EXACT = "", _("exactly")
    ABOUT = "about", _("about")
    MORE_THAN = "more_than", _("more than")
    AT_LEAST = "at_least", _("at least")
    UP_TO = "up_to", _("up to")


class SourceGrade(models.TextChoices):
    """How much a source can bear: a verdict needs at least one source that is not weak."""

    PRIMARY = "primary", _("Primary: the official text or record")
    REPORTING = "reporting", _("Reporting: news or analysis")
    WEAK = "weak", _("Weak: unconfirmed or second-hand")
