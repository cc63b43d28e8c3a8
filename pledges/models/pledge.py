"""A pledge: who promised what, to whom, by when; and the rules its deadline and follow-ups keep."""

from datetime import timedelta

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import DATED_PRECISIONS, SETTLED_VERDICTS, DeadlinePrecision, DeadlineState, FollowUp, Verdict
from .dates import PreciseDate, precision_constraint, precision_field
from .languages import field_in, missing, shown, site_language, translated
from .reference import Event, Party, Topic
from .stamped import Stamped
from .validation import (
    WebAddressField,
    dates_in_range_constraint,
    http_url_condition,
    validate_date_in_range,
    validate_printable,
)

# The languages a pledge may have been made in: Django's own list, by code (zh-hans, ru, kk ...).
QUOTE_LANGUAGES = sorted(
    ((code, info["name"]) for code, info in LANG_INFO.items() if "name" in info), key=lambda c: c[1]
)


def quote_language_errors(*, language: str, original: str) -> dict:
    """{"quote_language": message} when original words are given without the language they are in."""
    if original.strip() and not language:
        return {"quote_language": _("Say which language the original words are in.")}
    return {}


def follow_up_errors(*, follows, how, slug, announced_on, also_follows=()):
    """The ways a follow-up link breaks its rules, as {field: message}; empty when it is sound.
    `also_follows` are the other earlier pledges it follows the same way."""
    errors = {}
    if also_follows and follows is None:
        errors["also_follows"] = _("Name the first earlier pledge in “follows”, and the others here.")
    for other in also_follows if follows is not None else ():
        if (slug and other.slug == slug) or (follows is not None and other.slug == follows.slug):
            errors["also_follows"] = _("“%(slug)s” is this pledge or the one it follows first.") % {"slug": other.slug}
        elif announced_on and other.announced_on and other.announced_on > announced_on:
            errors["also_follows"] = _("“%(slug)s” was announced on %(date)s, after this one.") % {
                "slug": other.slug,
                "date": other.announced_on.isoformat(),
            }
    if follows is not None and not how:
        errors["follow_up"] = _("Say how this pledge follows the earlier one (renews, extends, replaces or restates).")
    if how and follows is None:
        errors["follows"] = _("Name the earlier pledge this one %(how)s.") % {"how": FollowUp(how).label.lower()}
    if follows is not None and slug and follows.slug == slug:
        errors["follows"] = _("A pledge cannot follow itself.")
    elif follows is not None and announced_on and follows.announced_on and follows.announced_on > announced_on:
        errors["follows"] = _("The earlier pledge was announced on %(date)s, after this one.") % {
            "date": follows.announced_on.isoformat()
        }
    return errors


# The group whose members edit the record (pledges.roles gives it its permissions).
EDITORS_GROUP = "Editors"


def owner_choices():
    """Who may own a pledge: an editor (a staff user in the Editors group) or a superuser, never a
    Viewer, who could not act on its reminders."""
    return Q(is_staff=True) & (Q(is_superuser=True) | Q(groups__name=EDITORS_GROUP))


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

    def missing_language(self, language):
        """Pledges with a text written in English and not in `language`: their own (`TRANSLATED`),
        or a text of one of their updates (`ProgressUpdate.TRANSLATED`)."""
        from .progress import ProgressUpdate  # progress imports this module

        def lacking(names):
            condition = Q(pk__in=[])
            for name in names:
                condition |= ~Q(**{name: ""}) & Q(**{field_in(name, language): ""})
            return condition

        updates = ProgressUpdate.objects.filter(lacking(ProgressUpdate.TRANSLATED), pledge=models.OuterRef("pk"))
        return self.filter(lacking(Pledge.TRANSLATED) | models.Exists(updates))

    def needing_review(self, today=None):
        """Pledges nobody has reviewed within PLEDGES_REVIEW_INTERVAL_DAYS (or ever)."""
        today = today or timezone.localdate()
        cutoff = today - timedelta(days=settings.PLEDGES_REVIEW_INTERVAL_DAYS)
        return self.filter(Q(last_reviewed_on__isnull=True) | Q(last_reviewed_on__lt=cutoff))


