"""Public pages. They read only through `pledges.selectors`, so nothing unpublished shows."""

from django.shortcuts import get_object_or_404, render

from . import selectors
from .models import VERDICT_DEFINITIONS, Verdict


def pledge_list(request):
    """Every published pledge with its verdict, deadline and progress."""
    pledges = selectors.with_progress(selectors.published_pledges())
    counts = {verdict: 0 for verdict in Verdict}
    for pledge in pledges:
        counts[Verdict(pledge.verdict)] += 1
    return render(
        request,
        "pledges/pledge_list.html",
        {
            "pledges": pledges,
            "verdict_counts": [(verdict, counts[verdict], VERDICT_DEFINITIONS[verdict]) for verdict in Verdict],
        },
    )


def pledge_detail(request, slug):
    """One published pledge: its quote and source, deadline, verdict and timeline."""
    pledge = get_object_or_404(selectors.published_pledges(), slug=slug)
    (pledge,) = selectors.with_progress([pledge])
    return render(
        request,
        "pledges/pledge_detail.html",
        {"pledge": pledge, "verdict_definition": VERDICT_DEFINITIONS[Verdict(pledge.verdict)]},
    )
