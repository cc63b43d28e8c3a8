"""Public pages, files and feeds. They read only through `pledges.selectors`, so nothing
unpublished shows.

Every response says how to cache it: a validator (ETag and Last-Modified, from the data's
version) and "revalidate every time", so a browser or proxy keeps a copy yet an editor's save
shows on the next request. The overview is also kept rendered in the cache, keyed by that
version, so a save makes the old copy unreachable at once.
"""

import functools
import hashlib
import tempfile
from datetime import datetime, time

from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import condition

from . import charts, opendata, selectors
from .models import VERDICT_DEFINITIONS, DeadlineState, Verdict

OVERVIEW_CACHE_SECONDS = 60 * 60


def _version(request):
    if not hasattr(request, "_data_version"):
        request._data_version = selectors.data_version()
    return request._data_version


def _etag(request, *args, **kwargs):
    token, _changed_at = _version(request)
    # Today's date too: deadline states ("due soon", "overdue") move on at midnight by themselves.
    key = f"{token}|{timezone.localdate().isoformat()}|{get_language()}|{request.get_full_path()}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _last_modified(request, *args, **kwargs):
    changed_at = _version(request)[1]
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    return max(changed_at, midnight) if changed_at else midnight


def public(view):
    """Conditional GET on the data's version, and headers that make caches revalidate."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = condition(etag_func=_etag, last_modified_func=_last_modified)(view)(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        patch_vary_headers(response, ["Accept-Language"])
        return response

    return wrapped


def _verdicts():
    return [(verdict, VERDICT_DEFINITIONS[verdict]) for verdict in Verdict]


@public
def pledge_list(request):
    """Every published pledge with its verdict, deadline and progress, filtered from the URL."""
    filters = selectors.PledgeFilters.from_query(request.GET)
    # Keyed on what the filters select, not the address: junk parameters share one copy.
    token, _changed_at = _version(request)
    cache_key = f"overview:{token}:{timezone.localdate().isoformat()}:{get_language()}:{filters.cache_key}"
    content = cache.get(cache_key)
    if content is None:
        today = timezone.localdate()
        matching = selectors.filter_pledges(selectors.published_pledges(with_sources=False), filters, today)
        page, has_next = selectors.overview_page(matching, filters)
        if not page and filters.page > 1:
            raise Http404("No such page of pledges.")
        pledges = selectors.with_progress(page, today)
        topics, countries = selectors.filter_choices()
        counts = selectors.verdict_counts()
        content = render(
            request,
            "pledges/pledge_list.html",
            {
                "pledges": pledges,
                "filters": filters,
                "first_shown": (filters.page - 1) * selectors.OVERVIEW_PAGE_SIZE + 1,
                "last_shown": (filters.page - 1) * selectors.OVERVIEW_PAGE_SIZE + len(pledges),
                "previous_page": filters.query(filters.page - 1) if filters.page > 1 else None,
                "next_page": filters.query(filters.page + 1) if has_next else None,
                "verdict_counts": counts,
                "total": sum(count for _verdict, count in counts),
                "overdue": selectors.overdue_count(today),
                "verdicts": _verdicts(),
                "states": DeadlineState.choices,
                "topics": topics,
                "countries": countries,
            },
        ).content
        cache.set(cache_key, content, OVERVIEW_CACHE_SECONDS)
    return HttpResponse(content)


@public
def pledge_detail(request, slug):
    """One published pledge: its quote and source, deadline, verdict, timeline and chart."""
    pledge = get_object_or_404(selectors.published_pledges(), slug=slug)
    (pledge,) = selectors.with_progress([pledge])
    countries = {u.measurement_country_id: u.measurement_country for u in pledge.public_updates if u.measurement_country}
    breakdown = sorted(
        ((countries[country_id], value) for country_id, value in pledge.progress.by_country.items()),
        key=lambda item: item[0].name,
    )
    return render(
        request,
        "pledges/pledge_detail.html",
        {
            "pledge": pledge,
            "verdict_definition": VERDICT_DEFINITIONS[Verdict(pledge.verdict)],
            "chart": charts.progress_chart(pledge, pledge.public_updates),
            "breakdown": breakdown,
        },
    )


@public
def about(request):
    """About the ratings: what each verdict means and how evidence is chosen."""
    return render(request, "pledges/about.html", {"verdicts": _verdicts()})


def _file_response(write, filename, content_type):
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # spills to disk past 1 MB
    write(spool)
    spool.seek(0)
    return FileResponse(spool, content_type=content_type, filename=filename)  # shown inline, named


@public
def pledges_csv(request):
    """Published pledges in the import layout: `import_pledges` reads this file back unchanged."""
    return _file_response(opendata.write_pledges_csv, "pledges.csv", "text/csv; charset=utf-8")


@public
def pledges_json(request):
    """Published pledges with their published updates and sources."""
    return _file_response(opendata.write_pledges_json, "pledges.json", "application/json")


@public
def deadlines_ics(request):
    """Every published dated deadline as an all-day event, for calendar programs to subscribe to."""
    response = HttpResponse(opendata.deadline_calendar(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    return response
