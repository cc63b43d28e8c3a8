"""Public pages, files and feeds. They read only through `pledges.public.selectors`, so nothing
unpublished shows.

Every response says how to cache it: a validator (ETag and Last-Modified, from the data's
version) and "revalidate every time", so a browser or proxy keeps a copy yet an editor's save
shows on the next request. Pages, feeds and the calendar are also kept rendered in the cache,
keyed by that version, so a save makes the old copies unreachable at once.
"""

import functools
import hashlib
import time
from datetime import datetime
from datetime import time as time_of_day

from csp.decorators import csp_replace
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views import defaults
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import condition

from pledges.models import VERDICT_DEFINITIONS, DeadlineState, SiteText, Verdict, shown
from pledges.public import cards, changes, charts, dumps, opendata, selectors
from pledges.public.filters import PledgeFilterSet, cache_key, page_query
from pledges.public.following import Scope, follow_form
from pledges.public.scopes import scopes_for
from pledges.services import public_version

# Rendered pages and files are kept this long at most (a new version makes them unreachable sooner).
PAGE_CACHE_SECONDS = 60 * 60
# While one request renders a missing page, others wait up to this long for it.
RENDER_WAIT_SECONDS = 5
RENDER_LOCK_SECONDS = 30


def _version(request):
    # Read once a request (pledges.public.response_cache read it first, for a public address).
    if not hasattr(request, "_data_version"):
        request._data_version = selectors.data_version(scopes_for(request.path))
    return request._data_version


def _etag(request, *args, **kwargs):
    token, _changed_at = _version(request)
    # Today's date too: deadline states ("due soon", "overdue") move on at midnight by themselves.
    key = f"{token}|{timezone.localdate().isoformat()}|{get_language()}|{request.get_full_path()}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _last_modified(request, *args, **kwargs):
    changed_at = _version(request)[1]
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time_of_day.min))
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


def cached(key, make, seconds=PAGE_CACHE_SECONDS):
    """What `make()` returns, kept in the (shared) cache under `key`, made once however many ask.

    On a miss, one request takes a short lock (cache.add is atomic in Redis and in-process) and
    makes the value; the others wait for it, up to RENDER_WAIT_SECONDS, instead of all rendering
    the same page at once after an editor's save. A waiter that runs out of time makes it itself.
    Keys carry the public data version, so a save makes old entries unreachable. (Whole responses
    are also kept in each process: pledges.public.response_cache.)
    """
    value = cache.get(key)
    if value is not None:
        return value
    lock = f"{key}:making"
    if cache.add(lock, 1, RENDER_LOCK_SECONDS):
        try:
            value = make()
            if value:  # nothing kept for an address that shows nothing (a 404 is not worth a slot)
                cache.set(key, value, seconds)
            return value
        finally:
            cache.delete(lock)
    give_up_at = time.monotonic() + RENDER_WAIT_SECONDS
    while time.monotonic() < give_up_at and cache.get(lock) is not None:
        time.sleep(0.02)
    value = cache.get(key)
    return value if value is not None else make()


def _key(request, name, *parts):
    token, _changed_at = _version(request)
    # What the reader asked for (a slug, filters, a search of any length and script) as a digest:
    # a key of bounded length, with no spaces or control characters for a memcached-style cache.
    asked = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return ":".join([name, token, timezone.localdate().isoformat(), get_language(), asked])


def _response_key(request, name, *parts):
    """The key of what this request's response shows (see `_key`), also left on the request as
    its canonical key: the per-process response cache keeps the response under it, so addresses
    that differ only in what the view ignores (junk parameters, headers) share one copy."""
    request.canonical_key = _key(request, name, *parts)
    return request.canonical_key


