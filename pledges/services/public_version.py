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
    Party,
    Pledge,
    ProgressUpdate,
    PublicVersion,
    SiteText,
    Source,
    Target,
    Topic,
    Unit,
)

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


# Every public request asks for the version, so it is kept in the shared cache as well. A write
# forgets it there as it moves it (its own transaction's reads then see the new one) and, once
# committed, writes the committed version there itself. Readers only add it on a miss, never
# overwrite: a reader that read the database just before a commit and adds after it finds the
# writer's value there and is refused; one that adds before it is overwritten. The cache's copy
# lasts VERSION_CACHE_SECONDS, so a database restored from a backup is noticed within that.
VERSION_KEY = "public-version"
VERSION_CACHE_SECONDS = 5


def current() -> tuple[str, datetime | None]:
    """(token, changed_at) of the public data, from the shared cache or one read by primary key.
    ("0", None) before any.

    The token carries the time as well as the number, so a database restored from a backup (its
    number gone back) never meets pages cached for the number's first life.
    """
    value = cache.get(VERSION_KEY)
    if value is None:
        value = _read()
        if not connection.in_atomic_block:  # a transaction may see a version not yet committed
            cache.add(VERSION_KEY, value, VERSION_CACHE_SECONDS)
    return value


def _forget():
    cache.delete(VERSION_KEY)


def _publish():
    """After a commit: the committed version into the shared cache, over whatever a reader put
    there meanwhile. Read again after writing, since another writer committing at the same
    moment may have written its older read after our newer one; a few rounds settle it."""
    for _round in range(3):
        value = _read()
        cache.set(VERSION_KEY, value, VERSION_CACHE_SECONDS)
        if _read() == value:
            return
    _forget()  # still moving: the next reader reads the database


def _read():
    # Plain SQL: every public request asked, and the ORM's query building cost more than the read.
    with connection.cursor() as cursor:
        cursor.execute(_CURRENT_SQL, [VERSION_ROW])
        row = cursor.fetchone()
    if row is None:
        return "0", None
    changed_at = (
        row[1] if isinstance(row[1], datetime) else PublicVersion._meta.get_field("changed_at").to_python(row[1])
    )
    if timezone.is_naive(changed_at):  # SQLite hands back naive UTC
        changed_at = timezone.make_aware(changed_at, UTC)
    return f"{row[0]}.{changed_at.timestamp():.6f}", changed_at


_CURRENT_SQL = f"SELECT number, changed_at FROM {PublicVersion._meta.db_table} WHERE id = %s"


def bump() -> None:
    """Move the version on, in the caller's transaction (the row lock orders concurrent writers)."""
    now = timezone.now()
    if not PublicVersion.objects.filter(pk=VERSION_ROW).update(number=F("number") + 1, changed_at=now):
        # The row is made by a migration; a test database flushed between tests has lost it.
        PublicVersion.objects.bulk_create(
            [PublicVersion(pk=VERSION_ROW, number=1, changed_at=now)], ignore_conflicts=True
        )
    _forget()  # this transaction's own reads see the new version at once; others once it commits
    transaction.on_commit(_publish)


def note_changes(model: type[models.Model], records: Sequence[models.Model]) -> None:
    """Bump the version if writing `records` of `model` (their new state) changes what the public sees.

    Call before their new history rows are written: the newest stored history row is then each
    record's state before this write.
    """
    if records and _touches_public(model, records):
        bump()


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