class Pledge(Stamped):
    """One trackable commitment, with its deadline window, verdict and optional target."""

    slug = models.SlugField(max_length=120, unique=True, help_text=_("Stable public address."), verbose_name=_("slug"))
    title = models.CharField(validators=[validate_printable], max_length=200, verbose_name=_("title"))
    title_ru, title_zh_hans = translated(title)
    parties = models.ManyToManyField(
        Party,
        related_name="pledges",
        verbose_name=_("pledging parties"),
        help_text=_("Who made the pledge: one party, or several jointly."),
    )
    beneficiaries = models.ManyToManyField(
        Party,
        related_name="benefiting_pledges",
        blank=True,
        help_text=_("Who it was made to, if it names anyone; a pledging party may be one too."),
        verbose_name=_("beneficiaries"),
    )
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="pledges", verbose_name=_("event")
    )
    announced_on = models.DateField(validators=[validate_date_in_range], verbose_name=_("announced on"))
    announced_precision = precision_field(_("the announcement date"))
    quote = models.TextField(
        validators=[validate_printable],
        help_text=_("The pledge's own words, verbatim, or (when said in another language) their English translation."),
        verbose_name=_("quote"),
    )
    quote_ru, quote_zh_hans = translated(quote)
    # Words said in another language are shown as said, with the translation labelled as one.
    quote_language = models.CharField(
        _("quote's language"),
        max_length=10,
        blank=True,
        choices=QUOTE_LANGUAGES,
        help_text=_("The language the pledge was made in, when not English: the quote is then a translation."),
    )
    quote_original = models.TextField(
        _("original words"),
        blank=True,
        validators=[validate_printable],
        help_text=_("The pledge's words as said, in that language, when a source gives them."),
    )
    quote_translated_by = models.CharField(
        _("translated by"),
        max_length=200,
        blank=True,
        validators=[validate_printable],
        help_text=_("Who made the English translation shown as the quote."),
    )
    summary = models.TextField(
        validators=[validate_printable],
        help_text=_("A neutral summary in the editor's words."),
        verbose_name=_("summary"),
    )
    summary_ru, summary_zh_hans = translated(summary)
    topic = models.ForeignKey(
        Topic,
        on_delete=models.PROTECT,
        related_name="pledges",
        help_text=_("Its topic, the one the overview shows."),
        verbose_name=_("topic"),
    )
    more_topics = models.ManyToManyField(
        Topic,
        blank=True,
        related_name="more_pledges",
        verbose_name=_("more topics"),
        help_text=_("Any other topics it is on (transport and culture), in order."),
    )

    source_title = models.CharField(validators=[validate_printable], max_length=300, verbose_name=_("source title"))
    source_publisher = models.CharField(
        validators=[validate_printable], max_length=200, verbose_name=_("source publisher")
    )
    source_url = WebAddressField(max_length=500, verbose_name=_("source address"))
    source_published_on = models.DateField(
        null=True, blank=True, validators=[validate_date_in_range], verbose_name=_("source date")
    )
    source_published_precision = precision_field(_("the source's date"))

    deadline_text = models.CharField(
        validators=[validate_printable],
        max_length=200,
        blank=True,
        help_text=_('The words used, e.g. "by 2030".'),
        verbose_name=_("deadline in words"),
    )
    deadline_text_ru, deadline_text_zh_hans = translated(deadline_text)
    deadline_precision = models.CharField(
        max_length=20,
        choices=DeadlinePrecision.choices,
        default=DeadlinePrecision.NONE,
        verbose_name=_("kind of deadline"),
    )
    deadline_start = models.DateField(
        null=True, blank=True, validators=[validate_date_in_range], verbose_name=_("deadline window opens")
    )
    deadline_end = models.DateField(
        null=True, blank=True, validators=[validate_date_in_range], verbose_name=_("deadline")
    )

    # Set only from a published progress update that cites a source (see services).
    verdict = models.CharField(
        max_length=20, choices=Verdict.choices, default=Verdict.NOT_RATED, editable=False, verbose_name=_("verdict")
    )
    # The newest ruling of its published updates, set with the verdict (services): never typed here.
    ruling = models.TextField(validators=[validate_printable], blank=True, editable=False, verbose_name=_("ruling"))
    ruling_ru, ruling_zh_hans = translated(ruling)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_pledges",
        # Owners are editors: the admin's choices, its autocomplete and validation, the bulk
        # "assign" action and the importer all follow this.
        limit_choices_to=owner_choices,
        verbose_name=_("owner"),
    )
    is_published = models.BooleanField(default=False, verbose_name=_("published"))
    last_reviewed_on = models.DateField(
        null=True, blank=True, validators=[validate_date_in_range], verbose_name=_("last reviewed on")
    )
    # A pledge may renew, extend, replace or restate an earlier one; each keeps its own verdict.
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text=_("The earlier pledge this one renews, extends, replaces or restates."),
        verbose_name=_("follows"),
    )
    follow_up = models.CharField(_("how it follows"), max_length=10, choices=FollowUp.choices, blank=True)
    also_follows = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="also_followed_by",
        verbose_name=_("also follows"),
        help_text=_("Any other earlier pledges it follows the same way (a pledge restating two), in order."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(default=timezone.now, editable=False, verbose_name=_("updated at"))
    # When the reminder sweep must look at this pledge next (pledges.reminders). Every write
    # clears it, meaning "look now"; the sweep sets it to the next day something falls due.
    remind_after = models.DateField(null=True, blank=True, editable=False, verbose_name=_("remind after"))

    history = HistoricalRecords(
        m2m_fields=[parties, beneficiaries, more_topics, also_follows], excluded_fields=["remind_after"]
    )
    # Its texts readers see, each with a field per other language (languages.translated).
    TRANSLATED = ("title", "quote", "summary", "deadline_text", "ruling")
    objects = PledgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
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
                "pledge_dates_in_range",
                "announced_on",
                "source_published_on",
                "deadline_start",
                "deadline_end",
                "last_reviewed_on",
            ),
            precision_constraint("pledge_announced_precision", "announced_on", "announced_precision"),
            precision_constraint("pledge_source_date_precision", "source_published_on", "source_published_precision"),
            models.CheckConstraint(condition=Q(verdict__in=Verdict.values), name="pledge_verdict_is_known"),
            models.CheckConstraint(
                condition=(Q(follows__isnull=True) & Q(follow_up="")) | (Q(follows__isnull=False) & ~Q(follow_up="")),
                name="pledge_follow_up_names_how",
            ),
        ]
        indexes = [
            # The overview's order (selectors.public_pledges): a page is the index's next 51 rows.
            models.Index(fields=["is_published", "deadline_end", "title", "id"], name="pledge_overview_order"),
            # The reminder sweep's query: remind_after IS NULL OR remind_after <= today.
            models.Index(fields=["remind_after"], name="pledge_remind_after"),
            # The public pages' data version (selectors.data_version): the newest updated_at.
            models.Index(fields=["updated_at"], name="pledge_updated_at"),
            # The admin's list, open deadlines first (admin.OpenFirstPaginator): the open part in order.
            models.Index(
                fields=["deadline_end", "title", "id"],
                name="pledge_admin_open",
                condition=~Q(verdict__in=sorted(SETTLED_VERDICTS)),
            ),
            # The others after them, in the same order (an ascending index keeps NULLs last on
            # PostgreSQL, as the list wants; SQLite cannot say so in an index).
            models.Index(fields=["deadline_end", "title", "id"], name="pledge_admin_others"),
            # The overview's "last checked" (selectors.last_checked): the newest review date.
            models.Index(fields=["is_published", "last_reviewed_on"], name="pledge_last_checked"),
        ]
        permissions = [("import_pledge", "Can import pledges from files")]

    def __str__(self):
        return self.title

    STAMPED_FIELDS = ("updated_at", "remind_after")

    def stamp(self, now):
        super().stamp(now)
        # Any change may bring a reminder forward (a deadline moved, a verdict reopened): the next
        # sweep looks at this pledge again.
        self.remind_after = None

    def get_absolute_url(self):
        return reverse("pledges:detail", args=[self.slug])

    @property
    def announced(self):
        """The announcement date as precise as its source (a PreciseDate): "December 2023"."""
        return PreciseDate.of(self.announced_on, self.announced_precision)

    @property
    def source_published(self):
        return PreciseDate.of(self.source_published_on, self.source_published_precision)

    def get_follow_up_passive(self):
        """How this pledge follows its earlier one, from that one's side ("Renewed")."""
        return FollowUp(self.follow_up).passive if self.follow_up else ""

    def clean(self):
        errors = (
            deadline_errors(precision=self.deadline_precision, start=self.deadline_start, end=self.deadline_end)
            | follow_up_errors(follows=self.follows, how=self.follow_up, slug=self.slug, announced_on=self.announced_on)
            | quote_language_errors(language=self.quote_language, original=self.quote_original)
        )
        if errors:
            raise ValidationError(errors)

    @property
    def quote_is_translation(self):
        """Whether the quote shown is a translation (the pledge was made in another language)."""
        return bool(self.quote_language) and self.quote_language != "en"

    def texts_missing(self, language):
        """How many texts a reader of `language` meets on this pledge's page written only in
        English: its own, its updates', targets', event's and people's (a state's name is its
        country's, which every language has)."""
        records = [
            (self, Pledge.TRANSLATED),
            *((update, update.TRANSLATED) for update in self.updates.all()),
            *((target, target.TRANSLATED) for target in self.targets.all()),
            *((party, party.TRANSLATED) for party in self.parties.all() if not party.country_id),
        ]
        if self.event_id:
            records.append((self.event, self.event.TRANSLATED))
        return sum(missing(record, name, language) for record, names in records for name in names)

    @property
    def quote_for_reader(self):
        """The quote's translation shown to the reader under the words as said (in their language
        where it is written, else the English, marked): none when they read the words as said."""
        if self.quote_original and self.quote_language == site_language():
            return None
        return shown(self, "quote")

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


