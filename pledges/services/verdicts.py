"""A pledge's verdict and its evidence: a verdict changes only with a published, sourced update.

The verdict is never typed into the pledge. It follows from the newest published update that
gives one (`pledges_refresh_verdicts`), so the public verdict always has its evidence: each update
row decides its own verdict, with its ruling and a source that is not weak, and
`update_verdict_errors` says when one would not take effect.
"""

from collections.abc import Collection
from datetime import date, datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from pledges.models import (
    Pledge,
    ProgressUpdate,
    Verdict,
    every_language,
)
from pledges.services.history import history_record
from pledges.services.writes import records_update


def update_verdict_errors(
    *, pledge: Pledge, update_id: int | None, new_verdict: str, is_published: bool, occurred_on: date | None
) -> dict:
    """{"occurred_on": why} when a published update giving a new verdict is dated before the
    newest published update of its pledge with a verdict or a ruling; empty otherwise.

    The pledge's verdict is the newest such update's (`pledges_refresh_verdicts`), so an older one
    would be saved and never be the verdict, and a ruling restated since would stand under it.
    Asked of each update row that gives a verdict anew (the row's own ruling and sources are
    checked by its own rules: `ruling_errors`, `evidence_errors`).
    """
    if not (new_verdict and is_published and occurred_on):
        return {}
    others = pledge.updates.filter(is_published=True).exclude(new_verdict="", ruling="")
    newest = (
        (others.exclude(pk=update_id) if update_id is not None else others)
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
        .first()
    )
    if newest and occurred_on < newest:
        return {
            "occurred_on": _(
                "An update that gives a verdict must be dated on or after %(date)s, the newest update with a "
                "verdict or a ruling: the pledge's verdict is always the newest one."
            )
            % {"date": newest.isoformat()}
        }
    return {}


# The ruling in each language comes from the same update.
RULING_FIELDS = every_language("ruling")


def pledges_refresh_verdicts(
    pledge_ids: Collection[int], *, user: AbstractBaseUser | None = None, reason: str = ""
) -> list[Pledge]:
    """Set each pledge's verdict, and its ruling, from its published updates.

    The verdict is the newest published update's that gives one, and the ruling the newest
    published update's that carries one (an update giving a verdict always does), so the ruling
    shown is never older than the verdict it explains. A verdict is only ever set here, from an
    update that cites a source (updates cannot be saved without one), so the public verdict
    always has its evidence. With no such update the pledge is Not yet rated. Returns the
    pledges whose verdict or ruling changed.
    """
    if not pledge_ids:
        return []
    published = ProgressUpdate.objects.filter(pledge=OuterRef("pk"), is_published=True).order_by(
        "-occurred_on", "-created_at", "-pk"
    )
    changed: list[Pledge] = []
    with transaction.atomic():
        pledges = (
            Pledge.objects.filter(pk__in=pledge_ids)
            .select_for_update()
            .annotate(
                evidenced=Subquery(published.exclude(new_verdict="").values("new_verdict")[:1]),
                **{f"ruled_{name}": Subquery(published.exclude(ruling="").values(name)[:1]) for name in RULING_FIELDS},
            )
        )
        for pledge in pledges:
            verdict = pledge.evidenced or Verdict.NOT_RATED
            rulings = {name: getattr(pledge, f"ruled_{name}") or "" for name in RULING_FIELDS}
            if (verdict, *rulings.values()) != (pledge.verdict, *(getattr(pledge, name) for name in RULING_FIELDS)):
                pledge.verdict = verdict
                for name, ruling in rulings.items():
                    setattr(pledge, name, ruling)
                changed.append(pledge)
        if changed:
            # Stamped, so a reopened verdict's pledge is looked at by the reminder sweep again.
            records_update(Pledge, changed, ["verdict", *RULING_FIELDS], now=timezone.now())
            history_record(Pledge, changed, created=False, user=user, reason=reason or "Verdict from progress update")
    return changed


def pledge_revert_verdict_evidence(
    pledge: Pledge, *, restored_at: datetime, user: AbstractBaseUser | None
) -> list[ProgressUpdate]:
    """After a pledge is reverted to its version of `restored_at`, make its verdict agree.

    The verdict comes from the newest published update that gives one. Reverting to an
    earlier verdict therefore withdraws (unpublishes, never deletes) the verdict-giving updates
    published since that version, then sets the verdict from what remains.
    """
    withdrawn = list(pledge.updates.filter(is_published=True, created_at__gt=restored_at).exclude(new_verdict=""))
    now = timezone.now()
    for update in withdrawn:
        update.is_published = False
    if withdrawn:
        records_update(ProgressUpdate, withdrawn, ["is_published"], now=now)
        history_record(
            ProgressUpdate, withdrawn, created=False, user=user, reason="Withdrawn: the pledge's verdict was reverted"
        )
    pledges_refresh_verdicts({pledge.pk}, user=user, reason="Verdict from the reverted version")
    return withdrawn