@public
def pledge_list(request):
    """Every published pledge with its verdict, deadline and progress, filtered from the URL."""
    today = timezone.localdate()
    filterset = PledgeFilterSet(request.GET, selectors.public_pledges(), today=today)
    filters, page_number = filterset.chosen(), selectors.overview_page_number(request.GET)

    def aggregates():
        # Counts and filter choices, shared by every filter and page of one version.
        topics, countries, events, parties = selectors.filter_choices()
        counts = selectors.verdict_counts()
        return {
            "verdict_counts": counts,
            "total": sum(count for _verdict, count in counts),
            "overdue": selectors.overdue_count(today),
            "topics": topics,
            "countries": countries,
            "events": events,
            "parties": parties,
            "last_checked": selectors.last_checked(),
        }

    def page():
        pledges, has_next = selectors.page_rows(filterset.qs, page_number)
        if not pledges and page_number > 1:
            return None  # past the last page
        shared = selectors.shared_parties(pledges)
        counts = cached(_key(request, "overview-counts"), aggregates)
        matches, more = selectors.overview_total(filterset.qs, filtered=bool(filters), everything=counts["total"])
        last = selectors.last_overview_page(matches)
        return render(
            request,
            "pledges/pledge_list.html",
            {
                "pledges": pledges,
                "cards": pledge_cards(request, pledges, shared, today=today),
                "page_number": page_number,
                "matches": matches,
                "more_than": more,
                "page_links": [
                    (number, page_query(filters, number) if number else None)
                    for number in selectors.page_numbers(page_number, max(last, page_number))
                ]
                if last > 1 or page_number > 1
                else [],
                "shared": shared,
                "filters": filters,
                # The chosen country's own page, when it has one.
                "country_page": selectors.public_country(filters["country"]) if "country" in filters else None,
                "first_shown": (page_number - 1) * selectors.OVERVIEW_PAGE_SIZE + 1,
                "last_shown": (page_number - 1) * selectors.OVERVIEW_PAGE_SIZE + len(pledges),
                "previous_page": page_query(filters, page_number - 1) if page_number > 1 else None,
                "next_page": page_query(filters, page_number + 1) if has_next else None,
                "canonical_query": page_query(filters, page_number),
                "first_page": page_query(filters, 1),
                "verdicts": _verdicts(),
                "states": DeadlineState.choices,
                **counts,
            },
        ).content

    # Keyed on what the filters select, not the address: junk parameters share one copy.
    content = cached(_response_key(request, "overview", cache_key(filters, page_number)), lambda: page() or b"")
    if not content:  # past the last page (a kept link, fewer pledges now): the last there is
        if filters:  # counted once a version (when there are any), however often the address is asked for
            matches = cached(_key(request, "overview-matches", cache_key(filters, 1)), filterset.qs.count)
        else:  # the tally's sum, no count
            matches = cached(_key(request, "overview-counts"), aggregates)["total"]
        query = page_query(filters, selectors.last_overview_page(matches))
        return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)
    return HttpResponse(content)


def pledge_cards(request, rows, shared, event=None, today=None):
    """Each pledge's card as the lists show it (templates/pledges/_pledge_row.html), for a page's
    pledges read light (`selectors.page_rows`), kept in the shared cache under that pledge's own
    version: when one pledge is saved, the lists it is on move, and read and draw again that one
    card only (a card was half an overview's render time and the pledges' full read a third,
    bench/RESULTS.md). A card also says what the page around it does not (the parties, unless
    all share them; the event, unless on the event's page): both are in its key. `shared`
    (selectors.shared_parties) is completed with the names it shares."""
    if not rows:
        return []
    versions = public_version.versions([public_version.SITE, *(public_version.pledge_scope(p.slug) for p in rows)])
    site = versions[public_version.SITE][0]
    context = (bool(shared["parties"]), bool(shared["beneficiaries"]), event is not None)
    # Not under the page's version (a list's, which any save moves): under the pledge's own.
    day, language = timezone.localdate().isoformat(), get_language()
    keys = [
        "card:"
        + hashlib.sha256(
            repr((site, versions[public_version.pledge_scope(row.slug)][0], row.slug, context)).encode()
        ).hexdigest()[:32]
        + f":{day}:{language}"
        for row in rows
    ]
    found = cache.get_many(keys)
    pledges = selectors.in_full([row.pk for row, key in zip(rows, keys) if key not in found], today)
    made = {
        key: render_to_string(
            "pledges/_pledge_row.html", {"pledge": pledges[row.pk], "shared": shared, "event": event}, request
        )
        for row, key in zip(rows, keys)
        if row.pk in pledges
    }
    if made:
        cache.set_many(made, PAGE_CACHE_SECONDS)
    # The pledge the page names what all its pledges share from, with those names: as read in
    # full above if it was, else read now.
    for relation, pledge in shared.items():
        if pledge is not None:
            shared[relation] = pledges.get(pledge.pk) or selectors.with_names(pledge)
    # A pledge unpublished between the page's read and its full read has no card.
    return [mark_safe(found.get(key) or made[key]) for key in keys if key in found or key in made]


def _cached_page(request, name, slug, make, *parts, content_type=None):
    """The page `make(request, slug, *parts)` renders, cached under the version; it gives b"" for
    nothing public at that address, which is a 404 (and not cached)."""
    content = cached(_response_key(request, name, slug, *parts), lambda: make(request, slug, *parts))
    if not content:
        raise Http404(f"No such {name}.")
    return HttpResponse(content, content_type=content_type)


@public
def pledge_detail(request, slug):
    """One published pledge: its quote and source, deadline, verdict, timeline and chart."""
    return _cached_page(request, "pledge", slug, _pledge_page)


