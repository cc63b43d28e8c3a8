"""The public data version: the one place that decides whether a write changed what readers see.

Every write of a pledge, progress update or source leaves an audit-history row: simple-history
writes it for a single save or delete (and sends `pre_create_historical_record`), and
`services.history.history_record` writes it for the bulk paths (services and the importer). Both hand the
records here just before that row is written, so no writer can forget to move the version, and
nothing else sets it. Names that pledges show (parties, events, topics, countries) are watched
through Django's own save and delete signals, and so are the site's name and standfirst.

A write counts when the record is visible to the public after it or was before it (unpublishing
is news too); a draft's edits leave the version, and so every ETag, Last-Modified and cached
page, alone.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models import F, Max, Q, Subquery
from django.utils import timezone

from pledges.models import (
    Country,
    Event,
    FormerEventSlug,
    Party,
    Pledge,
    ProgressUpdate,
    PublicRecordVersion,
    PublicVersion,
    SiteText,
    Source,
    Target,
    Topic,
    Unit,
)
from pledges.services.bulk import filter_in

VERSION_ROW = 1

# How each reference record reaches the public: through a published pledge that names it.
PLEDGE_LINK = {
    Event: ("event",),
    Topic: ("topic", "more_topics"),
    # A state's country names it; a person is shown "for" the state they speak for.
    Party: ("parties", "beneficiaries", "parties__speaks_for", "beneficiaries__speaks_for"),
    Country: (
        "parties__country",
        "beneficiaries__country",
        "parties__speaks_for__country",
        "beneficiaries__speaks_for__country",
    ),
    Unit: ("targets__unit",),
}


# Every public request asks for its version, so it is kept in the shared cache as well. A write
# forgets it there as it moves it (its own transaction's reads then see the new one) and, once
# committed, writes the committed version there itself. Readers only add it on a miss, never
# overwrite: a reader that read the database just before a commit and adds after it finds the
# writer's value there and is refused; one that adds before it is overwritten. The cache's copy
# lasts VERSION_CACHE_SECONDS, so a database restored from a backup is noticed within that.
VERSION_KEY = "public-version"
VERSION_CACHE_SECONDS = 5

# What a page depends on (pledges.public.scopes says which page shows what): "list" is every
# public write (PublicVersion); "site", "pledge:<slug>", "event:<slug>" and "country:<code>" move
# only with what they show (PublicRecordVersion).
LIST = "list"
SITE = "site"


def pledge_scope(slug):
    return f"pledge:{slug}"


def event_scope(slug):
    return f"event:{slug}"


def country_scope(code):
    return f"country:{code.upper()}"


def _cache_key(scope):
    return VERSION_KEY if scope == LIST else f"{VERSION_KEY}:{scope}"


def current(scopes=(LIST,)) -> tuple[str, datetime | None]:
    """(token, changed_at) of what depends on `scopes`, from the shared cache or one read of the
    missing ones by key. A scope never moved is "0" (and a page on it also depends on "site").

    Each token carries the time as well as the number, so a database restored from a backup (its
    numbers gone back) never meets pages cached for a number's first life.
    """
    values = versions(scopes)
    parts = [values[scope] for scope in scopes]
    if len(parts) == 1:
        return parts[0]
    moments = [changed_at for _token, changed_at in parts if changed_at is not None]
    return "~".join(token for token, _changed_at in parts), max(moments) if moments else None


def versions(scopes) -> dict[str, tuple[str, datetime | None]]:
    """{scope: (token, changed_at)} for each of `scopes`: one look in the shared cache, one read
    of those missing there."""
    keys = {scope: _cache_key(scope) for scope in scopes}
    found = cache.get_many(list(keys.values()))
    values = {scope: found[key] for scope, key in keys.items() if key in found}
    missing = [scope for scope in keys if scope not in values]
    if missing:
        read = _read(missing)
        if not connection.in_atomic_block:  # a transaction may see a version not yet committed
            for scope in missing:
                cache.add(keys[scope], read[scope], VERSION_CACHE_SECONDS)
        values.update(read)
    return values


def _forget(scopes):
    cache.delete_many([_cache_key(scope) for scope in scopes])


# A write that moves more scopes than this (an import's) publishes the list's and the site's
# versions and forgets the rest again: publishing 20,000 read them twice and set them one by one
# in a cache bounded in bytes, 3 of an import's 10 s. A reader that read one of those before the
# commit and keeps it after may serve that page's old copy for up to VERSION_CACHE_SECONDS.
PUBLISH_AT_MOST = 100


def _publish(scopes):
    """After a commit: the committed versions into the shared cache, over whatever a reader put
    there meanwhile. Read again after writing, since another writer committing at the same
    moment may have written its older read after our newer one; a few rounds settle it."""
    if len(scopes) > PUBLISH_AT_MOST:
        _forget([scope for scope in scopes if scope not in (LIST, SITE)])
        scopes = [scope for scope in scopes if scope in (LIST, SITE)]
    for _round in range(3):
        values = _read(scopes)
        cache.set_many({_cache_key(scope): value for scope, value in values.items()}, VERSION_CACHE_SECONDS)
        if _read(scopes) == values:
            return
    _forget(scopes)  # still moving: the next reader reads the database


def _read(scopes):
    """{scope: (token, changed_at)} from the database, in one query for the record scopes and
    one for the list's (plain SQL: every public request asked, and the ORM's query building cost
    more than the read)."""
    values = {}
    with connection.cursor() as cursor:
        if LIST in scopes:
            cursor.execute(_LIST_SQL, [VERSION_ROW])
            values[LIST] = _value(cursor.fetchone())
        records = [scope for scope in scopes if scope != LIST]
        if records:
            cursor.execute(_RECORDS_SQL % ", ".join(["%s"] * len(records)), records)
            rows = {scope: (number, changed_at) for scope, number, changed_at in cursor.fetchall()}
            values.update({scope: _value(rows.get(scope)) for scope in records})
    return values


def _value(row):
    if row is None:
        return "0", None
    changed_at = (
        row[1] if isinstance(row[1], datetime) else PublicVersion._meta.get_field("changed_at").to_python(row[1])
    )
    if timezone.is_naive(changed_at):  # SQLite hands back naive UTC
        changed_at = timezone.make_aware(changed_at, UTC)
    return f"{row[0]}.{changed_at.timestamp():.6f}", changed_at


_LIST_SQL = f"SELECT number, changed_at FROM {PublicVersion._meta.db_table} WHERE id = %s"
_RECORDS_SQL = f"SELECT scope, number, changed_at FROM {PublicRecordVersion._meta.db_table} WHERE scope IN (%s)"


_UPSERT_SQL = (
    f"INSERT INTO {PublicRecordVersion._meta.db_table} (scope, number, changed_at) "
    "SELECT unnest(%s::text[]), %s, %s "
    "ON CONFLICT (scope) DO UPDATE SET number = EXCLUDED.number, changed_at = EXCLUDED.changed_at"
)


def bump(scopes=()) -> None:
    """Move the list's version on, and each of `scopes` to it, in the caller's transaction (the
    row lock orders concurrent writers)."""
    now = timezone.now()
    if not PublicVersion.objects.filter(pk=VERSION_ROW).update(number=F("number") + 1, changed_at=now):
        # The row is made by a migration; a test database flushed between tests has lost it.
        PublicVersion.objects.bulk_create(
            [PublicVersion(pk=VERSION_ROW, number=1, changed_at=now)], ignore_conflicts=True
        )
    scopes = sorted(set(scopes))
    if scopes:
        number = PublicVersion.objects.values_list("number", flat=True).get(pk=VERSION_ROW)
        if connection.vendor == "postgresql":  # one array parameter: an import moves thousands
            with connection.cursor() as cursor:
                cursor.execute(_UPSERT_SQL, [scopes, number, now])
        else:
            PublicRecordVersion.objects.bulk_create(
                [PublicRecordVersion(scope=scope, number=number, changed_at=now) for scope in scopes],
                update_conflicts=True,
                unique_fields=["scope"],
                update_fields=["number", "changed_at"],
            )
    moved = [LIST, *scopes]
    _forget(moved)  # this transaction's own reads see the new versions at once; others once it commits
    transaction.on_commit(lambda: _publish(moved))


def note_changes(model: type[models.Model], records: Sequence[models.Model]) -> None:
    """Bump the version if writing `records` of `model` (their new state) changes what the public
    sees: the list's, and that of each page showing them (`_scopes`).

    Call before their new history rows are written: the newest stored history row is then each
    record's state before this write.
    """
    if records and _touches_public(model, records):
        bump(_scopes(model, records))


def _scopes(model, records):
    """The pages that show `records`: their pledges' (as they are and as they were: a renamed
    slug's old page must not be served), their events' and countries', and the pledges that link
    to those pledges (a follow-up shows the other's title); every page for the site's own text;
    every country's for a party's or country's name (a party may have moved to another)."""
    if model is SiteText:
        return {SITE}
    if model is Pledge:
        pledge_ids = {p.pk for p in records}
    elif model is ProgressUpdate or model is Target:
        pledge_ids = {r.pledge_id for r in records}
    elif model is Source:
        pledge_ids = set(
            ProgressUpdate.objects.filter(pk__in={s.update_id for s in records}).values_list("pledge_id", flat=True)
        )
    else:  # a name a pledge shows (PLEDGE_LINK): every published pledge naming it
        named = Q()
        for link in PLEDGE_LINK[model]:
            named |= Q(**{f"{link}__in": [r.pk for r in records]})
        pledge_ids = set(Pledge.objects.filter(named, is_published=True).values_list("pk", flat=True))
    scopes = set()
    if model is Party or model is Country:
        scopes |= {country_scope(code) for code in Country.objects.values_list("code", flat=True)}
    if model is Event:
        scopes |= {event_scope(e.slug) for e in records if e.slug}
        scopes |= {
            event_scope(slug)
            for slug in FormerEventSlug.objects.filter(event__in=records).values_list("slug", flat=True)
        }
    if model is ProgressUpdate:  # a figure measured for a country, as it is and as it was
        measured = {u.measurement_country_id for u in records} | set(
            filter_in(ProgressUpdate.history.all(), "id", {u.pk for u in records}).values_list(
                "measurement_country", flat=True
            )
        )
        codes = Country.objects.filter(pk__in=measured - {None}).values_list("code", flat=True)
        scopes |= {country_scope(code) for code in codes}
    pledge_ids.discard(None)
    if not pledge_ids:
        return scopes
    # An import's write names thousands: each list is one array parameter (bulk.filter_in).
    follows = Pledge.also_follows.through.objects.all()
    linked = set(filter_in(Pledge.objects.all(), "follows", pledge_ids).values_list("pk", flat=True))
    linked |= set(
        filter_in(Pledge.objects.filter(follows__isnull=False), "id", pledge_ids).values_list("follows", flat=True)
    )
    linked |= set(filter_in(follows, "from_pledge", pledge_ids).values_list("to_pledge", flat=True))
    linked |= set(filter_in(follows, "to_pledge", pledge_ids).values_list("from_pledge", flat=True))
    now = filter_in(Pledge.objects.all(), "id", pledge_ids | linked).values_list("slug", "event__slug")
    before = filter_in(Pledge.history.all(), "id", pledge_ids).values_list("slug", "event__slug").distinct()
    for slug, event in (*now, *before):
        scopes.add(pledge_scope(slug))
        if event:
            scopes.add(event_scope(event))
    scopes |= _country_scopes(pledge_ids)
    if model is Pledge:  # as written now (a new slug, a new event), not yet stored
        scopes |= {pledge_scope(p.slug) for p in records if p.slug}
        events = Event.objects.filter(pk__in={p.event_id for p in records if p.event_id})
        scopes |= {event_scope(slug) for slug in events.values_list("slug", flat=True)}
    return scopes


def _country_scopes(pledge_ids):
    """The countries whose pages list these pledges (made to or by them, as
    pledges.public.selectors.country_pledges finds them), linked now or at any time before, and
    those whose pages show a figure measured for them on these pledges (with the pledge's title
    and the target's unit)."""
    measured = filter_in(ProgressUpdate.objects.filter(measurement_country__isnull=False), "pledge", pledge_ids)
    codes = set(measured.values_list("measurement_country__code", flat=True).distinct())
    for relation in ("parties", "beneficiaries"):
        linked_before = Pledge.history.model._meta.get_field(f"historicalpledge_{relation}").related_model
        for links in (getattr(Pledge, relation).through.objects.all(), linked_before.objects.all()):
            pairs = filter_in(links, "pledge", pledge_ids).values_list(
                "party__country__code", "party__speaks_for__country__code"
            )
            codes.update(code for pair in pairs.distinct() for code in pair if code)
    return {country_scope(code) for code in codes}


def _was_published(model, ids):
    """Whether any of these records was published at its last recorded version."""
    history = model.history.model
    last = history.objects.filter(id__in=ids).values("id").annotate(last=Max("history_id")).values("last")
    return history.objects.filter(history_id__in=Subquery(last), is_published=True).exists()


def _touches_public(model, records):
    if model is Pledge:
        return any(p.is_published for p in records) or _was_published(Pledge, [p.pk for p in records])
    if model is ProgressUpdate:
        published_pledges = set(
            Pledge.objects.filter(pk__in={u.pledge_id for u in records}, is_published=True).values_list("pk", flat=True)
        )
        shown = [u for u in records if u.pledge_id in published_pledges]
        return (
            any(u.is_published for u in shown) or bool(shown) and _was_published(ProgressUpdate, [u.pk for u in shown])
        )
    if model is Target:  # shown with its pledge; a removed one was too
        return Pledge.objects.filter(pk__in={t.pledge_id for t in records}, is_published=True).exists()
    if model is Source:
        return ProgressUpdate.objects.filter(
            pk__in={s.update_id for s in records}, is_published=True, pledge__is_published=True
        ).exists()
    if model is SiteText:  # heads every public page
        return True
    if model in PLEDGE_LINK:
        named = Q()
        for link in PLEDGE_LINK[model]:
            named |= Q(**{f"{link}__in": [r.pk for r in records]})
        return Pledge.objects.filter(named, is_published=True).exists()
    return False


def _on_history_row(sender, instance, **kwargs):
    note_changes(type(instance)._meta.concrete_model, [instance])


def _on_reference_change(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return  # fixtures load reference data before any pledge names it
    note_changes(sender, [instance])


def connect():
    """Wire the signals (from the app's ready())."""
    from django.db.models.signals import post_save, pre_delete
    from simple_history.signals import pre_create_historical_record

    pre_create_historical_record.connect(_on_history_row, dispatch_uid="public-version-history")
    for model in (*PLEDGE_LINK, SiteText):
        post_save.connect(_on_reference_change, sender=model, dispatch_uid=f"public-version-{model.__name__}")
        pre_delete.connect(_on_reference_change, sender=model, dispatch_uid=f"public-version-del-{model.__name__}")
