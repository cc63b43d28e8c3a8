"""Reference records pledges point to: countries, topics, parties, events and units."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .languages import shown, translated
from .validation import (
    WebAddressField,
    dates_in_range_constraint,
    http_url_condition,
    validate_date_in_range,
    validate_printable,
    validate_single_party,
)


class Country(models.Model):
    """A country a pledge can benefit, keyed by its ISO 3166-1 alpha-2 code."""

    code = models.CharField(
        max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2, e.g. KZ."), verbose_name=_("code")
    )
    name = models.CharField(validators=[validate_printable], max_length=100, verbose_name=_("name"))

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Z]{2}$"), name="country_code_is_alpha2"),
        ]

    def __str__(self):
        return self.name


class Topic(models.Model):
    """A policy area (trade, health, transport ...), used to group and filter pledges."""

    slug = models.SlugField(unique=True, verbose_name=_("slug"))
    name = models.CharField(validators=[validate_printable], max_length=100, verbose_name=_("name"))

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
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

    name = models.CharField(
        validators=[validate_printable, validate_single_party], max_length=200, unique=True, verbose_name=_("name")
    )
    name_ru, name_zh_hans = translated(name)
    kind = models.CharField(
        max_length=12,
        choices=PartyKind.choices,
        blank=True,
        help_text=_("Empty until an editor classifies a party an import named."),
        verbose_name=_("kind"),
    )
    role = models.CharField(
        validators=[validate_printable],
        max_length=200,
        blank=True,
        help_text=_("e.g. President of China."),
        verbose_name=_("role"),
    )
    role_ru, role_zh_hans = translated(role)
    country = models.OneToOneField(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party",
        help_text=_("For a state: its country, by which files name it."),
        verbose_name=_("country"),
    )
    speaks_for = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speakers",
        limit_choices_to={"kind": PartyKind.STATE},
        help_text=_("For a person: the state they speak for."),
        verbose_name=_("speaks for"),
    )

    TRANSLATED = ("name", "role")

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country__isnull=True) | Q(kind=PartyKind.STATE), name="party_country_is_a_state"
            ),
            models.CheckConstraint(
                condition=Q(speaks_for__isnull=True) | Q(kind=PartyKind.PERSON), name="party_only_a_person_speaks_for"
            ),
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
        """The name readers see, in their language: a state's is its country's; anyone else's is
        theirs, marked when it is not written in the reader's language (languages.Shown)."""
        return self.country.name if self.country_id else shown(self, "name")

    @property
    def file_key(self):
        """How files name the party: a state by its country's code, anyone else by name."""
        return self.country.code if self.country_id else self.name


def name_slug(name):
    """A slug of a name, its words split at dashes and punctuation as a reader splits them:
    "China–Central Asia Summit" is china-central-asia-summit (slugify alone joins the words
    across a dash: chinacentral-asia-summit)."""
    return slugify(re.sub(r"[^\w\s-]", " ", re.sub(r"['’]", "", name)))


def event_slug(name, taken):
    """A slug for an event called `name` that is not in `taken` (a set, to which it is added)."""
    base = name_slug(name)[:110] or "event"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


