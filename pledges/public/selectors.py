"""The reads the public pages, feeds and open-data files share. Only published data leaves here."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.utils import timezone

from pledges.models import (
    Country,
    Event,
    Party,
    Pledge,
    ProgressUpdate,
    Target,
    Topic,
    Verdict,
    VerdictTally,
    every_language,
)
from pledges.services import public_version

# What the public may see, in two reads every public page, feed and file starts from. Each takes
# how much of the record to bring along as an argument (one name per concept).

# The few columns of an update the overview and the calendar show (they do without its sources).
_UPDATE_SUMMARY_COLUMNS = (
    "pledge_id",
    "occurred_on",
    "occurred_precision",
    *every_language("summary"),
    "new_verdict",
    "measurement_value",
    "measurement_qualifier",
    "measurement_country_id",
    "milestone",
    "target_id",
    "measured_precision",
    "measured_start",
    "measured_end",
    "created_at",
)


def public_updates(*, shown=False):
    """The progress updates the public may see: published ones of published pledges.

    With `shown=True`, as pages show them: with their sources, country and target, newest first.
    """
    updates = ProgressUpdate.objects.filter(is_published=True, pledge__is_published=True)
    if not shown:
        return updates
    return (
        updates.select_related("measurement_country", "target__unit")
        .prefetch_related("sources")
        .order_by("-occurred_on", "-pk")
    )


def with_publication_times(updates):
    """`updates` each with `published_at`, the moment it was first published, read from its audit
    history (one subquery; an update published before the history began has none)."""
    first = ProgressUpdate.history.filter(id=OuterRef("pk"), is_published=True).order_by("history_date", "history_id")
    return updates.annotate(published_at=Subquery(first.values("history_date")[:1]))


def named_order(relation):
    """A pledge's parties, beneficiaries or more topics (`relation`) in the order the pledge names
    them, for a prefetch: the order their links were written (a railway's route, Turkmenistan to
    Kyrgyzstan).

    The ORM has no name for an automatic link table, so the link's id is ordered by with extra(),
    as Django's own many-to-many prefetch reads the same table."""
    field = Pledge._meta.get_field(relation)
    records = field.related_model.objects.all()
    if field.related_model is Party:
        records = records.select_related("country", "speaks_for__country")
    return records.extra(order_by=[f"{field.remote_field.through._meta.db_table}.id"])


def public_pledges(*, with_updates=None):
    """The pledges the public may see: the published ones. Every public read starts here.

    `with_updates="sources"` or `"summary"` brings everything a public page shows, in a constant
    number of queries, in the public order (nearest deadline first). Each pledge then carries
    `public_updates` (its published updates, newest first), with their sources or (for the
    overview and the calendar) only the columns those show.
    """
    pledges = Pledge.objects.filter(is_published=True)
    if with_updates is None:
        return pledges
    updates = public_updates(shown=True)
    if with_updates == "summary":
        updates = updates.select_related(None).prefetch_related(None).only(*_UPDATE_SUMMARY_COLUMNS)
    return (
        pledges.select_related("topic", "event")
        .prefetch_related(
            Prefetch("parties", queryset=named_order("parties")),
            Prefetch("targets", queryset=Target.objects.select_related("unit")),
            Prefetch("beneficiaries", queryset=named_order("beneficiaries")),
            Prefetch("updates", queryset=updates, to_attr="public_updates"),
        )
        .order_by(*PUBLIC_ORDER)
    )


# The order every public list shows pledges in: dated deadlines first, nearest first; undated
# pledges after them on every database.
PUBLIC_ORDER = (F("deadline_end").asc(nulls_last=True), "title", "pk")


# The overview lists this many pledges a page, in a stable order (deadline, then title).
OVERVIEW_PAGE_SIZE = 50
MAX_PAGE = 100_000


def public_pledge(slug):
    """The published pledge at this address with all its page shows (`public_pledges`, its more
    topics in the order it names them, `with_progress`), or None. It also knows whether any
    pledge follows it (`follow_up_links` then reads them; most have none, and skip the read)."""
    followed = Exists(Pledge.objects.filter(follows=OuterRef("pk"))) | Exists(
        Pledge.also_follows.through.objects.filter(to_pledge=OuterRef("pk"))
    )
    pledge = public_pledges(with_updates="sources").filter(slug=slug).annotate(followed=followed).first()
    if pledge is None:
        return None
    prefetch_related_objects([pledge], Prefetch("more_topics", queryset=named_order("more_topics")))
    return with_progress([pledge])[0]