def deadline_errors(*, precision, start, end):
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


# Words of a pledge's own text a search matches in any form ("sister city" finds "sister cities").
SEARCHED_TEXT = ("title", "quote", "summary")
# An update's words a search matches too: what happened, and why the pledge has its verdict.
UPDATE_SEARCHED_TEXT = ("summary", "ruling")
# On PostgreSQL each language's words are read with its own stemming and indexed (GIN indexes
# on these same expressions: migrations 0024 and 0042 for English, 0044 for Russian). PostgreSQL
# as Debian ships it has no Chinese parser: Chinese is matched as written (each word a substring
# of a Chinese text), from trigram indexes on those columns (pg_trgm, which takes any characters).
SEARCH_CONFIG = "english"
SEARCH_CONFIGS = {"en": SEARCH_CONFIG, "ru": "russian"}


def search_vector(language="en"):
    """The words of a pledge's own text in `language`, as PostgreSQL's full-text search reads them."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector(*(field_in(name, language) for name in SEARCHED_TEXT), config=SEARCH_CONFIGS[language])


def update_search_vector(language="en"):
    """The words of a progress update in `language`, as PostgreSQL's full-text search reads them."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector(*(field_in(name, language) for name in UPDATE_SEARCHED_TEXT), config=SEARCH_CONFIGS[language])