def _pledge_page(request, slug):
    pledge = selectors.public_pledge(slug)
    if pledge is None:
        return b""
    countries = {
        u.measurement_country_id: u.measurement_country for u in pledge.public_updates if u.measurement_country
    }
    # Each target: its progress, its chart and, where countries were measured, the latest of each.
    targets = [
        {
            "target": target,
            "progress": progress,
            "chart": charts.progress_chart(target, pledge.public_updates),
            "breakdown": sorted(
                ((countries[country_id], update) for country_id, update in progress.by_country.items()),
                key=lambda item: item[0].name,
            ),
        }
        for target, progress in pledge.target_progress
    ]
    earlier, later = selectors.follow_up_links(pledge)
    return render(
        request,
        "pledges/pledge_detail.html",
        {
            "pledge": pledge,
            # The card other sites may frame, as the snippet a reader copies gives it.
            "embed_url": settings.PLEDGES_SITE_URL + reverse("pledges:embed", args=[pledge.slug]),
            "rating_history": selectors.rating_history(pledge),
            "earlier": earlier,
            "follow_ups": later,
            "verdict_definition": VERDICT_DEFINITIONS[Verdict(pledge.verdict)],
            "targets": targets,
            "follow_form": follow_form(Scope.PLEDGE, pledge.slug),
        },
    ).content


@public
def event_detail(request, slug):
    """An event where pledges were made: when and where, its published pledges (a page of them at
    a time, as the overview: an event of 30,000 pledges was one 15 MB page) and their verdicts."""
    page_number = selectors.overview_page_number(request.GET)
    try:
        return _cached_page(request, "event", slug, _event_page, page_number)
    except Http404:
        moved = selectors.moved_event(slug)
        if moved is None:
            raise
        query = request.GET.urlencode()
        return HttpResponsePermanentRedirect(moved.get_absolute_url() + (f"?{query}" if query else ""))


def _event_page(request, slug, page_number):
    event = selectors.public_event(slug)
    if event is None:
        return b""
    listed = _listed(request, selectors.public_pledges().filter(event=event), page_number, event)
    if listed is None:
        return b""
    context = {"event": event, "follow_form": follow_form(Scope.EVENT, event.slug), **listed}
    return render(request, "pledges/event_detail.html", context).content


def _listed(request, pledges, page_number, event=None):
    """A page of `pledges` as an event's or a country's page lists them, with their verdicts'
    counts and the links to the other pages; None past the last page."""
    counts = selectors.verdict_counts(pledges)
    shown, has_next = selectors.page_rows(pledges, page_number)
    if not shown and page_number > 1:
        return None
    shared = selectors.shared_parties(shown)
    return {
        "pledges": shown,
        "cards": pledge_cards(request, shown, shared, event),
        "shared": shared,
        "verdict_counts": counts,
        "total": sum(count for _verdict, count in counts),
        "first_shown": (page_number - 1) * selectors.OVERVIEW_PAGE_SIZE + 1,
        "last_shown": (page_number - 1) * selectors.OVERVIEW_PAGE_SIZE + len(shown),
        "previous_page": page_query({}, page_number - 1) if page_number > 1 else None,
        "next_page": page_query({}, page_number + 1) if has_next else None,
        "canonical_query": page_query({}, page_number),
    }


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@public
def pledge_embed(request, slug):
    """A pledge as a small card any site may frame (the only page that may be framed): its title,
    verdict and progress, and a link back. No cookie is set; the stylesheet is the site's own."""
    return _cached_page(request, "embed", slug, _embed_page)


def _embed_page(request, slug):
    pledge = selectors.public_pledges(with_updates="summary").filter(slug=slug).first()
    if pledge is None:
        return b""
    (pledge,) = selectors.with_progress([pledge])
    return render(request, "pledges/embed.html", {"pledge": pledge}).content


@public
def pledge_card(request, slug):
    """A pledge's share card (PNG, pledges.public.cards) in the page's language."""
    return _cached_page(request, "card", slug, _pledge_card, content_type="image/png")


def _pledge_card(request, slug):
    pledge = selectors.public_pledges(with_updates="summary").filter(slug=slug).first()
    if pledge is None:
        return b""
    (pledge,) = selectors.with_progress([pledge])
    progress, target = pledge.progress, pledge.target
    words, share = "", None
    if progress is not None and (progress.current_value is not None or progress.steps):
        # The same words as the page's and the embedded card's.
        words = strip_tags(render_to_string("pledges/_progress.html", {"progress": progress, "target": target}))
        if target.label:
            words = f"{shown(target, 'label')}: {words}"
        share = progress.share if progress.share is not None else progress.percent
    return cards.pledge_card(
        site_name=SiteText.current().name,
        title=shown(pledge, "title"),
        verdict=pledge.verdict,
        verdict_label=pledge.get_verdict_display(),
        progress=" ".join(words.split()),
        share=share,
        address=_bare_address(pledge.get_absolute_url()),
    )


