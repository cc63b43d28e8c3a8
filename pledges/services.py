"""Writes that span more than one row. Each runs in a transaction and keeps the audit history."""

from django.apps import apps
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from .models import Pledge, ProgressUpdate, Verdict


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
                changed.append(pledge)
        if changed:
            Pledge.objects.bulk_update(changed, ["verdict", "updated_at"])
            record_history(
                Pledge, changed, created=False, user=user, reason=reason or "Verdict from progress update"
            )
    return changed


def record_history(model, objects, *, created, user=None, reason="", now=None):
    """Write one audit-history row per object, as simple-history does on save(), in bulk.

    A pledge's history row also gets a copy of its beneficiary countries: without it, the
    history would show (and a revert would restore) a pledge made to nobody.
    """
    history = model.history.bulk_history_create(
        objects,
        update=not created,
        default_user=user,
        default_change_reason=reason,
        default_date=now or timezone.now(),
    ) or []
    if model is Pledge and history:
        m2m_history = apps.get_model("pledges", "HistoricalPledge_beneficiaries")
        by_pledge = {row.id: row for row in history}
        links = Pledge.beneficiaries.through.objects.filter(pledge_id__in=by_pledge)
        m2m_history.objects.bulk_create(
            [
                m2m_history(history=by_pledge[pledge_id], id=link_id, pledge_id=pledge_id, country_id=country_id)
                for link_id, pledge_id, country_id in links.values_list("id", "pledge_id", "country_id")
            ],
            batch_size=2000,
        )
    return history
