"""The public's files: the pledges as CSV (the import layout) and JSON (with updates and
sources), and the deadlines as iCalendar. Published data only, read through the selectors."""

import json
from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pledges.files.export_rows import CHUNK_SIZE
from pledges.files.exports import file_chunks, rows
from pledges.files.layouts import MAX_SOURCES, SOURCE_PARTS, PledgeResource, ProgressUpdateResource
from pledges.models import shown
from pledges.public import selectors

# Who owns a pledge is the newsroom's business, not the public's. A file without the column
# re-imports without touching owners (missing columns keep what is stored). A follow-up link may
# name a draft, so it is left out too; the pages show the links between published pledges.
PRIVATE_COLUMNS = frozenset({"owner", "follows", "also_follows", "follow_up"})
PUBLIC_PLEDGE_FIELDS = [name for name in PledgeResource.fields if name not in PRIVATE_COLUMNS]


def pledges_csv_chunks():
    """The published pledges in the import layout, formulas neutralised, as streamed bytes."""
    return file_chunks(PledgeResource(), selectors.public_pledges(), "csv", PUBLIC_PLEDGE_FIELDS)


def pledges_json_chunks():
    """The published pledges, each with its published updates and their sources, as streamed JSON.

    Pledges are read a chunk at a time and their updates with them, so memory stays flat.
    """
    resource = PledgeResource()
    names = resource.get_export_headers(PUBLIC_PLEDGE_FIELDS)
    yield b'{"generated_at": ' + json.dumps(timezone.now().isoformat()).encode() + b', "pledges": ['
    first = True
    for chunk in _batches(rows(resource, selectors.public_pledges(), PUBLIC_PLEDGE_FIELDS), CHUNK_SIZE):
        pledges = [dict(zip(names, cells)) for cells in chunk]
        updates_of = _updates_by_slug([pledge["slug"] for pledge in pledges])
        parts = []
        for pledge in pledges:
            pledge.pop("published")
            pledge["updates"] = sorted(updates_of.get(pledge["slug"], []), key=lambda u: u["occurred_on"], reverse=True)
            parts.append((b"" if first else b",") + b"\n" + json.dumps(pledge, ensure_ascii=False).encode())
            first = False
        yield b"".join(parts)
    yield b"\n]}\n"


def _batches(records, size):
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _updates_by_slug(slugs):
    """The published updates of these pledges with their sources, as JSON-ready dicts by pledge slug."""
    updates_of = {}
    resource = ProgressUpdateResource()
    names = resource.get_export_headers()
    for cells in rows(resource, selectors.public_updates().filter(pledge__slug__in=slugs)):
        row = dict(zip(names, cells))
        sources = []
        for number in range(1, MAX_SOURCES + 1):
            # The grade stays beside the update as `sourceN_grade`, where the JSON has always had it.
            source = {name: row.pop(f"source{number}_{name}") for name in SOURCE_PARTS if name != "grade"}
            if source["url"]:
                sources.append(source)
        slug = row.pop("pledge")
        row.pop("published")
        row["sources"] = sources
        updates_of.setdefault(slug, []).append(row)
    return updates_of


def deadline_calendar_chunks(at_event=None, language=None):
    """An iCalendar file, as streamed bytes, with an all-day event on each published pledge's
    deadline (spanning the window where the deadline is one), its words in the description; with
    `at_event` (an Event), only the pledges made there. Written in `language` (the generator runs
    after the view has returned, so it sets the language itself).

    Pledges are read a chunk at a time, each chunk's events written as one piece, so memory stays
    flat and the first bytes leave at once (a whole calendar of 29,000 pledges took 12.6 s).
    """
    from icalendar import Calendar, Event

    with translation.override(language or settings.LANGUAGE_CODE):
        calendar = Calendar()
        calendar.add("prodid", "-//Pledge tracker//deadlines//EN")
        calendar.add("version", "2.0")
        calendar.add(
            "x-wr-calname",
            _("Pledge deadlines: %(event)s") % {"event": shown(at_event, "name").marked_text()}
            if at_event
            else _("Pledge deadlines"),
        )
        opening, closing = calendar.to_ical().rsplit(b"END:VCALENDAR", 1)
        yield opening
        host = settings.PLEDGES_SITE_URL.split("://", 1)[-1].split("/", 1)[0]
        pledges = (
            selectors.public_pledges()
            .filter(deadline_end__isnull=False)
            .prefetch_related(Prefetch("parties", queryset=selectors.named_order("parties")))
            .order_by("deadline_end", "pk")
        )
        if at_event is not None:
            pledges = pledges.filter(event=at_event)
        events = []
        for pledge in pledges.iterator(chunk_size=CHUNK_SIZE):
            title = shown(pledge, "title").marked_text()
            url = settings.PLEDGES_SITE_URL + pledge.get_absolute_url()
            said = (
                _("“%(words)s”. ") % {"words": shown(pledge, "deadline_text").marked_text()}
                if pledge.deadline_text
                else ""
            )
            parties = ", ".join(str(party.shown_name) for party in pledge.parties.all())
            verdict = _("Verdict: %(verdict)s") % {"verdict": pledge.get_verdict_display()}
            description = f"{said}{parties}: {shown(pledge, 'summary').marked_text()}\n{verdict}\n{url}"
            # An all-day event on the day a deadline falls; a window ("in 5 to 10 years") has one on
            # the day it opens and one on the day it closes, not a bar across its years.
            days = [("deadline", _("Deadline: %(title)s"), pledge.deadline_end)]
            if pledge.deadline_start:
                days = [
                    ("window-opens", _("Deadline window opens: %(title)s"), pledge.deadline_start),
                    ("deadline", _("Deadline window closes: %(title)s"), pledge.deadline_end),
                ]
            for uid, summary, day in days:
                event = Event()
                event.add("uid", f"{uid}-{pledge.slug}@{host}")
                event.add("summary", summary % {"title": title})
                event.add("dtstart", day)
                event.add("dtend", day + timedelta(days=1))  # all-day events end the day after
                event.add("dtstamp", pledge.updated_at)
                event.add("last-modified", pledge.updated_at)
                event.add("url", url)
                event.add("description", description)
                events.append(event.to_ical())
            if len(events) == CHUNK_SIZE:
                yield b"".join(events)
                events = []
        yield b"".join(events) + b"END:VCALENDAR" + closing
