"""A pledge's verdict and its evidence: a verdict changes only with a published, sourced update.

The verdict is never typed into the pledge. It follows from the newest published update that
gives one (`pledges_refresh_verdicts`), so the public verdict always has its evidence; an editor
asks for a new verdict by adding such an update (`pledge_verdict_evidence` checks it first).
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from pledges.models import (
    Pledge,
    ProgressUpdate,
    SourceGrade,
    Verdict,
    every_language,
    evidence_errors,
    ruling_errors,
)
from pledges.services.history import history_record
from pledges.services.writes import records_update


@dataclass(frozen=True)
class UpdateDraft:
    """A progress update an editor is adding, as the verdict rule reads it."""

    new_verdict: str
    is_published: bool
    occurred_on: date | None
    source_grades: Sequence[str]
    ruling: str = ""


def pledge_verdict_evidence(*, pledge: Pledge, requested: str | None, drafts: Sequence[UpdateDraft]) -> int | None:
    """Which of `drafts` is the evidence for changing `pledge`'s verdict to `requested`.

    None when the verdict stays as it is. The evidence is the last draft that is published,
    gives the requested verdict (or none, and is then taken to give it), cites a source that
    can bear a verdict, and is dated no earlier than the newest update that gave one. Without
    such a draft nothing may be saved: ValidationError says why, with a code for each reason.
    """
    if not requested or requested == pledge.verdict:
        return None
    candidates = [
        index for index, draft in enumerate(drafts) if draft.is_published and draft.new_verdict in ("", requested)
    ]
    evidence = [
        index for index in candidates if not evidence_errors(new_verdict=requested, grades=drafts[index].source_grades)
    ]
    if candidates and not evidence:
        weak = evidence_errors(new_verdict=requested, grades=[SourceGrade.WEAK])["new_verdict"]
        raise ValidationError(weak, code="weak_evidence")
    if not evidence:
        raise ValidationError(
            _(
                "The verdict was not changed to “%(verdict)s”: a verdict changes only with evidence. "
                "Add a progress update below that gives the verdict “%(verdict)s”, is published and cites a source."
            ),
            params={"verdict": Verdict(requested).label},
            code="verdict_without_evidence",
        )
    chosen = evidence[-1]
    if not drafts[chosen].ruling.strip():
        raise ValidationError(ruling_errors(new_verdict=requested, ruling="")["ruling"], code="verdict_without_ruling")
    # A ruling restated without a verdict speaks for the verdict then in force: a new verdict
    # dated before it would stand under it.
    newest = (
        pledge.updates.filter(is_published=True)
        .exclude(new_verdict="", ruling="")
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
        .first()
    )
    occurred_on = drafts[chosen].occurred_on
    if newest and occurred_on and occurred_on < newest:
        raise ValidationError(
            _(
                "The update that gives the verdict must be dated on or after %(date)s, the newest update with a "
                "verdict or a ruling."
            ),
            params={"date": newest.isoformat()},
            code="verdict_evidence_too_old",
        )
    return chosen


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
