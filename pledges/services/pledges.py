"""Writes that span more than one row. Each runs in a transaction and keeps the audit history."""

from django.apps import apps
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from pledges.models import Pledge, ProgressUpdate, Verdict
from pledges.services import bulk, public_version
from pledges.services.history import EditConflict, conflict_messages, stale_records


def pledges_refresh_verdicts(pledge_ids, *, user=None, reason=""):
    """Set each pledge's verdict from its newest published update that gives one.

    A verdict is only ever set here, from an update that cites a source (updates cannot be
    saved without one), so the public verdict always has its evidence. With no such update the
    pledge is Not yet rated. Returns the pledges whose verdict changed.
    """
    if not pledge_ids:
        return []
    newest = (
        ProgressUpdate.objects.filter(pledge=OuterRef("pk"), is_published=True)
        .exclude(new_verdict="")
        .order_by("-occurred_on", "-created_at", "-pk")
        .values("new_verdict")[:1]
    )
    changed = []
    with transaction.atomic():
        pledges = Pledge.objects.filter(pk__in=pledge_ids).select_for_update().annotate(evidenced=Subquery(newest))
        for pledge in pledges:
            verdict = pledge.evidenced or Verdict.NOT_RATED
            if verdict != pledge.verdict:
                pledge.verdict = verdict
                pledge.updated_at = timezone.now()
                pledge.remind_after = None  # a reopened verdict may make a passed deadline news again
                changed.append(pledge)
        if changed:
            Pledge.objects.bulk_update(changed, ["verdict", "updated_at", "remind_after"])
            record_history(Pledge, changed, created=False, user=user, reason=reason or "Verdict from progress update")
    return changed


def record_history(model, objects, *, created, user=None, reason="", now=None):
    """Write one audit-history row per object in bulk, as simple-history does on save().

    A pledge's history row also gets a copy of its parties and beneficiaries: without them, the
    history would show (and a revert would restore) a pledge made by and to nobody.
    """
    if not objects:
        return
    public_version.note_changes(model, objects)  # before the rows: the last ones are the old state
    history_model = model.history.model
    extra = {
        "history_date": now or timezone.now(),
        "history_user_id": user.pk if user else None,
        "history_change_reason": reason,
        "history_type": "+" if created else "~",
    }
    tracked = [field.attname for field in history_model.tracked_fields]
    rows = [{**{name: getattr(obj, name) for name in tracked}, **extra} for obj in objects]
    history_ids = bulk.insert(history_model, rows, return_ids=model is Pledge)
    if model is Pledge:
        history_of = {obj.pk: history_id for obj, history_id in zip(objects, history_ids)}
        for column in ("parties", "beneficiaries"):
            m2m_history = apps.get_model("pledges", f"HistoricalPledge_{column}")
            links = bulk.filter_in(getattr(Pledge, column).through.objects, "pledge", history_of)
            bulk.insert(
                m2m_history,
                [
                    {"history_id": history_of[pledge_id], "id": link_id, "pledge_id": pledge_id, "party_id": party_id}
                    for link_id, pledge_id, party_id in links.values_list("id", "pledge_id", "party_id")
                ],
            )


def pledges_change(pledge_ids, *, changes, versions, user, reason):
    """Apply the same field changes to many pledges at once (publish, assign an owner ...).

    `versions` ({pk: token}) are the versions the editor saw; if any of those pledges was saved
    since, nothing is written and EditConflict says what changed. Pledges that already hold the
    values are left alone. Each change is recorded in the audit history with `reason`.
    Returns the pledges that changed.
    """
    with transaction.atomic():
        # Lock every selected row, in one order, before reading: a concurrent save waits for us.
        locked = list(Pledge.objects.select_for_update().filter(pk__in=pledge_ids).order_by("pk"))
        stale = stale_records(locked, versions)
        if stale:
            raise EditConflict(conflict_messages(stale, versions))
        now = timezone.now()
        changed = [p for p in locked if any(getattr(p, name) != value for name, value in changes.items())]
        for pledge in changed:
            for name, value in changes.items():
                setattr(pledge, name, value)
            pledge.updated_at = now
            pledge.remind_after = None
        if changed:
            Pledge.objects.bulk_update(changed, [*changes, "updated_at", "remind_after"])
            record_history(Pledge, changed, created=False, user=user, reason=reason, now=now)
    return changed


def pledge_revert_verdict_evidence(pledge, *, restored_at, user):
    """After a pledge is reverted to its version of `restored_at`, make its verdict agree.

    The verdict comes from the newest published update that gives one. Reverting to an
    earlier verdict therefore withdraws (unpublishes, never deletes) the verdict-giving updates
    published since that version, then sets the verdict from what remains.
    """
    withdrawn = list(pledge.updates.filter(is_published=True, created_at__gt=restored_at).exclude(new_verdict=""))
    now = timezone.now()
    for update in withdrawn:
        update.is_published = False
        update.updated_at = now
    if withdrawn:
        ProgressUpdate.objects.bulk_update(withdrawn, ["is_published", "updated_at"])
        record_history(
            ProgressUpdate, withdrawn, created=False, user=user, reason="Withdrawn: the pledge's verdict was reverted"
        )
    pledges_refresh_verdicts({pledge.pk}, user=user, reason="Verdict from the reverted version")
    return withdrawn
