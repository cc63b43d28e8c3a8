"""The pledge record: who promised what, to whom, by when, and what has happened since.

Models hold the data and small pure computations (deadline state, progress against a target).
Multi-step writes live in `pledges.services` and `pledges.files`; shared reads in
`pledges.selectors`.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


# The dates a record may hold. A far-off date is a typo (9999-12-31 for 2029-12-31), and dates
# near the ends of Python's range break the arithmetic that calendars and reminders do with them
# (a day after 9999-12-31 does not exist). The database, the forms and the importer all hold to it.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


def date_range_error(value):
    """Why `value` is not a date a record may hold, or None when it is (or is empty)."""
    if value is None or EARLIEST_DATE <= value <= LATEST_DATE:
        return None
    return _("%(date)s is outside the dates this tracker holds (%(earliest)s to %(latest)s).") % {
        "date": value.isoformat(), "earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat(),
    }


def validate_date_in_range(value):
    """Field validator: the date is between EARLIEST_DATE and LATEST_DATE."""
    message = date_range_error(value)
    if message:
        raise ValidationError(message, code="date_out_of_range")


def dates_in_range_constraint(name, *fields):
    """The database's copy of `validate_date_in_range`, for every date column of a model."""
    condition = Q()
    for field_name in fields:
        condition &= Q(**{f"{field_name}__isnull": True}) | Q(**{f"{field_name}__range": (EARLIEST_DATE, LATEST_DATE)})
    return models.CheckConstraint(condition=condition, name=name)


# Characters no document can show: C0 controls other than tab and line breaks, and the two
# non-characters. XML (the Atom feeds) cannot even carry them, so they are refused on the way in.
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def unprintable_error(text):
    """Why `text` cannot be stored (it holds a control character), or None."""
    found = UNPRINTABLE.search(text or "")
    if found is None:
        return None
    return _("contains the control character U+%(code)04X, which no page or feed can show; remove it.") % {
        "code": ord(found.group())
    }


def validate_printable(value):
    """Field validator: no control characters (see UNPRINTABLE)."""
    message = unprintable_error(value)
    if message:
        raise ValidationError(message, code="unprintable")


def single_party_error(name):
    """Why `name` is not one party's name (it holds the files' list separator), or None."""
    if "|" not in (name or ""):
        return None
    return _("holds “|”, the list separator: one party per value (%(names)s).") % {
        "names": ", ".join(part.strip() for part in name.split("|") if part.strip())
    }


def validate_single_party(value):
    """Field validator: one party, not a list of them."""
    message = single_party_error(value)
    if message:
        raise ValidationError(message, code="several_parties")


# Only web addresses: a source is something a reader can open. The database holds to the same
# rule (http_url_condition), in lower case, as browsers and Django's URL field write a scheme.
validate_http_url = URLValidator(
    schemes=["http", "https"], message=_("Enter an http:// or https:// address."), code="not_http"
)


class Country(models.Model):
    """A country a pledge can benefit, keyed by its ISO 3166-1 alpha-2 code."""

    code = models.CharField(max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2, e.g. KZ."))
    name = models.CharField(validators=[validate_printable], max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Z]{2}$"), name="country_code_is_alpha2"),
        ]

    def __str__(self):
        return self.name