def follow_up_links(pledge):
    """(the published pledges this one follows, first first; the published pledges that follow
    it), for the pledge page: a link to a draft would show the draft's title."""
    earlier = []
    if pledge.follows_id:
        earlier = list(public_pledges().filter(pk=pledge.follows_id))
        earlier += list(named_order("also_follows").filter(is_published=True, also_followed_by=pledge))
    if not getattr(pledge, "followed", True):  # known to have none (`public_pledge`)
        return earlier, []
    # The two ways a pledge follows this one, each read from its own index and joined as one set
    # of keys: asked as "follows it OR a link says so", PostgreSQL filtered every published
    # pledge (7.9 ms at 10,000, a scan of the whole table at a million).
    following = (
        Pledge.objects.filter(follows=pledge)
        .order_by()
        .values("pk")
        .union(Pledge.also_follows.through.objects.filter(to_pledge=pledge).values("from_pledge_id"))
    )
    later = public_pledges().filter(pk__in=following).select_related("event")
    return earlier, list(later.order_by("announced_on", "pk"))


def overview_page(pledges, page):
    """One page of the overview: (the page's pledges, whether a next page exists).

    Reads one row more than a page instead of counting the matches, which at a million pledges
    would be a scan on every request.
    """
    if page > MAX_PAGE:  # past the end however many there are, without reading them
        return [], False
    start = (page - 1) * OVERVIEW_PAGE_SIZE
    rows = list(pledges[start : start + OVERVIEW_PAGE_SIZE + 1])
    return rows[:OVERVIEW_PAGE_SIZE], len(rows) > OVERVIEW_PAGE_SIZE


