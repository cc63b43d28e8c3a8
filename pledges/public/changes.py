"""The public log of changes: what changed in the public record, when and why, newest first.

It is a read of the audit trail (simple-history's rows), not a second store kept in step: a
pledge's history row that first shows it published is "published"; one whose verdict differs
from the row before it, while published, is a verdict change with the ruling it was given; an
update's row that shows it unpublished after being published is a withdrawal, and one whose
correction time moved while it stayed published is a correction, each with its note. Only pledges that
are public now, and only what was public at the time, appear.
"""

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from pledges.models import Pledge, ProgressUpdate, Shown, Verdict, every_language, shown
from pledges.public import selectors
from pledges.public.filters import PledgeFilterSet

PAGE_SIZE = 50
# Each page is cut from the newest page * PAGE_SIZE entries of each source, so a deep page costs
# in proportion: ?page=100000 would read five million history rows. The log goes this far back.
MAX_PAGE = 200


@dataclass(frozen=True)
class Change:
    """One entry of the log."""

    kind: str  # "published", "verdict", "added" (a new update: digests only), "corrected" or "withdrawn"
    at: datetime
    key: str  # the history row it reads, as "pledge-<id>" or "update-<id>": stable, one per change
    pledge: Pledge
    verdict: Verdict | None = None  # the verdict it was given (published, verdict)
    previous: Verdict | None = None  # the verdict before (verdict)
    ruling: Shown | str = ""  # in the reader's language, as the page shows it
    update: ProgressUpdate | None = None  # what was corrected or withdrawn, as it was then
    note: Shown | str = ""  # the correction's, or the withdrawal's, note

    @property
    def words(self):
        """What the change did, in the reader's language (the page and the feed say it alike)."""
        if self.kind == "added":
            return _("New update")
        if self.kind == "withdrawn":
            return _("Update withdrawn")
        if self.kind == "corrected":
            return _("Update corrected")
        if self.kind == "published":
            return _("Published, rated “%(verdict)s”") % {"verdict": self.verdict.label}
        return _("Verdict changed from “%(before)s” to “%(after)s”") % {
            "before": self.previous.label,
            "after": self.verdict.label,
        }


def _before(history_model):
    """The same record's previous history row (by date, then id), for annotating each row."""
    return history_model.objects.filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
        id=OuterRef("id"),
    ).order_by("-history_date", "-history_id")


FILTERS = ("event", "country")


def filters_of(params):
    """The log's filters from a query string, read as the overview reads them: only `event` and
    `country`, and only values that select something (a junk value is left out)."""
    chosen = PledgeFilterSet({name: params[name] for name in FILTERS if name in params}).chosen()
    return {name: value for name, value in chosen.items() if name in FILTERS}


def pledges_filtered(filters, pledge=None):
    """The public pledges the log is narrowed to (by the overview's filters, or to one pledge)."""
    pledges = selectors.public_pledges()
    return pledges.filter(pk=pledge.pk) if pledge is not None else PledgeFilterSet(filters, pledges).qs


def changes(filters, *, page=1, size=PAGE_SIZE, since=None, pledge=None, added=False):
    """One page of the log: (its changes, whether a next page exists); nothing past MAX_PAGE.

    The e-mail digests read it too: only what changed `since` a moment, for one `pledge` when
    given, and with each update as it is first published (`added`), which the page leaves out
    (a file of a hundred updates would bury the corrections it is there to show).
    """
    if page > MAX_PAGE:
        return [], False
    wanted = page * size + 1  # each source gives at most this many; merged, the page is cut from them
    shown_pledges = pledges_filtered(filters, pledge).values("pk")
    recent = Q(history_date__gte=since) if since else Q()
    pledge_rows = Pledge.history.model
    before = _before(pledge_rows)
    pledge_changes = (
        pledge_rows.objects.filter(recent, is_published=True, id__in=shown_pledges)
        .annotate(
            was_published=Subquery(before.values("is_published")[:1]),
            was_verdict=Subquery(before.values("verdict")[:1]),
        )
        .filter(Q(was_published__isnull=True) | Q(was_published=False) | ~Q(was_verdict=F("verdict")))
        .order_by("-history_date", "-history_id")
        .values(
            "id", "history_id", "history_date", "verdict", *every_language("ruling"), "was_published", "was_verdict"
        )[:wanted]
    )
    update_rows = ProgressUpdate.history.model
    earlier_update = _before(update_rows)
    corrected_anew = Q(corrected_at__isnull=False) & (
        Q(was_corrected_at__isnull=True) | ~Q(was_corrected_at=F("corrected_at"))
    )
    logged = Q(is_published=False, was_published=True) | (Q(is_published=True, was_published=True) & corrected_anew)
    if added:  # first published
        logged |= Q(is_published=True) & (Q(was_published__isnull=True) | Q(was_published=False))
    update_changes = (
        update_rows.objects.filter(recent, pledge_id__in=shown_pledges)
        .annotate(
            was_published=Subquery(earlier_update.values("is_published")[:1]),
            was_corrected_at=Subquery(earlier_update.values("corrected_at")[:1]),
        )
        .filter(logged)
        .order_by("-history_date", "-history_id")[:wanted]
    )
    rows = [("pledge", row["history_date"], row) for row in pledge_changes]
    rows += [("update", row.history_date, row) for row in update_changes]
    rows.sort(key=lambda item: item[1], reverse=True)
    page_rows = rows[(page - 1) * size : page * size]
    pledge_ids = {row["id"] if source == "pledge" else row.pledge_id for source, _at, row in page_rows}
    pledges = {pledge.pk: pledge for pledge in selectors.public_pledges().filter(pk__in=pledge_ids)}
    entries = []
    for source, at, row in page_rows:
        if source == "update":
            key = f"update-{row.history_id}"
            kind = "withdrawn" if not row.is_published else "corrected" if row.was_published else "added"
            entries.append(
                Change(
                    kind=kind,
                    at=at,
                    key=key,
                    pledge=pledges[row.pledge_id],
                    update=row,
                    note=shown(row, "correction_note") if kind != "added" else "",
                )
            )
        elif row["was_published"]:
            entries.append(
                Change(
                    kind="verdict",
                    at=at,
                    key=f"pledge-{row['history_id']}",
                    pledge=pledges[row["id"]],
                    verdict=Verdict(row["verdict"]),
                    previous=Verdict(row["was_verdict"]),
                    ruling=shown(SimpleNamespace(**row), "ruling"),
                )
            )
        else:
            verdict = Verdict(row["verdict"])
            entries.append(
                Change(
                    kind="published",
                    at=at,
                    key=f"pledge-{row['history_id']}",
                    pledge=pledges[row["id"]],
                    verdict=verdict,
                    ruling=shown(SimpleNamespace(**row), "ruling"),
                )
            )
    return entries, len(rows) > page * size and page < MAX_PAGE