class Topic(models.Model):
    """A policy area (trade, health, transport ...), used to group and filter pledges."""

    slug = models.SlugField(unique=True)
    name = models.CharField(validators=[validate_printable], max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartyKind(models.TextChoices):
    """What a party is. A party an import names is unclassified until an editor says."""

    PERSON = "person", _("A person")
    STATE = "state", _("A state")
    ORGANISATION = "organisation", _("An organisation")


class Party(models.Model):
    """Whoever makes or benefits from a pledge: a person in an office, a state, an organisation.

    A pledge has one or more pledging parties and one or more beneficiaries; a party may be both
    (a mutual commitment). A state is tied to its country (files name it by the country's code);
    a person may speak for a state.
    """

    name = models.CharField(validators=[validate_printable, validate_single_party], max_length=200, unique=True)
    kind = models.CharField(max_length=12, choices=PartyKind.choices, blank=True,
                            help_text=_("Empty until an editor classifies a party an import named."))
    role = models.CharField(validators=[validate_printable], max_length=200, blank=True, help_text=_("e.g. President of China."))
    country = models.OneToOneField(Country, on_delete=models.PROTECT, null=True, blank=True, related_name="party",
                                   help_text=_("For a state: its country, by which files name it."))
    speaks_for = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="speakers",
        limit_choices_to={"kind": PartyKind.STATE}, help_text=_("For a person: the state they speak for."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("parties")
        constraints = [
            models.CheckConstraint(condition=Q(country__isnull=True) | Q(kind=PartyKind.STATE), name="party_country_is_a_state"),
            models.CheckConstraint(condition=Q(speaks_for__isnull=True) | Q(kind=PartyKind.PERSON),
                                   name="party_only_a_person_speaks_for"),
            models.CheckConstraint(condition=Q(kind="") | Q(kind__in=PartyKind.values), name="party_kind_is_known"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.country_id and self.kind != PartyKind.STATE:
            errors["country"] = _("Only a state has a country.")
        if self.speaks_for_id and self.kind != PartyKind.PERSON:
            errors["speaks_for"] = _("Only a person speaks for a state.")
        if errors:
            raise ValidationError(errors)

    @property
    def shown_name(self):
        """The name readers see: a state's is its country's, in their language."""
        return self.country.name if self.country_id else self.name

    @property
    def file_key(self):
        """How files name the party: a state by its country's code, anyone else by name."""
        return self.country.code if self.country_id else self.name


def event_slug(name, taken):
    """A slug for an event called `name` that is not in `taken` (a set, to which it is added)."""
    base = slugify(name)[:110] or "event"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


class Event(models.Model):
    """Where pledges were announced: a summit, a speech, a press conference. Each has a public page."""

    name = models.CharField(validators=[validate_printable], max_length=300, unique=True)
    slug = models.SlugField(max_length=120, unique=True, help_text=_("Its public address: /events/<slug>/."))
    held_on = models.DateField(null=True, blank=True, validators=[validate_date_in_range])
    place = models.CharField(validators=[validate_printable], max_length=200, blank=True,
                             help_text=_("Where it was held, e.g. Astana, or online."))

    class Meta:
        ordering = ["-held_on", "name"]
        constraints = [dates_in_range_constraint("event_dates_in_range", "held_on")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:  # an event named in an import or typed without one
            base = slugify(self.name)[:110] or "event"
            self.slug = event_slug(self.name, set(Event.objects.filter(slug__startswith=base).values_list("slug", flat=True)))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("pledges:event", args=[self.slug])


class Verdict(models.TextChoices):
    """The rating of a pledge's outcome, after PolitiFact's scale."""

    NOT_RATED = "not_rated", _("Not yet rated")
    IN_PROGRESS = "in_progress", _("In progress")
    STALLED = "stalled", _("Stalled")
    PARTIALLY_KEPT = "partially_kept", _("Partially kept")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")

    @property
    def definition(self):
        return VERDICT_DEFINITIONS[self]


VERDICT_DEFINITIONS = {
    Verdict.NOT_RATED: _("Every pledge starts here: there is not yet enough evidence to rate it."),
    Verdict.IN_PROGRESS: _("Work towards the pledge has started and is continuing."),
    Verdict.STALLED: _("Work has stopped or stalled: no progress, or obstacles, delays or cuts."),
    Verdict.PARTIALLY_KEPT: _(
        "What was done is substantially less than promised, but a real step towards it."
    ),
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


class UnitKind(models.TextChoices):
    """What a unit counts: money, things, or a physical quantity."""

    CURRENCY = "currency", _("Money, in a currency")
    COUNT = "count", _("A count of things (places, scholarships, centres …)")
    QUANTITY = "quantity", _("A physical quantity (km, m³ a year …)")


VALUE_PLACEHOLDER = "{value}"


class UnitManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Unit(models.Model):
    """A unit a quantitative target is counted in. Editors add units and write them in each
    language in the admin; a file names a unit by its code and never creates one. Fixtures name
    units by code (fixtures/units.json), so loading them again updates what a migration made."""

    code = models.SlugField(max_length=30, unique=True, help_text=_("How files name it: usd, cny, scholarships, km."))
    kind = models.CharField(max_length=10, choices=UnitKind.choices)
    currency = models.CharField(max_length=3, blank=True, help_text=_("For money: the ISO 4217 code, e.g. USD, CNY."))
    name = models.CharField(validators=[validate_printable], max_length=100, help_text=_("e.g. US dollars, scholarships."))
    written = models.CharField(
        validators=[validate_printable], max_length=100,
        help_text=_("How an amount is written, {value} standing for the number: ${value}, {value} scholarships, {value} km."),
    )

    objects = UnitManager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=UnitKind.values), name="unit_kind_is_known"),
            models.CheckConstraint(
                condition=(Q(kind=UnitKind.CURRENCY) & Q(currency__regex=r"^[A-Z]{3}$"))
                | (~Q(kind=UnitKind.CURRENCY) & Q(currency="")),
                name="unit_currency_only_for_money",
            ),
            models.CheckConstraint(condition=Q(written__contains=VALUE_PLACEHOLDER), name="unit_written_has_value"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        errors = {}
        if self.kind == UnitKind.CURRENCY and not re.fullmatch(r"[A-Z]{3}", self.currency or ""):
            errors["currency"] = _("Money needs its ISO 4217 currency code, three capital letters (USD, CNY).")
        if self.kind != UnitKind.CURRENCY and self.currency:
            errors["currency"] = _("Only money has a currency.")
        for field_name in [f.name for f in self._meta.get_fields() if f.name.startswith("written")]:
            value = getattr(self, field_name, "")
            if value and VALUE_PLACEHOLDER not in value:
                errors[field_name] = _("Write {value} where the number goes, e.g. {value} scholarships.")
        if errors:
            raise ValidationError(errors)

    def natural_key(self):
        return (self.code,)

    def write(self, number_text):
        """An amount in this unit, in the active language: "$106.3 billion", "100 city pairs"."""
        return self.written.replace(VALUE_PLACEHOLDER, number_text)


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


def follow_up_errors(follows, how, slug, announced_on):
    """The ways a follow-up link breaks its rules, as {field: message}; empty when it is sound."""
    errors = {}
    if follows is not None and not how:
        errors["follow_up"] = _("Say how this pledge follows the earlier one (renews, extends, replaces or restates).")
    if how and follows is None:
        errors["follows"] = _("Name the earlier pledge this one %(how)s.") % {"how": FollowUp(how).label.lower()}
    if follows is not None and slug and follows.slug == slug:
        errors["follows"] = _("A pledge cannot follow itself.")
    elif follows is not None and announced_on and follows.announced_on and follows.announced_on > announced_on:
        errors["follows"] = _("The earlier pledge was announced on %(date)s, after this one.") % {
            "date": follows.announced_on.isoformat()}
    return errors


@dataclass(frozen=True)
class TargetProgress:
    """How far a quantitative pledge has got, from its measurements. See `Pledge.target_progress`."""

    current_value: Decimal | None = None
    as_of: date | None = None
    percent: Decimal | None = None  # of the way from the baseline to the target
    expected_value: Decimal | None = None
    on_track: bool | None = None
    by_country: dict = field(default_factory=dict)
    share: Decimal | None = None  # the current value as a share of the target, for a target to grow to
    reached: bool = False  # the current value is the target's
    exceeded: bool = False  # the current value is past the target
    latest: object = None  # the update whose measurement is the current value (its period, its report date)


def http_url_condition(field_name):
    """A database condition that a URL column holds an http or https address."""
    return Q(**{f"{field_name}__startswith": "http://"}) | Q(**{f"{field_name}__startswith": "https://"})


class PledgeQuerySet(models.QuerySet):
    def in_deadline_state(self, state, today=None):
        """Pledges in the given DeadlineState on `today`: `Pledge.deadline_state` as a query.

        The two must agree; tests/test_models.py checks them against each other.
        """
        today = today or timezone.localdate()
        due_soon_until = today + timedelta(days=settings.PLEDGES_DUE_SOON_DAYS)
        dated_open = Q(deadline_end__isnull=False) & ~Q(verdict=Verdict.KEPT)
        condition = {
            DeadlineState.UNDATED: Q(deadline_end__isnull=True),
            DeadlineState.MET: Q(deadline_end__isnull=False, verdict=Verdict.KEPT),
            DeadlineState.OVERDUE: dated_open & Q(deadline_end__lt=today),
            DeadlineState.DUE_SOON: dated_open & Q(deadline_end__gte=today, deadline_end__lte=due_soon_until),
            DeadlineState.UPCOMING: dated_open & Q(deadline_end__gt=due_soon_until),
        }[state]
        return self.filter(condition)

    def needing_review(self, today=None):
        """Pledges nobody has reviewed within PLEDGES_REVIEW_INTERVAL_DAYS (or ever)."""
        today = today or timezone.localdate()
        cutoff = today - timedelta(days=settings.PLEDGES_REVIEW_INTERVAL_DAYS)
        return self.filter(Q(last_reviewed_on__isnull=True) | Q(last_reviewed_on__lt=cutoff))


class Pledge(models.Model):
    """One trackable commitment, with its deadline window, verdict and optional target."""

    slug = models.SlugField(max_length=120, unique=True, help_text=_("Stable public address."))
    title = models.CharField(validators=[validate_printable], max_length=200)
    parties = models.ManyToManyField(Party, related_name="pledges", verbose_name=_("pledging parties"),
                                     help_text=_("Who made the pledge: one party, or several jointly."))
    beneficiaries = models.ManyToManyField(Party, related_name="benefiting_pledges",
                                           help_text=_("Who it was made to; a pledging party may be one too."))
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="pledges"
    )
    announced_on = models.DateField(validators=[validate_date_in_range])
    quote = models.TextField(validators=[validate_printable], help_text=_("The pledge's own words, verbatim."))
    summary = models.TextField(validators=[validate_printable], help_text=_("A neutral summary in the editor's words."))
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="pledges")

    source_title = models.CharField(validators=[validate_printable], max_length=300)
    source_publisher = models.CharField(validators=[validate_printable], max_length=200)
    source_url = models.URLField(max_length=500, validators=[validate_http_url])
    source_published_on = models.DateField(null=True, blank=True, validators=[validate_date_in_range])

    deadline_text = models.CharField(
        validators=[validate_printable],
        max_length=200, blank=True, help_text=_('The words used, e.g. "by 2030".')
    )
    deadline_precision = models.CharField(
        max_length=20, choices=DeadlinePrecision.choices, default=DeadlinePrecision.NONE
    )
    deadline_start = models.DateField(null=True, blank=True, validators=[validate_date_in_range])
    deadline_end = models.DateField(null=True, blank=True, validators=[validate_date_in_range])

    # Set only from a published progress update that cites a source (see services).
    verdict = models.CharField(
        max_length=20, choices=Verdict.choices, default=Verdict.NOT_RATED, editable=False
    )
    ruling = models.TextField(
        validators=[validate_printable], blank=True,
        help_text=_("Why the verdict is what it is, in a short paragraph: the overview shows its first sentences. "
                    "For a pledge not yet rated, why not."),
    )

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_pledges",
        # Owners are editors: the admin's choices, its autocomplete and validation all follow this.
        limit_choices_to={"is_staff": True},
    )
    is_published = models.BooleanField(default=False)
    last_reviewed_on = models.DateField(null=True, blank=True, validators=[validate_date_in_range])
    # A pledge may renew, extend, replace or restate an earlier one; each keeps its own verdict.
    follows = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups",
        help_text=_("The earlier pledge this one renews, extends, replaces or restates."),
    )
    follow_up = models.CharField(_("how it follows"), max_length=10, choices=FollowUp.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # When the reminder sweep must look at this pledge next (pledges.reminders). Every write
    # clears it, meaning "look now"; the sweep sets it to the next day something falls due.
    remind_after = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[parties, beneficiaries], excluded_fields=["remind_after"])
    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ["deadline_end", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline_start__isnull=True)
                | Q(deadline_end__isnull=True)
                | Q(deadline_end__gte=models.F("deadline_start")),
                name="pledge_deadline_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=~Q(deadline_precision__in=DATED_PRECISIONS) | Q(deadline_end__isnull=False),
                name="pledge_dated_deadline_has_end",
            ),
            models.CheckConstraint(
                condition=Q(deadline_precision__in=DATED_PRECISIONS)
                | (Q(deadline_start__isnull=True) & Q(deadline_end__isnull=True)),
                name="pledge_undated_deadline_has_no_dates",
            ),
            models.CheckConstraint(
                condition=~Q(deadline_precision=DeadlinePrecision.RANGE) | Q(deadline_start__isnull=False),
                name="pledge_range_deadline_has_start",
            ),
            models.CheckConstraint(condition=http_url_condition("source_url"), name="pledge_source_url_is_http"),
            dates_in_range_constraint(
                "pledge_dates_in_range", "announced_on", "source_published_on", "deadline_start", "deadline_end",
                "last_reviewed_on",
            ),
            models.CheckConstraint(condition=Q(verdict__in=Verdict.values), name="pledge_verdict_is_known"),
            models.CheckConstraint(
                condition=(Q(follows__isnull=True) & Q(follow_up="")) | (Q(follows__isnull=False) & ~Q(follow_up="")),
                name="pledge_follow_up_names_how",
            ),
        ]
        indexes = [
            # The overview's order (selectors.published_pledges): a page is the index's next 51 rows.
            models.Index(fields=["is_published", "deadline_end", "title", "id"], name="pledge_overview_order"),
            # The reminder sweep's query: remind_after IS NULL OR remind_after <= today.
            models.Index(fields=["remind_after"], name="pledge_remind_after"),
            # The public pages' data version (selectors.data_version): the newest updated_at.
            models.Index(fields=["updated_at"], name="pledge_updated_at"),
            # The admin's list, open deadlines first (admin.OpenFirstPaginator): the open part in order.
            models.Index(fields=["deadline_end", "title", "id"], name="pledge_admin_open",
                         condition=~Q(verdict__in=sorted(SETTLED_VERDICTS))),
            # The others after them, in the same order (an ascending index keeps NULLs last on
            # PostgreSQL, as the list wants; SQLite cannot say so in an index).
            models.Index(fields=["deadline_end", "title", "id"], name="pledge_admin_others"),
            # The overview's "last checked" (selectors.last_checked): the newest review date.
            models.Index(fields=["is_published", "last_reviewed_on"], name="pledge_last_checked"),
        ]
        permissions = [("import_pledge", "Can import pledges from files")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Any change may bring a reminder forward (a deadline moved, a verdict reopened): the next
        # sweep looks at this pledge again.
        self.remind_after = None
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "remind_after"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("pledges:detail", args=[self.slug])

    def get_follow_up_passive(self):
        """How this pledge follows its earlier one, from that one's side ("Renewed")."""
        return FollowUp(self.follow_up).passive if self.follow_up else ""

    def clean(self):
        errors = deadline_errors(self.deadline_precision, self.deadline_start, self.deadline_end) | follow_up_errors(
            self.follows, self.follow_up, self.slug, self.announced_on
        )
        if errors:
            raise ValidationError(errors)

    def deadline_state(self, today=None):
        """Where the pledge stands against its deadline window's end, on `today`.

        A kept pledge has met its deadline, whenever that is; otherwise a passed end date is
        overdue (an editor, not the calendar, decides whether it is broken) and an end date
        within PLEDGES_DUE_SOON_DAYS is due soon. Pledges with no date are undated.
        """
        if self.deadline_end is None:
            return DeadlineState.UNDATED
        if self.verdict == Verdict.KEPT:
            return DeadlineState.MET
        today = today or timezone.localdate()
        if today > self.deadline_end:
            return DeadlineState.OVERDUE
        if (self.deadline_end - today).days <= settings.PLEDGES_DUE_SOON_DAYS:
            return DeadlineState.DUE_SOON
        return DeadlineState.UPCOMING

    @property
    def first_target(self):
        """The target the overview shows: the first in the editor's order (prefetched on public pages)."""
        return next(iter(self.targets.all()), None)


class Target(models.Model):
    """A quantitative target of a pledge: a value to reach in a unit, from a baseline.

    A pledge has none, one or several ("$70 billion of trade and 100 city pairs"); each has its
    own measurements (progress updates that name it), progress and on-track line. The first
    (by position) is the one the overview shows.
    """

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField(default=1, help_text=_("1 is the target the overview shows."))
    label = models.CharField(validators=[validate_printable], max_length=200, blank=True,
                             help_text=_("What is counted, e.g. annual trade."))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="targets")
    baseline_value = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True,
                                         help_text=_("The value when the pledge was made."))
    baseline_on = models.DateField(null=True, blank=True, validators=[validate_date_in_range])
    target_value = models.DecimalField(max_digits=20, decimal_places=2, help_text=_("The promised value."))

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "position"], name="target_position_unique_in_pledge"),
            models.CheckConstraint(condition=Q(position__gte=1), name="target_position_from_one"),
            dates_in_range_constraint("target_dates_in_range", "baseline_on"),
        ]

    def __str__(self):
        return self.label or str(self.unit.name)

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

        The current value is the latest region-wide measurement, by the period it measures;
        where there is none, the sum of each country's latest. Percent runs from the baseline
        (or zero) to the target. The pledge is on track when the current value has reached the
        straight line drawn from the baseline at the announcement to the target at the
        deadline window's end, both read at the end of the measured period.
        """
        pledge = self.pledge
        measured = sorted(
            (u for u in updates if u.measurement_value is not None and u.target_id == self.pk),
            key=lambda u: (u.measured_on, u.pk or 0),
        )
        if not measured:
            return TargetProgress()
        overall = [u for u in measured if u.measurement_country_id is None]
        latest_by_country = {}
        for update in measured:
            if update.measurement_country_id is not None:
                latest_by_country[update.measurement_country_id] = update
        if overall:
            current, as_of, latest = overall[-1].measurement_value, overall[-1].measured_on, overall[-1]
        else:
            current = sum((u.measurement_value for u in latest_by_country.values()), Decimal(0))
            latest = max(latest_by_country.values(), key=lambda u: u.measured_on)
            as_of = latest.measured_on
        baseline = self.baseline_value or Decimal(0)
        span = self.target_value - baseline
        percent = None if span == 0 else ((current - baseline) / span * 100).quantize(Decimal("0.1"))
        expected = on_track = None
        if pledge.deadline_end and pledge.deadline_end > pledge.announced_on:
            elapsed = (as_of - pledge.announced_on).days / (pledge.deadline_end - pledge.announced_on).days
            fraction = Decimal(str(min(max(elapsed, 0.0), 1.0)))
            expected = (baseline + span * fraction).quantize(Decimal("0.01"))
            on_track = current >= expected if span >= 0 else current <= expected
        growing = span >= 0
        return TargetProgress(
            current_value=current,
            as_of=as_of,
            percent=percent,
            expected_value=expected,
            on_track=on_track,
            by_country={u.measurement_country_id: u.measurement_value for u in latest_by_country.values()},
            # "152% of the target" reads right only for a target to grow to; a cut is told otherwise.
            share=(current / self.target_value * 100).quantize(Decimal("1")) if growing and self.target_value > 0 else None,
            reached=current == self.target_value,
            exceeded=current > self.target_value if growing else current < self.target_value,
            latest=latest,
        )

    def clean(self):
        errors = target_errors(getattr(self, "unit", None) if self.unit_id else None, self.target_value, self.baseline_value)
        if errors:
            raise ValidationError(errors)


def deadline_errors(precision, start, end):
    """The ways a deadline window breaks its rules, as {field: message}; empty when it is sound.

    The database enforces the same rules (see Pledge.Meta.constraints); this gives the
    message a person can act on, in the admin and in the CSV importer.
    """
    errors = {}
    if precision in DATED_PRECISIONS and end is None:
        errors["deadline_end"] = _("A dated deadline needs an end date.")
    if precision == DeadlinePrecision.RANGE and start is None:
        errors["deadline_start"] = _("A range needs a start date.")
    if precision not in DATED_PRECISIONS and (start or end):
        errors["deadline_end"] = _(
            "An undated deadline (as soon as possible, ongoing, in due course or none) takes no dates."
        )
    if start and end and end < start:
        errors["deadline_end"] = _("The window's end is before its start.")
    return errors


def target_errors(unit, target, baseline):
    """The ways a quantitative target breaks its rules, as {field: message} (field names as on Target)."""
    errors = {}
    if target is not None and not unit:
        errors["unit"] = _("A target needs a unit.")
    if unit and target is None:
        errors["target_value"] = _("A unit needs a target value.")
    if baseline is not None and target is None:
        errors["target_value"] = _("A baseline needs a target value.")
    return errors


class PeriodPrecision(models.TextChoices):
    """What a measurement measures: one day, a month, a year, or a range of dates (as IATI reports)."""

    DAY = "day", _("A day")
    MONTH = "month", _("A month")
    YEAR = "year", _("A year")
    RANGE = "range", _("A range of dates")


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


def period_errors(precision, start, end, has_value):
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


def update_errors(pledge, occurred_on, measurement_value, target, *, has_targets=False):
    """The ways a progress update breaks its pledge's rules, as {field: message}; empty when sound.

    The admin (ProgressUpdate.clean) and the importer give these same messages.
    """
    errors = {}
    if measurement_value is not None and target is None:
        errors["measurement_value"] = _("Say which of the pledge's targets this measures.") if has_targets else _(
            "This pledge has no target, so a measurement has nothing to count towards: "
            "give the pledge its target (unit and value) first."
        )
    if target is not None and measurement_value is None:
        errors["measurement_value"] = _("A measurement of a target needs its value.")
    if target is not None and pledge.pk and target.pledge_id != pledge.pk:
        errors["target"] = _("That target belongs to another pledge.")
    if occurred_on and pledge.announced_on and occurred_on < pledge.announced_on:
        errors["occurred_on"] = _(
            "%(date)s is before the pledge was announced on %(announced)s: an update reports what happened since."
        ) % {"date": occurred_on.isoformat(), "announced": pledge.announced_on.isoformat()}
    return errors


def measurement_clash_error(measured_on, country):
    """The message for a second measurement of one target (and country) for one period's end."""
    if country:
        return _("%(country)s already has a measurement of this target for %(date)s: one per period and country.") % {
            "country": country, "date": measured_on.isoformat()
        }
    return _("This target already has a measurement for %(date)s: one per period (per country, for a country's).") % {
        "date": measured_on.isoformat()
    }


