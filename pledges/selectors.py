"""The reads the public pages, feeds and open-data files share. Only published data leaves here."""

from django.db.models import F, Prefetch
from django.utils import timezone

from .models import Pledge, ProgressUpdate


def published_updates():
    """Published progress updates, with their sources and measured country, newest first."""
    return (
        ProgressUpdate.objects.filter(is_published=True, pledge__is_published=True)
        .select_related("measurement_country")
        .prefetch_related("sources")
        .order_by("-occurred_on", "-pk")
    )


def published_pledges():
    """Published pledges with everything a public page shows, in a constant number of queries.

    Each pledge carries `public_updates` (its published updates, newest first).
    """
    return (
        Pledge.objects.filter(is_published=True)
        .select_related("actor", "topic", "event")
        .prefetch_related(
            "beneficiaries",
            Prefetch("updates", queryset=published_updates(), to_attr="public_updates"),
        )
        # Dated deadlines first, nearest first; undated pledges after them on every database.
        .order_by(F("deadline_end").asc(nulls_last=True), "title")
    )


def with_progress(pledges, today=None):
    """Attach the computed deadline state and target progress each public page shows."""
    today = today or timezone.localdate()
    pledges = list(pledges)
    for pledge in pledges:
        pledge.current_deadline_state = pledge.deadline_state(today)
        pledge.progress = pledge.target_progress(pledge.public_updates)
        pledge.last_update = pledge.public_updates[0] if pledge.public_updates else None
    return pledges