class Event(models.Model):
    """Where pledges were announced: a summit, a speech, a press conference. Each has a public page."""

    name = models.CharField(validators=[validate_printable], max_length=300, unique=True, verbose_name=_("name"))
    name_ru, name_zh_hans = translated(name)
    slug = models.SlugField(
        max_length=120,
        unique=True,
        blank=True,
        help_text=_(
            "Its public address: /events/<slug>/. Left empty, it is made from the name; when it changes, the "
            "old address redirects to the new."
        ),
        verbose_name=_("slug"),
    )
    held_on = models.DateField(null=True, blank=True, validators=[validate_date_in_range], verbose_name=_("held on"))
    place = models.CharField(
        validators=[validate_printable],
        max_length=200,
        blank=True,
        help_text=_("Where it was held, e.g. Astana, or online."),
        verbose_name=_("place"),
    )
    place_ru, place_zh_hans = translated(place)
    description = models.TextField(
        _("description"),
        blank=True,
        validators=[validate_printable],
        help_text=_("What the event was, in a sentence or two, for its page."),
    )
    description_ru, description_zh_hans = translated(description)
    outcome_title = models.CharField(
        validators=[validate_printable],
        max_length=300,
        blank=True,
        help_text=_("The document it adopted or issued (a declaration, a joint statement), as titled."),
        verbose_name=_("outcome document"),
    )
    outcome_title_ru, outcome_title_zh_hans = translated(outcome_title)
    outcome_url = WebAddressField(
        max_length=500, blank=True, verbose_name=_("outcome document's address"), help_text=_("Where readers open it.")
    )

    TRANSLATED = ("name", "place", "description", "outcome_title")

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-held_on", "name"]
        constraints = [
            dates_in_range_constraint("event_dates_in_range", "held_on"),
            models.CheckConstraint(
                condition=Q(outcome_url="") | http_url_condition("outcome_url"), name="event_outcome_url_is_http"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:  # an event named in an import or typed without one
            base = name_slug(self.name)[:110] or "event"
            self.slug = event_slug(
                self.name, set(Event.objects.filter(slug__startswith=base).values_list("slug", flat=True))
            )
        former = Event.objects.filter(pk=self.pk).values_list("slug", flat=True).first() if self.pk else None
        super().save(*args, **kwargs)
        # An address readers may have kept goes on working: the old slug redirects to the new.
        FormerEventSlug.objects.filter(slug=self.slug).delete()
        if former and former != self.slug:
            FormerEventSlug.objects.update_or_create(slug=former, defaults={"event": self})

    def get_absolute_url(self):
        return reverse("pledges:event", args=[self.slug])


class FormerEventSlug(models.Model):
    """An event's earlier address, redirected to its page (slugs once ran words together across a
    dash; an editor may rename one)."""

    slug = models.SlugField(max_length=120, unique=True, verbose_name=_("slug"))
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="former_slugs", verbose_name=_("event"))

    class Meta:
        verbose_name = _("former event address")
        verbose_name_plural = _("former event addresses")

    def __str__(self):
        return self.slug


class UnitKind(models.TextChoices):
    """What a unit counts: money, things, or a physical quantity."""

    CURRENCY = "currency", _("Money, in a currency")
    COUNT = "count", _("A count of things (places, scholarships, centres …)")
    QUANTITY = "quantity", _("A physical quantity (km, m³ a year …)")


VALUE_PLACEHOLDER = "{value}"


class UnitManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


# How a unit's forms are separated, in the order of CLDR's plural categories for the language:
# English "one|other" ("{value} city pair|{value} city pairs"), Russian "one|few|many|other"
# ("{value} центр|{value} центра|{value} центров|{value} центра"); one form serves every number.
PLURAL_SEPARATOR = "|"


def plural_index(language, value, scaled, forms):
    """Which of `forms` unit forms a number takes in `language`, by CLDR's plural rules."""
    if forms == 1:
        return 0
    number = Decimal(value) if value is not None else None
    whole = number is not None and number == number.to_integral_value()
    if language.startswith("ru") and forms == 4:
        if scaled:
            return 2  # "2,5 млн доз": after a scale word, the genitive plural
        if not whole:
            return 3  # other: "2,5 дозы"
        i = int(abs(number))
        if i % 10 == 1 and i % 100 != 11:
            return 0
        if 2 <= i % 10 <= 4 and not 12 <= i % 100 <= 14:
            return 1
        return 2
    if forms == 2:  # one|other, as English
        return 0 if not scaled and whole and abs(number) == 1 else 1
    return forms - 1


class Unit(models.Model):
    """A unit a quantitative target is counted in. Editors add units and write them in each
    language in the admin; a file names a unit by its code and never creates one. Fixtures name
    units by code (fixtures/units.json), so loading them again updates what a migration made."""

    code = models.SlugField(
        max_length=30,
        unique=True,
        help_text=_("How files name it: usd, cny, scholarships, km."),
        verbose_name=_("code"),
    )
    kind = models.CharField(max_length=10, choices=UnitKind.choices, verbose_name=_("kind"))
    currency = models.CharField(
        max_length=3,
        blank=True,
        help_text=_("For money: the ISO 4217 code, e.g. USD, CNY."),
        verbose_name=_("currency"),
    )
    name = models.CharField(
        validators=[validate_printable],
        max_length=100,
        help_text=_("e.g. US dollars, scholarships."),
        verbose_name=_("name"),
    )
    written = models.CharField(
        validators=[validate_printable],
        max_length=100,
        help_text=_(
            "How an amount is written, {value} standing for the number: ${value}, {value} km; where the "
            "language has plural forms, each, separated by |: {value} scholarship|{value} scholarships."
        ),
        verbose_name=_("written"),
    )

    objects = UnitManager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
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
            if value and any(VALUE_PLACEHOLDER not in form for form in value.split(PLURAL_SEPARATOR)):
                errors[field_name] = _("Write {value} where the number goes, e.g. {value} scholarships.")
        if errors:
            raise ValidationError(errors)

    def natural_key(self):
        return (self.code,)

    def write(self, number_text, value=None, scaled=False):
        """An amount in this unit, in the active language: "$106.3 billion", "100 city pairs",
        "1 city pair", "3 центра". `value` is the number written, for its plural form (CLDR's
        categories for the language); `scaled` says a scale word stands before the unit ("2.5
        million doses", "2,5 млн доз"), which takes the many form in Russian."""
        forms = self.written.split(PLURAL_SEPARATOR)
        form = forms[plural_index(get_language() or "en", value, scaled, len(forms))]
        return form.replace(VALUE_PLACEHOLDER, number_text)
