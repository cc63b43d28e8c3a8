"""The read API at /api/: the published record as JSON, with its OpenAPI 3 schema at
/api/openapi.json and documentation at /api/docs (Swagger UI from django-ninja's own static files,
so the site's Content Security Policy holds).

django-ninja rather than Django REST framework: its schema is made from the same type hints that
validate each response (pydantic), it brings its own per-address throttling and its documentation
pages without a CDN, and the API is read only, so DRF's serializers and viewsets would add layers
for nothing. Every operation reads through `selectors` (published records only), answers in the
reader's language (`?lang=`, else the site's default), is paged by `limit` and `offset` with a
`next` link, carries an ETag on the public data version (a repeat with If-None-Match gets 304),
and may be read from any origin (CORS open for GET).
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import get_language
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.decorators import decorate_view
from ninja.throttling import AnonRateThrottle
from pydantic import field_validator

from pledges.models import EARLIEST_DATE, LATEST_DATE, DeadlineState, Event, Party, Verdict, shown
from pledges.public import changes, selectors
from pledges.public.filters import PledgeFilterSet
from pledges.public.views import file_language, public

MAX_LIMIT = 100
MAX_OFFSET = 10**6


def _read(view):
    """In the asked language, with conditional GET on the data's version, readable from any origin."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override(file_language(request)):
            response = public(view)(request, *args, **kwargs)
            response["Content-Language"] = get_language()
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped


api = NinjaAPI(
    title="Pledge tracker API",
    version="1",
    description=__doc__,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    throttle=[AnonRateThrottle(settings.PLEDGES_API_RATE)],
)


class Problem(Schema):
    """What went wrong: a message, or (422) each parameter that could not be read."""

    detail: Any


# Every operation may answer these besides its result: a request the site refuses outright (400: a
# NUL byte anywhere), a parameter it cannot read (422), or a client over its rate (429).
ERRORS: dict[int, type[Schema]] = {400: Problem, 422: Problem, 429: Problem}


class Page(Schema):
    limit: int
    offset: int
    next: str | None


# Text a parameter may hold: anything but the NUL byte, which the site refuses in any request.
TEXT = r"^[^\x00]*$"
SLUG = r"^[-\w]+$"