@public
def site_card(request):
    """The share card of every page but a pledge's: the site's name and standfirst (PNG)."""
    site = SiteText.current()

    def draw():
        return cards.site_card(site_name=site.name, standfirst=site.standfirst, address=_bare_address("/"))

    return HttpResponse(cached(_response_key(request, "site-card"), draw), content_type="image/png")


def _bare_address(path):
    """The site's address as a card prints it: no scheme."""
    return (settings.PLEDGES_SITE_URL + path).split("://", 1)[-1]


@public
def country_detail(request, code):
    """A country's page: the published pledges made to it or by it (a page at a time), their
    verdicts, and the figures measured for it alone."""
    return _cached_page(request, "country", code.upper(), _country_page, selectors.overview_page_number(request.GET))


def _country_page(request, code, page_number):
    country = selectors.public_country(code)
    if country is None:
        return b""
    listed = _listed(request, selectors.country_pledges(country), page_number)
    if listed is None:
        return b""
    measurements = list(selectors.country_measurements(country)[: selectors.OVERVIEW_PAGE_SIZE])
    context = {"country": country, "measurements": measurements, **listed}
    context["follow_form"] = follow_form(Scope.COUNTRY, country.code)
    return render(request, "pledges/country_detail.html", context).content


@public
def changes_log(request):
    """Every verdict change, newly published pledge and withdrawn update, newest first, paged."""
    filters, page_number = changes.filters_of(request.GET), selectors.overview_page_number(request.GET)

    def page():
        shown, has_next = changes.changes(filters, page=page_number)
        if not shown and page_number > 1:
            return b""  # past the last page
        topics, countries, events, parties = selectors.filter_choices()
        return render(
            request,
            "pledges/changes.html",
            {
                "changes": shown,
                "filters": filters,
                "countries": countries,
                "events": events,
                "previous_page": page_query(filters, page_number - 1) if page_number > 1 else None,
                "next_page": page_query(filters, page_number + 1) if has_next else None,
                "canonical_query": page_query(filters, page_number),
                "feed_query": page_query(filters, 1),
                "follow_form": follow_form(),
            },
        ).content

    content = cached(_response_key(request, "changes", cache_key(filters, page_number)), page)
    if not content:
        raise Http404("No such page of changes.")
    return HttpResponse(content)


@public
def about(request):
    """About the ratings: what each verdict means and how evidence is chosen."""
    return HttpResponse(
        cached(
            _response_key(request, "about"),
            lambda: render(request, "pledges/about.html", {"verdicts": _verdicts()}).content,
        )
    )


@public
def pledges_csv(request):
    """Published pledges in the import layout: the importer reads this file back unchanged."""
    return dumps.response("pledges.csv", _version(request)[0], opendata.pledges_csv_chunks, "text/csv; charset=utf-8")


@public
def pledges_json(request):
    """Published pledges with their published updates and sources."""
    return dumps.response("pledges.json", _version(request)[0], opendata.pledges_json_chunks, "application/json")


def file_language(request):
    """The language a feed or calendar is written in: `?lang=` (the pages link with their own), else
    the site's default. Files have one address for every language, so the query says which."""
    wanted = request.GET.get("lang", "")
    return wanted if wanted in {code for code, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE


@public
def deadlines_ics(request):
    """Every published dated deadline as an all-day event, for calendar programs to subscribe to.

    Written once per data version, language and event to disk as it streams, like the open-data
    files: readers who come while it is written follow that one file (no second render after a
    save), later ones are sent the file."""
    language = file_language(request)
    slug = request.GET.get("event", "")[:120]
    event = selectors.public_event(slug) if slug else None
    if slug and event is None:
        raise Http404("No such event.")
    response = dumps.response(
        f"deadlines-{language}-{event.slug if event else 'all'}.ics",
        _version(request)[0],
        lambda: opendata.deadline_calendar_chunks(event, language),
        "text/calendar; charset=utf-8",
        filename="deadlines.ics",
    )
    response["Content-Language"] = language  # the file's language, not the browser's
    return response


def cached_feed(feed):
    """An Atom feed view whose output is cached under the data version, like the pages."""

    @public
    def view(request, **kwargs):
        # To one event's pledges, or (the changes' feed) one country's.
        narrowed = (request.GET.get("event", "")[:120], request.GET.get("country", "")[:2].upper())
        with translation.override(file_language(request)):
            content = cached(
                _response_key(request, "feed", request.path, narrowed), lambda: feed(request, **kwargs).content
            )
            response = HttpResponse(content, content_type="application/atom+xml; charset=utf-8")
            response["Content-Language"] = get_language()  # the file's language, not the browser's
        return response

    return view


def page_not_found(request, exception):
    """Django's 404 view, in the site's frame (templates/404.html). The files and feeds share the
    pages' URL names under another namespace: a missing file's page names the pages' addresses."""
    request.current_app = "pledges"
    return defaults.page_not_found(request, exception)