def new_update_key():
    """A short, stable key for a progress update, unique within its pledge."""
    return uuid.uuid4().hex[:12]


class ProgressUpdate(models.Model):
    """A dated entry in a pledge's public timeline, with its sources.

    It may carry a measurement (optionally for one beneficiary country) and a new verdict;
    a published update with a new verdict is what changes the pledge's verdict.
    """

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="updates")
    key = models.SlugField(
        max_length=60, default=new_update_key, help_text=_("Stable key within the pledge, for CSV round trips.")
    )
    occurred_on = models.DateField(validators=[validate_date_in_range], help_text=_("When it happened or was reported."))
    summary = models.TextField(validators=[validate_printable])
    new_verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    measurement_value = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    measurement_country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target = models.ForeignKey(Target, on_delete=models.PROTECT, null=True, blank=True, related_name="measurements",
                               help_text=_("Which of the pledge's targets the value measures."))
    # The period a measurement describes, apart from the day it was reported (trade in 2022,
    # reported in May 2023). Empty: the day of the update.
    measured_precision = models.CharField(_("measured period"), max_length=10, choices=PeriodPrecision.choices, blank=True)
    measured_start = models.DateField(null=True, blank=True, validators=[validate_date_in_range])
    measured_end = models.DateField(null=True, blank=True, validators=[validate_date_in_range])
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        permissions = [("import_progressupdate", "Can import progress updates from files")]
        indexes = [models.Index(fields=["updated_at"], name="update_updated_at")]  # see selectors.data_version
        constraints = [
            models.UniqueConstraint(fields=["pledge", "key"], name="update_key_unique_in_pledge"),
            models.CheckConstraint(
                condition=Q(measurement_country__isnull=True) | Q(measurement_value__isnull=False),
                name="update_measurement_country_needs_value",
            ),
            models.CheckConstraint(
                condition=Q(measurement_value__isnull=True, target__isnull=True)
                | Q(measurement_value__isnull=False, target__isnull=False),
                name="update_measurement_names_its_target",
            ),
            models.CheckConstraint(
                condition=(Q(measured_precision="") & Q(measured_start__isnull=True) & Q(measured_end__isnull=True))
                | (Q(measured_precision__in=PeriodPrecision.values) & Q(measured_end__isnull=False)
                   & Q(measurement_value__isnull=False)),
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
            dates_in_range_constraint("update_dates_in_range", "occurred_on", "measured_start", "measured_end"),
            # One measured value per target, country (or the whole) and period: the chart plots one point each.
            models.UniqueConstraint(
                models.F("target"), Coalesce(models.F("measurement_country"), models.Value(0)),
                Coalesce(models.F("measured_end"), models.F("occurred_on")),
                condition=Q(measurement_value__isnull=False),
                name="update_one_measurement_a_period",
            ),
        ]

    def __str__(self):
        return f"{self.occurred_on}: {self.summary[:60]}"

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
        if self.measurement_value is not None and not self.target_id and len(targets) == 1:
            self.target = targets[0]  # a pledge with one target: that is what it measures
        target = self.target if self.target_id else None
        errors = update_errors(pledge, self.occurred_on, self.measurement_value, target,
                               has_targets=bool(targets)) | period_errors(
            self.measured_precision, self.measured_start, self.measured_end, self.measurement_value is not None
        )
        if target is not None and self.occurred_on and not errors:
            measured_on = self.measured_end or self.occurred_on
            clash = ProgressUpdate.objects.filter(
                Q(measured_end=measured_on) | Q(measured_end__isnull=True, occurred_on=measured_on),
                target=target, measurement_country_id=self.measurement_country_id, measurement_value__isnull=False,
            ).exclude(pk=self.pk)
            if clash.exists():
                errors["occurred_on"] = measurement_clash_error(measured_on, self.measurement_country)
        if errors:
            raise ValidationError(errors)


class SourceGrade(models.TextChoices):
    """How much a source can bear: a verdict needs at least one source that is not weak."""

    PRIMARY = "primary", _("Primary: the official text or record")
    REPORTING = "reporting", _("Reporting: news or analysis")
    WEAK = "weak", _("Weak: unconfirmed or second-hand")


def evidence_errors(new_verdict, grades):
    """Why an update cannot give a verdict with sources of these grades, or None.

    Only a verdict needs more than a weak source: an update may still report a weak claim.
    """
    if new_verdict and grades and all(grade == SourceGrade.WEAK for grade in grades):
        return _("A verdict needs at least one source that is not weak (a primary source or reporting).")
    return None


class Source(models.Model):
    """A document an update cites: a URL with its title, publisher, date and grade."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveSmallIntegerField(default=1)
    grade = models.CharField(max_length=10, choices=SourceGrade.choices, default=SourceGrade.REPORTING)
    url = models.URLField(max_length=500, validators=[validate_http_url])
    title = models.CharField(validators=[validate_printable], max_length=300)
    publisher = models.CharField(validators=[validate_printable], max_length=200)
    published_on = models.DateField(null=True, blank=True, validators=[validate_date_in_range])

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["update", "position"], name="source_position_unique_in_update"),
            models.CheckConstraint(condition=http_url_condition("url"), name="source_url_is_http"),
            models.CheckConstraint(condition=Q(grade__in=SourceGrade.values), name="source_grade_is_known"),
            dates_in_range_constraint("source_dates_in_range", "published_on"),
        ]

    def __str__(self):
        return self.title


class Reminder(models.Model):
    """A record that an editor is told about a pledge: a deadline near or passed, a window
    opening, a review due.

    The row is the claim: it is written (unique per pledge, recipient, kind and due date) before
    the e-mail is sent, so a sweep that runs twice, late or concurrently sends nothing twice.
    See pledges.reminders.
    """

    class Kind(models.TextChoices):
        DEADLINE_NEAR = "deadline_near", _("Deadline approaching")
        WINDOW_OPENS = "window_opens", _("Window opens")
        DEADLINE_PASSED = "deadline_passed", _("Deadline passed")
        REVIEW_DUE = "review_due", _("Review due")

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Claimed, being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will be retried")

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField(help_text=_("The day it fell due: e.g. 30 days before the deadline."))
    lead_days = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CLAIMED)
    claim = models.CharField(max_length=32, help_text=_("The sweep that holds this reminder."))
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "recipient", "kind", "due_on"], name="reminder_once_per_occasion"
            ),
        ]
        indexes = [
            # The sweep's retry query: failed reminders, and claims a killed worker left behind.
            models.Index(fields=["status", "claimed_at"], name="reminder_retry"),
            models.Index(fields=["claim"], name="reminder_claim"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.pledge} → {self.recipient}"


class PublicVersion(models.Model):
    """The version of everything the public sees: one row, read by its key on every public request.

    Its number goes up in the same transaction as each write a reader could notice (see
    pledges.public_version, the one place that decides), so ETags, Last-Modified and cached
    pages follow published data only, at the cost of one indexed read.
    """

    number = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"public data version {self.number} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class ImportJob(models.Model):
    """A large file an editor imports in the background: checked, confirmed, then written.

    The admin hands a file over the size or row threshold (PLEDGES_IMPORT_BACKGROUND_BYTES,
    PLEDGES_IMPORT_BACKGROUND_ROWS) to a Celery worker instead of reading it in the request;
    the job's page shows a progress bar and then the preview or the result. See pledges.files.jobs.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        CHECKING = "checking", _("Checking the file")
        CHECKED = "checked", _("Checked: confirm to import")
        CONFIRMED = "confirmed", _("Confirmed, waiting for a worker")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Rejected: nothing was written")
        FAILED = "failed", _("Failed: nothing was written")

    class Layout(models.TextChoices):
        PLEDGES = "pledges", _("Pledges")
        UPDATES = "updates", _("Progress updates")

    layout = models.CharField(max_length=10, choices=Layout.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=10)
    data = models.BinaryField(help_text=_("The file, until it is imported or rejected."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64, blank=True, help_text=_("The digest of the previewed changes."))
    outcome = models.JSONField(default=dict, blank=True, help_text=_("The preview, the result or the errors."))
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def running(self):
        return self.status in {self.Status.QUEUED, self.Status.CHECKING, self.Status.CONFIRMED, self.Status.IMPORTING}


class SiteText(models.Model):
    """What the site calls itself and says first, in each language: one row, editors' words.

    The name heads every public page; the standfirst opens the overview (what is tracked, from
    which events, by whom). Events are linked and the last-checked date added below it by the page
    itself, so the standfirst never goes stale. Written per language (django-modeltranslation).
    """

    ROW = 1

    name = models.CharField(validators=[validate_printable], max_length=80, default="Pledge tracker",
                            help_text=_("Heads every public page and its browser tab."))
    standfirst = models.TextField(
        validators=[validate_printable], blank=True,
        help_text=_("Opens the overview: whose pledges these are, made where and when, and who checks them. "
                    "The page lists the events and the last-checked date under it."),
    )

    class Meta:
        verbose_name = _("site name and standfirst")
        verbose_name_plural = _("site name and standfirst")

    def __str__(self):
        return str(_("Site name and standfirst"))

    @classmethod
    def current(cls):
        """The site's words: its one row, or (the row gone) the default name in every language, unsaved."""
        row = cls.objects.filter(pk=cls.ROW).first()
        if row is None:
            row = cls(pk=cls.ROW)
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    setattr(row, f"name_{code.replace('-', '_')}", str(_("Pledge tracker")))
        return row


class EditorSettings(models.Model):
    """What an editor (a staff user) chose for themselves: the language their reminders are
    written in, and the admin shown in. Blank: the site's default language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="editor_settings")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
                                help_text=_("For the reminder e-mails and the admin. Blank: the site's default."))

    class Meta:
        verbose_name = _("editor's settings")
        verbose_name_plural = _("editors' settings")

    def __str__(self):
        return str(self.user)


def chosen_language(user):
    """The language `user` chose for themselves, "" if none."""
    try:
        return user.editor_settings.language
    except EditorSettings.DoesNotExist:
        return ""


def language_of(user):
    """The language to write to `user` in: theirs if they chose one, else the site's default."""
    return chosen_language(user) or settings.LANGUAGE_CODE


# An undated pledge's row in the tally: a day no deadline reaches.
UNDATED_DAY = date(9999, 12, 31)


class VerdictTally(models.Model):
    """How many published pledges hold each verdict with each deadline day, kept by the database.

    Triggers on the pledge table (migration 0023) add and subtract as rows are written by any
    path (the ORM, bulk writes, COPY), so the overview's counts by verdict and of overdue
    deadlines are sums over a few thousand rows, not counts over every pledge. Nothing else
    writes it. Undated pledges count under UNDATED_DAY.
    """

    verdict = models.CharField(max_length=20)
    deadline_day = models.DateField()
    n = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["verdict", "deadline_day"], name="tally_one_row_a_group")]

    def __str__(self):
        return f"{self.verdict} {self.deadline_day}: {self.n}"