def last_overview_page(matches):
    """The number of the overview's last page when it lists `matches` pledges (1 when none)."""
    return min(max(1, -(-matches // OVERVIEW_PAGE_SIZE)), MAX_PAGE)


# A filtered overview counts its matches up to this many (a count of every match of a broad
# filter at a million pledges is a scan); past it, it says "more than".
COUNT_UP_TO = 10_000


def overview_total(pledges, *, filtered, everything):
    """(how many pledges the overview lists, whether that is only a floor): `everything` (the
    tally's sum, no query) when nothing is filtered, else counted up to COUNT_UP_TO."""
    if not filtered:
        return everything, False
    counted = pledges.order_by()[: COUNT_UP_TO + 1].count()
    return min(counted, COUNT_UP_TO), counted > COUNT_UP_TO


def page_numbers(current, last, *, around=2):
    """The page numbers a pager shows: the first, the last, and `around` each side of the current
    one, with None where numbers are left out: [1, None, 4, 5, 6, 7, 8, None, 20]."""
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    numbers = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def overview_page_number(params):
    """The page of the overview a query string asks for: 1 for anything but a page number; a
    number past MAX_PAGE as the page after it, which is past the end like any page beyond it."""
    page = params.get("page", "")
    if not (page.isascii() and page.isdigit()) or not (number := page.lstrip("0")):
        return 1
    return MAX_PAGE + 1 if len(number) > 9 else min(int(number), MAX_PAGE + 1)


def verdict_counts(pledges=None):
    """How many published pledges (of `pledges`, or all) hold each verdict, zeros included.

    All of them are summed from the tally the database keeps (a few thousand rows at most), not
    counted; a selection (an event's) is counted."""
    if pledges is None:
        counted = dict(VerdictTally.objects.values_list("verdict").annotate(total=Sum("n")).order_by())
    else:
        counted = dict(pledges.values_list("verdict").annotate(n=Count("pk")).order_by())
    return [(Verdict(verdict), counted.get(verdict, 0)) for verdict in Verdict.values]


def public_event(slug):
    """The event at this address if any published pledge was made there (else None): an event
    only of drafts is not public, not even its name."""
    return Event.objects.filter(slug=slug).filter(Exists(public_pledges().filter(event=OuterRef("pk")))).first()


def public_country(code):
    """The country with this ISO code if a published pledge was made to or by it (else None)."""
    country = Country.objects.filter(code=(code or "").upper()).first()
    if country is None or not country_pledges(country).exists():
        return None
    return country


def country_pledges(country, pledges=None):
    """The published pledges (of `pledges`) made to `country` or by it: by its state, or by a
    person speaking for it. Each is matched through its link table, so a pledge made to and by
    the country is one row."""
    pledges = public_pledges() if pledges is None else pledges
    made_to = Pledge.beneficiaries.through.objects.filter(party__country=country).values("pledge_id")
    made_by = Pledge.parties.through.objects.filter(
        Q(party__country=country) | Q(party__speaks_for__country=country)
    ).values("pledge_id")
    return pledges.filter(Q(pk__in=made_to) | Q(pk__in=made_by))


def country_measurements(country):
    """The published figures measured for `country` alone, newest first, with their pledge and
    target: what the country itself reports, or is reported to have received."""
    return (
        public_updates()
        .filter(measurement_country=country, measurement_value__isnull=False)
        .select_related("pledge", "target__unit", "measurement_country")
        .order_by("-occurred_on", "-pk")
    )


def moved_event(slug):
    """The public event whose earlier address this is, if any (its page redirects there)."""
    event = Event.objects.filter(former_slugs__slug=slug).first()
    return event if event is not None and public_event(event.slug) is not None else None


def overdue_count(today=None):
    """How many published pledges have a deadline that passed without being kept: as
    `in_deadline_state(OVERDUE)` counts them, summed from the tally (tests check the two agree)."""
    today = today or timezone.localdate()
    passed = VerdictTally.objects.exclude(verdict=Verdict.KEPT).filter(deadline_day__lt=today)
    return passed.aggregate(total=Sum("n"))["total"] or 0


def last_checked():
    """The day an editor last checked any published pledge (None before any was)."""
    return public_pledges().aggregate(day=Max("last_reviewed_on"))["day"]


def filter_choices():
    """The topics, countries, events and pledging parties the overview's filters offer: those of
    published pledges.

    Each is asked for one published pledge that names it ("is there one?"), not found by joining
    every published pledge. Measured (bench/RESULTS.md): PostgreSQL answers an EXISTS per topic or
    event from the index, but turns the countries' and parties' EXISTS through the link tables
    into joins of whole tables (2.0 s and 1.1 s at 1,000,000 pledges), and even a LIMIT 1 probe
    per party into a merge join along every link (16 ms at 10,000). Asked as below (`_named`:
    the record's links in its own index, each link's pledge looked up by key until one is
    published), a probe reads a link or two: 0.2 ms for the parties at 10,000.
    """
    published = public_pledges()
    topics = Topic.objects.filter(
        Q(pk__in=_first_topics()) | Exists(published.filter(more_topics=OuterRef("pk")))
    ).order_by("name")
    countries = _named(Country.objects.all(), Pledge.beneficiaries.through, party__country=OuterRef("pk"))
    events = Event.objects.filter(Exists(published.filter(event=OuterRef("pk")))).order_by("-held_on", "name")
    parties = _named(Party.objects.select_related("country"), Pledge.parties.through, party=OuterRef("pk"))
    return list(topics), list(countries.order_by("name")), list(events), list(parties.order_by("name"))


def _first_topics():
    """The keys of the topics a published pledge has as its first topic.

    On PostgreSQL each topic is asked for its own first published pledge, its key written out,
    all in one statement. Asked as one correlated EXISTS, the planner takes every topic to be as
    common as the commonest and reads the whole table for a topic no pledge has: 0.5 s of each
    overview drawn anew at 1,000,000 pledges (bench/RESULTS.md); a written-out key it looks up
    in the index (0.07 ms)."""
    published = public_pledges()
    if not connection.features.supports_slicing_ordering_in_compound:  # SQLite: small tables
        return Topic.objects.filter(Exists(published.filter(topic=OuterRef("pk")))).values("pk")
    probes = [published.filter(topic=key).values("topic")[:1] for key in Topic.objects.values_list("pk", flat=True)]
    if not probes:
        return []
    return [row["topic"] for row in probes[0].union(*probes[1:], all=True)]


def _named(records, link, **to_record):
    """`records` that a published pledge names through the `link` table (`to_record` correlates a
    link row to each record): a scalar subquery with LIMIT 1 per record, over that record's link
    rows, each row's pledge checked by primary key. Neither step can become a join, which the
    planner would otherwise choose for tables of any size."""
    published = public_pledges().filter(pk=OuterRef("pledge_id")).values("pk")[:1]
    naming = link.objects.filter(**to_record).alias(pledge_shown=Subquery(published))
    first = naming.filter(pledge_shown__isnull=False).values("pk")[:1]
    return records.alias(named=Subquery(first)).filter(named__isnull=False)


def data_version(scopes=(public_version.LIST,)):
    """(token, changed_at): a token that changes whenever what depends on `scopes` changes
    (pledges.public.scopes): for a list, anything the public sees; for a pledge's page, that pledge.

    From the shared cache, or one read by key (see pledges.services.public_version, which moves
    it on every public-facing write and on none other), so a cached page is known stale at no cost.
    """
    return public_version.current(scopes)


SHARED = ("parties", "beneficiaries")


def shared_parties(pledges):
    """What all of `pledges` share, for a page to say once above them instead of on each row:
    {"parties": a pledge whose pledging parties all share, "beneficiaries": one whose
    beneficiaries all share}, each None where they differ. Reads the pledges' links (one query),
    so it works on a page's pledges read light (`page_rows`): the pledge it gives may need its
    names read (`with_names`)."""
    shared = dict.fromkeys(SHARED)
    if len(pledges) < 2:
        return shared
    keys = [pledge.pk for pledge in pledges]
    named = {relation: {key: [] for key in keys} for relation in shared}
    links = [
        getattr(Pledge, relation)
        .through.objects.filter(pledge_id__in=keys)
        .annotate(relation=Value(relation))
        .values_list("relation", "pledge_id", "party_id", "id")
        for relation in shared
    ]
    for relation, pledge, party, _link in sorted(links[0].union(links[1], all=True), key=lambda row: row[3]):
        named[relation][pledge].append(party)
    for relation, parties in named.items():
        if all(parties[key] == parties[keys[0]] for key in keys[1:]):
            shared[relation] = pledges[0]
    return shared


def with_names(pledge):
    """`pledge` with its parties and beneficiaries, in the order it names them (two queries):
    for a page to say once what all its pledges share (`shared_parties`)."""
    prefetch_related_objects([pledge], *(Prefetch(relation, queryset=named_order(relation)) for relation in SHARED))
    return pledge


def page_rows(pledges, page):
    """One page of `pledges` in the public order (see `overview_page`), each read light: its key and slug, which
    are all a list needs to find its pledges' cards kept rendered (views.pledge_cards), which
    then reads in full only the pledges whose card it must draw again (`in_full`)."""
    light = pledges.select_related(None).prefetch_related(None).only("pk", "slug")
    return overview_page(light.order_by(*PUBLIC_ORDER), page)


def in_full(keys, today=None):
    """The published pledges with these keys, with all a card shows (`public_pledges` and
    `with_progress`), by key."""
    if not keys:
        return {}
    pledges = public_pledges(with_updates="summary").filter(pk__in=keys)
    return {pledge.pk: pledge for pledge in with_progress(pledges, today)}


@dataclass(frozen=True)
class RatingStep:
    """One step of a pledge's rating: the verdict from then on, why, and the update that said so."""

    verdict: Verdict
    changed: bool  # a new verdict, or the same one explained anew
    update: ProgressUpdate


def rating_history(pledge):
    """How a pledge's rating came to be, oldest first: each published update that gave a verdict
    or restated the ruling, with the verdict it left the pledge at. Reads `public_updates`."""
    steps = []
    verdict = Verdict.NOT_RATED
    for update in reversed(pledge.public_updates):  # newest first there
        if update.new_verdict or update.ruling:
            changed = bool(update.new_verdict) and update.new_verdict != verdict
            verdict = Verdict(update.new_verdict or verdict)
            steps.append(RatingStep(verdict=verdict, changed=changed, update=update))
    return steps


def with_progress(pledges, today=None):
    """Attach the computed deadline state and target progress each public page shows."""
    today = today or timezone.localdate()
    pledges = list(pledges)
    for pledge in pledges:
        pledge.current_deadline_state = pledge.deadline_state(today)
        # Each target with its progress; the overview shows the first.
        pledge.target_progress = [(target, target.progress(pledge.public_updates)) for target in pledge.targets.all()]
        pledge.target, pledge.progress = pledge.target_progress[0] if pledge.target_progress else (None, None)
        pledge.last_update = pledge.public_updates[0] if pledge.public_updates else None
        # The update whose evidence gave the verdict (the newest published one that gave one).
        pledge.verdict_update = next((u for u in pledge.public_updates if u.new_verdict), None)
    return pledges