class Paging(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class Named(Schema):
    name: str
    name_language: str


class EventOut(Schema):
    slug: str
    name: str
    name_language: str
    held_on: date | None
    place: str
    description: str
    url: str


class PartyOut(Schema):
    id: int
    name: str
    name_language: str
    kind: str
    country: str | None
    speaks_for: str | None


class Deadline(Schema):
    words: str
    precision: str
    start: date | None
    end: date | None
    state: str


class PledgeOut(Schema):
    slug: str
    url: str
    title: str
    title_language: str
    summary: str
    verdict: str
    verdict_label: str
    ruling: str
    deadline: Deadline
    event: str | None
    parties: list[str]
    beneficiaries: list[str]
    topic: str
    last_reviewed_on: date | None


class PledgeList(Page):
    results: list[PledgeOut]


class SourceOut(Schema):
    url: str
    title: str
    publisher: str
    published_on: date | None
    grade: str
    archived_url: str


class UpdateOut(Schema):
    key: str
    occurred_on: date
    occurred_precision: str
    summary: str
    summary_language: str
    new_verdict: str
    ruling: str
    measurement_value: Decimal | None
    measurement_qualifier: str
    measurement_country: str | None
    target: int | None
    measured_start: date | None
    measured_end: date | None
    milestone: str
    corrected_at: datetime | None
    correction_note: str
    sources: list[SourceOut]


class TargetOut(Schema):
    position: int
    label: str
    kind: str
    unit: str | None
    baseline_value: Decimal | None
    baseline_on: date | None
    target_value: Decimal | None
    value_qualifier: str
    steps: list[str]
    current_value: Decimal | None
    percent: Decimal | None


class RatingOut(Schema):
    verdict: str
    changed: bool
    update: str
    on: date


class PledgeDetail(PledgeOut):
    quote: str
    quote_language: str
    quote_original: str
    source_title: str
    source_publisher: str
    source_url: str
    source_published_on: date | None
    targets: list[TargetOut]
    updates: list[UpdateOut]
    rating_history: list[RatingOut]


class ChangeOut(Schema):
    kind: str
    at: datetime
    pledge: str
    verdict: str | None
    previous: str | None
    words: str
    ruling: str
    note: str


class ChangeList(Page):
    results: list[ChangeOut]


class PledgeFilters(Schema):
    event: str | None = Field(None, max_length=120, pattern=SLUG)
    party: int | None = Field(None, ge=1, le=2**31 - 1)
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    topic: str | None = Field(None, max_length=50, pattern=SLUG)
    verdict: Verdict | None = None
    state: DeadlineState | None = None
    q: str | None = Field(None, max_length=200, pattern=TEXT)
    changed_since: datetime | None = None

    @field_validator("changed_since")
    @classmethod
    def within_the_record(cls, value):
        """Any moment is read: one before the record's earliest date means every pledge, one after
        its latest none (the database cannot hold a year 80 or 9999, so it is never asked)."""
        if value is None:
            return value
        earliest = datetime.combine(EARLIEST_DATE, datetime.min.time(), UTC)
        latest = datetime.combine(LATEST_DATE, datetime.max.time(), UTC)
        try:
            moment = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        except OverflowError:
            return earliest if value.year < EARLIEST_DATE.year else latest
        return min(max(moment, earliest), latest)


def _text(record, name):
    said = shown(record, name)
    return str(said.text), said.language


def _absolute(path):
    return settings.PLEDGES_SITE_URL + path


def _page(request, items, paging):
    """`paging`'s slice of `items` (one more read than shown: is there a next page?)."""
    limit, offset = paging.limit, paging.offset  # within bounds: the schema refuses others (422)
    rows = list(items[offset : offset + limit + 1])
    following = None
    if len(rows) > limit:
        query = {**request.GET.dict(), "limit": limit, "offset": offset + limit}
        following = _absolute(request.path) + "?" + urlencode(query)
    return rows[:limit], {"limit": limit, "offset": offset, "next": following}


def _pledge(pledge, today):
    title, title_language = _text(pledge, "title")
    return {
        "slug": pledge.slug,
        "url": _absolute(pledge.get_absolute_url()),
        "title": title,
        "title_language": title_language,
        "summary": str(shown(pledge, "summary")),
        "verdict": pledge.verdict,
        "verdict_label": str(pledge.get_verdict_display()),
        "ruling": str(shown(pledge, "ruling")),
        "deadline": {
            "words": str(shown(pledge, "deadline_text")),
            "precision": pledge.deadline_precision,
            "start": pledge.deadline_start,
            "end": pledge.deadline_end,
            "state": pledge.deadline_state(today),
        },
        "event": pledge.event.slug if pledge.event_id else None,
        "parties": [str(party.shown_name) for party in pledge.parties.all()],
        "beneficiaries": [str(party.shown_name) for party in pledge.beneficiaries.all()],
        "topic": pledge.topic.slug,
        "last_reviewed_on": pledge.last_reviewed_on,
    }


def _pledges():
    return (
        selectors.public_pledges()
        .select_related("event", "topic")
        .prefetch_related(
            Prefetch("parties", queryset=selectors.named_order("parties")),
            Prefetch("beneficiaries", queryset=selectors.named_order("beneficiaries")),
        )
    )


@api.get("/pledges", response={200: PledgeList, **ERRORS}, summary="Published pledges, filtered and paged")
@decorate_view(_read)
def pledges(request, filters: Query[PledgeFilters], paging: Query[Paging]):
    """The filters mean what the overview's do; `changed_since` keeps pledges changed after it."""
    chosen = {name: value for name, value in filters.dict().items() if value not in (None, "")}
    since = chosen.pop("changed_since", None)
    found = PledgeFilterSet(chosen, _pledges(), today=timezone.localdate()).qs
    if since is not None:
        found = found.filter(updated_at__gt=since)
    rows, page = _page(request, found, paging)
    today = timezone.localdate()
    return {**page, "results": [_pledge(pledge, today) for pledge in rows]}


@api.get(
    "/pledges/{slug}",
    response={200: PledgeDetail, 404: Problem, **ERRORS},
    summary="One published pledge, with its evidence",
)
@decorate_view(_read)
def pledge(request, slug: str = Path(..., max_length=120, pattern=SLUG)):
    # The pledge page's own read: its parties, targets and published updates with their sources.
    found = selectors.public_pledges(with_updates="sources").filter(slug=slug).first()
    if found is None:
        raise Http404("No such pledge.")
    (found,) = selectors.with_progress([found])
    detail = _pledge(found, timezone.localdate())
    progress = dict(found.target_progress)
    return {
        **detail,
        "quote": str(shown(found, "quote")),
        "quote_language": found.quote_language or "en",
        "quote_original": found.quote_original,
        "source_title": found.source_title,
        "source_publisher": found.source_publisher,
        "source_url": found.source_url,
        "source_published_on": found.source_published_on,
        "targets": [_target(target, progress.get(target)) for target in found.targets.all()],
        "updates": [_update(update) for update in found.public_updates],
        "rating_history": [
            {"verdict": step.verdict, "changed": step.changed, "update": step.update.key, "on": step.update.occurred_on}
            for step in selectors.rating_history(found)
        ],
    }


def _target(target, progress):
    return {
        "position": target.position,
        "label": str(shown(target, "label")),
        "kind": target.kind,
        "unit": target.unit.code if target.unit_id else None,
        "baseline_value": target.baseline_value,
        "baseline_on": target.baseline_on,
        "target_value": target.target_value,
        "value_qualifier": target.value_qualifier,
        "steps": [str(target.step_name(step)) for step in target.milestones],
        "current_value": getattr(progress, "current_value", None),
        "percent": getattr(progress, "percent", None),
    }


def _update(update):
    summary, summary_language = _text(update, "summary")
    return {
        "key": update.key,
        "occurred_on": update.occurred_on,
        "occurred_precision": update.occurred_precision,
        "summary": summary,
        "summary_language": summary_language,
        "new_verdict": update.new_verdict,
        "ruling": str(shown(update, "ruling")),
        "measurement_value": update.measurement_value,
        "measurement_qualifier": update.measurement_qualifier,
        "measurement_country": update.measurement_country.code if update.measurement_country_id else None,
        "target": update.target.position if update.target_id else None,
        "measured_start": update.measured_start,
        "measured_end": update.measured_end,
        "milestone": update.milestone,
        "corrected_at": update.corrected_at,
        "correction_note": str(shown(update, "correction_note")),
        "sources": [
            {
                "url": source.url,
                "title": source.title,
                "publisher": source.publisher,
                "published_on": source.published_on,
                "grade": source.grade,
                "archived_url": source.archived_url,
            }
            for source in update.sources.all()
        ],
    }


@api.get("/events", response={200: list[EventOut], **ERRORS}, summary="The events published pledges were made at")
@decorate_view(_read)
def events(request):
    published = Event.objects.filter(pk__in=selectors.public_pledges().values("event_id")).order_by("-held_on", "name")
    return [
        {
            "slug": event.slug,
            "name": _text(event, "name")[0],
            "name_language": _text(event, "name")[1],
            "held_on": event.held_on,
            "place": str(shown(event, "place")),
            "description": str(shown(event, "description")),
            "url": _absolute(event.get_absolute_url()),
        }
        for event in published
    ]


@api.get(
    "/parties", response={200: list[PartyOut], **ERRORS}, summary="Who made published pledges or had them made to them"
)
@decorate_view(_read)
def parties(request):
    named = selectors.public_pledges()
    found = (
        Party.objects.filter(pk__in=named.values("parties"))
        | Party.objects.filter(pk__in=named.values("beneficiaries"))
    ).select_related("country", "speaks_for__country")
    return [
        {
            "id": party.pk,
            "name": str(party.shown_name),
            "name_language": getattr(party.shown_name, "language", get_language()),
            "kind": party.kind,
            "country": party.country.code if party.country_id else None,
            "speaks_for": str(party.speaks_for.shown_name) if party.speaks_for_id else None,
        }
        for party in found.distinct().order_by("name")
    ]


class ChangePaging(Schema):
    page: int = Field(1, ge=1, le=changes.MAX_PAGE)


@api.get(
    "/changes",
    response={200: ChangeList, **ERRORS},
    summary="The changes log: verdict changes, corrections, new pledges",
)
@decorate_view(_read)
def changes_log(request, paging: Query[ChangePaging]):
    """Newest first, as the changes page shows it, a page of changes.PAGE_SIZE at a time."""
    page = paging.page  # 1 to changes.MAX_PAGE: the schema refuses others (422)
    entries, more = changes.changes({}, page=page)
    following = _absolute(request.path) + "?" + urlencode({"page": page + 1}) if more else None
    return {
        "limit": changes.PAGE_SIZE,
        "offset": (page - 1) * changes.PAGE_SIZE,
        "next": following,
        "results": [
            {
                "kind": change.kind,
                "at": change.at,
                "pledge": change.pledge.slug,
                "verdict": change.verdict.value if change.verdict else None,
                "previous": change.previous.value if change.previous else None,
                "words": str(change.words),
                "ruling": str(change.ruling),
                "note": str(change.note),
            }
            for change in entries
        ],
    }
