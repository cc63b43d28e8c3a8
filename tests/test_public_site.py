"""The public site as a reader meets it: pages, filters, languages, open data, feeds, caching,
and never a draft."""

import json
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

import feedparser
import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from pledges.files.imports import import_pledges
from pledges.models import Pledge, ProgressUpdate, Source
from tests.test_record import example_summit  # noqa: F401 (a fixture: a later summit's pledges)
from tests.volume import add_pledges

pytestmark = pytest.mark.django_db
HOME = "/en/"


def text(response):
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def listed(response):
    return [pledge.slug for pledge in response.context["pledges"]]


class _FilterForm(HTMLParser):
    """What a reader sees chosen in the overview's filter form: {name: value} of each box that
    holds something (a select's selected option, a text box's value)."""

    def __init__(self):
        super().__init__()
        self.chosen, self._select = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self.chosen[self._select] = attrs.get("value")
        elif tag == "input" and attrs.get("type") in ("search", "text") and attrs.get("value"):
            self.chosen[attrs["name"]] = attrs["value"]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def chosen_filters(response):
    form = _FilterForm()
    form.feed(text(response))
    return form.chosen


# The overview


def test_the_overview_says_what_was_kept_what_is_late_and_what_the_verdicts_mean(client, seeded):
    page = text(client.get(HOME))

    assert "16 pledges tracked" in page
    # Each count is the link, the whole box (it once sat beside a link to its label alone).
    assert (
        '<a class="count" href="?verdict=kept"><strong>8</strong> <span class="verdict verdict-kept">Kept</span></a>'
        in page
    )
    assert '<a class="count" href="?state=overdue"><strong class="state-overdue">2</strong> deadlines passed' in page
    assert "Raise China–Central Asia trade to $70 billion by 2030" in page
    # A share of the target, not the distance from the baseline (which once read as 282.4%).
    assert (
        "152% of the target ($106.3 billion of $70 billion; baseline $50.1 billion in 2021) · "
        "<strong>target exceeded</strong>"
    ) in page
    assert "100% of the target (100 city pairs of 100 city pairs) · <strong>target reached</strong>" in page
    # Tajikistan's doses are one country's figure: a floor, never a share of the five countries' target.
    assert "at least 2.5 million doses of 50 million doses reported, by country</p>" in page
    assert "5% of the target" not in page
    assert '<span class="state-overdue">Overdue</span>' in page
    assert "The pledge was fulfilled, as promised or close to it." in page  # the verdict definitions


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"verdict": "kept", "topic": "energy"}, ["oil-gas-pipelines"]),
        ({"state": "overdue"}, ["training-5000-places", "livelihood-assistance-500-million"]),
        ({"topic": "health", "verdict": "not_rated"}, ["covid-vaccines-50-million-doses", "vaccine-joint-production"]),
        ({"country": "KG", "topic": "transport", "q": "railway"}, ["china-kyrgyzstan-uzbekistan-railway"]),
        ({"q": "SISTER CITIES"}, ["sister-cities-100-pairs"]),
        ({"verdict": "nonsense"}, None),  # an unknown value is ignored, not an error
    ],
)
def test_filters_and_search_narrow_the_list_and_live_in_the_url(client, seeded, query, expected):
    response = client.get(HOME, query)

    assert response.status_code == 200
    if expected is None:  # the same page as with no filter (served from the same cached copy)
        assert text(response) == text(client.get(HOME))
        return
    assert listed(response) == expected
    assert chosen_filters(response) == query  # the form shows what narrowed the list, and nothing else


def test_a_bare_address_follows_the_readers_language(client, seeded):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ru,en;q=0.5")["Location"] == "/ru/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")["Location"] == "/zh-hans/"
    assert client.get("/pledges/sister-cities-100-pairs/", HTTP_ACCEPT_LANGUAGE="en")["Location"] == (
        "/en/pledges/sister-cities-100-pairs/"
    )


def test_pages_speak_russian_and_chinese_with_their_own_numbers_and_dates(client, seeded):
    russian = text(client.get("/ru/"))
    chinese = text(client.get("/zh-hans/"))
    russian_pledge = text(client.get("/ru/pledges/trade-70-billion-by-2030/"))

    assert '<html lang="ru">' in russian and "Выполнено" in russian and "Срок прошёл" in russian
    assert "152 % цели ($106,3 млрд из $70 млрд; исходный уровень $50,1 млрд в 2021 г.)" in russian
    assert "18 января 2026 г." in russian_pledge
    assert '<html lang="zh-hans">' in chinese and "已兑现" in chinese
    assert "达到目标的 152%（1063亿美元 / 700亿美元；基准：2021年 501亿美元）" in chinese
    # Each page links to itself in the other languages.
    assert 'href="/ru/pledges/trade-70-billion-by-2030/" lang="ru"' in text(
        client.get("/en/pledges/trade-70-billion-by-2030/")
    )


# One pledge


def test_the_pledge_page_shows_the_quote_its_source_the_deadline_and_the_timeline(client, seeded):
    page = text(client.get("/en/pledges/sister-cities-100-pairs/"))

    assert "bring the number of sister cities with the five countries to 100 pairs" in page
    assert "25 January 2027 – 25 January 2032" in page
    assert "https://news.cgtn.com/" in page
    assert "Every pledge is rated" not in page and "The pledge was fulfilled, as promised or close to it." in page
    headings = re.findall(r'<article class="pledge" id="update-[^"]+">\s*<h3>(\d+ \w+ \d{4})', page)
    dates = [datetime.strptime(heading, "%d %B %Y").date() for heading in headings]
    assert len(dates) >= 2 and dates == sorted(dates, reverse=True)  # the timeline, newest first


def test_a_quantitative_pledge_has_a_chart_with_its_text_alternative_and_a_country_breakdown(client, seeded):
    trade = text(client.get("/en/pledges/trade-70-billion-by-2030/"))
    vaccines = text(client.get("/en/pledges/covid-vaccines-50-million-doses/"))

    assert '<svg class="chart" viewBox="0 0 640 280" role="img" aria-labelledby="chart-title-1 chart-desc-1"' in trade
    assert '<rect class="year-bar"' in trade and '<line class="on-track"' in trade and '<line class="target"' in trade
    # A yearly flow is drawn as one bar across each year, not as a point at the year's end.
    assert "<title>2022: $70.2 billion</title></rect>" in trade and "<td>in 2025</td><td>$106.3 billion</td>" in trade
    assert "Measured values went from $70.2 billion in 2022 to $106.3 billion in 2025." in trade
    assert "<td>$106.3 billion</td>" in trade  # the data as a table, for anyone who cannot see the chart
    assert "<strong>target exceeded</strong> · 282.4% of the way from the baseline · on track" in trade
    assert "<h3>By country</h3>" in vaccines and "<td>Tajikistan</td><td>2.5 million doses</td>" in vaccines


def test_about_the_ratings_explains_each_verdict_and_how_evidence_is_chosen(client, seeded):
    page = text(client.get("/en/about/"))

    assert "How evidence is chosen" in page
    assert "A deadline passing does not by itself make a pledge broken" in page
    assert page.count('<span class="verdict verdict-') == 6


# Open data and following


def test_the_csv_is_the_import_layout_and_reimports_with_no_change(client, seeded):
    response = client.get("/pledges.csv")
    body = text(response)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.splitlines()[0].startswith("slug,title,title_ru,title_zh_hans,parties,beneficiaries")
    assert ",owner," not in body.splitlines()[0]  # who owns a pledge is not published
    report = import_pledges(body, dry_run=True)
    assert report.summary == "pledges: 0 new, 0 updated, 16 unchanged would be imported"


def test_the_csv_neutralises_formulas(client, seeded):
    Pledge.objects.filter(slug="oil-gas-pipelines").update(title='=HYPERLINK("http://evil")')

    body = text(client.get("/pledges.csv"))

    assert "'=HYPERLINK" in body
    assert import_pledges(body, dry_run=True).summary.endswith("0 new, 0 updated, 16 unchanged would be imported")


def test_the_json_has_each_pledge_with_its_updates_and_their_sources(client, seeded):
    data = json.loads(text(client.get("/pledges.json")))

    assert len(data["pledges"]) == 16
    trade = next(p for p in data["pledges"] if p["slug"] == "trade-70-billion-by-2030")
    assert trade["verdict"] == "kept" and "owner" not in trade
    assert [u["occurred_on"] for u in trade["updates"]] == sorted(
        (u["occurred_on"] for u in trade["updates"]), reverse=True
    )
    assert trade["updates"][0]["key"] == "recheck-2026-12" and trade["updates"][1]["key"] == "trade-2025"
    assert trade["updates"][1]["sources"][0]["url"] == "https://www.globaltimes.cn/page/202601/1353538.shtml"
    assert sum(len(p["updates"]) for p in data["pledges"]) == ProgressUpdate.objects.filter(is_published=True).count()


def test_the_atom_feeds_parse_and_list_published_updates_newest_first(client, seeded):
    feed = feedparser.parse(text(client.get("/feed/")))
    one = feedparser.parse(text(client.get("/pledges/trade-70-billion-by-2030/feed/")))

    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert len(feed.entries) == min(50, ProgressUpdate.objects.filter(is_published=True).count()) == 50
    assert feed.entries[0].link.startswith(settings.PLEDGES_SITE_URL + "/en/pledges/")  # the configured address
    published = [entry.published_parsed for entry in feed.entries]
    assert published == sorted(published, reverse=True)
    assert not one.bozo and len(one.entries) == 5
    assert one.entries[1].title == "Raise China–Central Asia trade to $70 billion by 2030: 18 January 2026"
    assert ">[Report on China–Central Asia trade in 2025]</a>, Global Times" in one.entries[1].summary


def test_the_deadlines_calendar_parses_with_an_event_per_dated_deadline(client, seeded):
    response = client.get("/deadlines.ics")
    calendar = Calendar.from_ical(response.getvalue())

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    deadlines = Pledge.objects.filter(is_published=True, deadline_end__isnull=False)
    windows = deadlines.filter(deadline_start__isnull=False)  # one event as it opens, one as it closes
    assert len(events) == deadlines.count() + windows.count() == 5
    trade = events["deadline-trade-70-billion-by-2030@127.0.0.1:8000"]
    assert trade.decoded("dtstart").isoformat() == "2030-12-31"
    assert str(trade["summary"]) == "Deadline: Raise China–Central Asia trade to $70 billion by 2030"


# Caching


@pytest.mark.parametrize(
    "url", [HOME, "/en/pledges/trade-70-billion-by-2030/", "/pledges.csv", "/feed/", "/deadlines.ics"]
)
def test_responses_can_be_cached_and_are_revalidated(client, seeded, url):
    first = client.get(url)

    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert first["ETag"] and first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_an_editors_save_shows_on_the_next_request(client, seeded, editor):
    before = client.get(HOME)
    pledge = Pledge.objects.get(slug="oil-gas-pipelines")
    client.force_login(editor)
    from tests.factories import change_form_data

    url = f"/admin/pledges/pledge/{pledge.pk}/change/"
    client.post(url, change_form_data(client.get(url), title="Keep the pipelines running (edited)"))
    client.logout()

    after = client.get(HOME, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert "Keep the pipelines running (edited)" in text(after)


# Speed


def test_pages_take_the_same_queries_for_1000_pledges_and_20000_updates(client, seeded):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    detail = "/en/pledges/covid-vaccines-50-million-doses/"
    # (The CSV and JSON files read in chunks of 2,000 rows to keep memory flat, so theirs grow.)
    small = {url: queries(url) for url in (HOME, detail, "/feed/", "/deadlines.ics")}
    add_pledges(1000 - Pledge.objects.count(), updates_each=21)
    assert ProgressUpdate.objects.count() >= 20000
    for name in ("default", "near"):  # rendered again, not kept (the pledge page's version did not move)
        caches[name].clear()

    large = {url: queries(url) for url in small}
    assert large == small
    # One more since the overview offers events as a filter (a pledge page reads its follow-ups
    # only when it has some: this one has none), one more since pledging parties and
    # beneficiaries are two lists of parties, one more for a pledge's targets (several, each with
    # its unit), and on the overview one more for the parties it offers as a filter; one more each
    # for the site's name (and the overview's standfirst), and on the overview one for its "last
    # checked" day; on a pledge page one more for its more topics, in the order it names them; on
    # the overview one more for the versions of its pledges' cards, kept apart (the shared cache
    # has them once warm); and three more, from nothing, for it to draw only the cards it lacks:
    # its page's pledges read light, their parties' links (what they all share), the site's
    # version for its name; two more on PostgreSQL for the topics it offers, each topic's key
    # written out for the planner (selectors._first_topics).
    topics = 2 if connection.vendor == "postgresql" else 0
    assert (small[HOME], small[detail]) == (18 + topics, 9)


def test_the_overview_is_served_from_the_cache_until_something_changes(client, seeded):
    client.get(HOME)
    with CaptureQueriesContext(connection) as cached:
        client.get(HOME)
    assert len(cached) == 1  # the data version only: one read by primary key

    pledge = Pledge.objects.get(slug="oil-gas-pipelines")
    pledge.title = "Pipelines, retitled"
    pledge.save()
    with CaptureQueriesContext(connection) as fresh:
        page = text(client.get(HOME))
    assert len(fresh) > 1 and "Pipelines, retitled" in page


# Nothing unpublished


DRAFT_TITLE = "A draft pledge nobody may see"
DRAFT_UPDATE = "A draft update nobody may see"
ENDPOINTS = [
    "/en/",
    "/ru/",
    "/zh-hans/",
    "/en/?q=draft",
    "/en/?verdict=not_rated",
    "/en/?state=due_soon",
    "/en/about/",
    "/en/pledges/trade-70-billion-by-2030/",
    "/pledges.csv",
    "/pledges.json",
    "/feed/",
    "/pledges/trade-70-billion-by-2030/feed/",
    "/deadlines.ics",
]


@pytest.fixture
def drafts(seeded):
    published = Pledge.objects.get(slug="trade-70-billion-by-2030")
    draft = Pledge.objects.get(slug="vaccine-joint-production")
    draft.title, draft.is_published = DRAFT_TITLE, False
    draft.deadline_precision, draft.deadline_end = "day", timezone.localdate() + timedelta(days=10)
    draft.save()
    hidden = ProgressUpdate.objects.create(
        pledge=published,
        key="draft",
        occurred_on=timezone.localdate(),
        summary=DRAFT_UPDATE,
        measurement_value=999000000000,
        target=published.targets.get(),
        is_published=False,
    )
    Source.objects.create(update=hidden, url="https://example.org/draft-source", title="Draft source", publisher="X")
    ProgressUpdate.objects.create(
        pledge=draft,
        key="on-draft",
        occurred_on=timezone.localdate(),
        summary=DRAFT_UPDATE + " (on a draft pledge)",
        is_published=True,
    )
    return draft


@pytest.mark.parametrize("url", ENDPOINTS)
def test_no_draft_pledge_or_update_reaches_any_public_address(client, drafts, url):
    body = text(client.get(url))

    assert DRAFT_TITLE not in body and "vaccine-joint-production" not in body
    assert DRAFT_UPDATE not in body and "draft-source" not in body
    assert "999 billion" not in body and "999000000000" not in body  # the draft's measurement


@pytest.mark.parametrize("url", ["/en/pledges/vaccine-joint-production/", "/pledges/vaccine-joint-production/feed/"])
def test_a_draft_pledges_own_addresses_are_not_found(client, drafts, url):
    assert client.get(url).status_code == 404


# Pages of the overview


def test_the_overview_is_paged_fifty_at_a_time_in_a_stable_order_with_filters_kept(client, seeded):
    add_pledges(120 - Pledge.objects.count())
    first, second, third = (client.get(HOME, {"page": n}) for n in (1, 2, 3))

    assert len(listed(first)) == len(listed(second)) == 50 and len(listed(third)) == 20
    assert (
        not set(listed(first)) & set(listed(second)) and len(set(listed(first) + listed(second) + listed(third))) == 120
    )
    assert "Pledges 1–50 of 120" in text(first) and "Pledges 101–120 of 120" in text(third)
    assert '<a rel="next" href="?page=2">Next page</a>' in text(first) and 'rel="prev"' not in text(first)
    assert '<a rel="prev" href="?page=2">Previous page</a>' in text(third) and 'rel="next"' not in text(third)
    past_the_end = client.get(HOME, {"page": 4})  # a kept link to a page there no longer is: the last
    assert past_the_end.status_code == 302 and past_the_end["Location"] == f"{HOME}?page=3"
    from pledges.models import Topic

    topic = Topic.objects.first().slug  # the generated pledges' topic
    filtered = text(client.get(HOME, {"topic": topic, "page": 2}))
    assert f'href="?topic={topic}">Previous page</a>' in filtered
    assert client.get(HOME, {"page": "²"}).status_code == 200  # not a page number: the first page


# Cached pages and streamed files


@pytest.mark.parametrize("url", ["/en/pledges/trade-70-billion-by-2030/", "/feed/", "/deadlines.ics", "/en/?page=1"])
def test_pages_feeds_and_the_calendar_are_served_from_the_cache_until_something_public_changes(client, seeded, url):
    first = text(client.get(url))
    with CaptureQueriesContext(connection) as cached:
        again = text(client.get(url))
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    pledge.title = "Trade retitled"
    pledge.save()

    assert again == first and len(cached) == 1  # the version, read by its key
    assert "Trade retitled" in text(client.get(url))


def test_a_missing_page_is_made_once_however_many_ask_at_once():
    import threading
    import time

    from pledges.public.views import cached

    made = []

    def make():
        made.append(1)
        time.sleep(0.3)  # a slow render: the others arrive meanwhile
        return b"the page"

    results = []
    threads = [threading.Thread(target=lambda: results.append(cached("stampede-test", make))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert results == [b"the page"] * 8
    assert len(made) == 1


def test_an_unknown_pledge_is_not_kept_in_the_cache(client, seeded):
    from django.core.cache import cache

    assert client.get("/en/pledges/no-such-pledge/").status_code == 404
    assert not [key for key in cache._cache if "no-such-pledge" in key]  # locmem's own store


def test_the_open_data_files_stream_in_flat_memory(client, seeded):
    import tracemalloc

    from pledges.public import opendata

    def peak(chunks):
        tracemalloc.start()
        size = sum(len(chunk) for chunk in chunks)
        result = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return result, size

    assert client.get("/pledges.csv").streaming and client.get("/pledges.json").streaming
    add_pledges(2_100 - Pledge.objects.count(), updates_each=1)
    small, small_size = peak(opendata.pledges_json_chunks())
    add_pledges(6_300 - Pledge.objects.count(), updates_each=1)
    large, large_size = peak(opendata.pledges_json_chunks())

    assert large_size > 2.5 * small_size
    assert large < 1.5 * small  # three times the data, not three times the memory


def test_about_the_ratings_is_served_from_the_cache(client, seeded):
    first = text(client.get("/ru/about/"))
    with CaptureQueriesContext(connection) as cached:
        again = text(client.get("/ru/about/"))

    assert again == first and len(cached) == 1  # the version only
    assert '<html lang="ru">' in again and '<html lang="en">' in text(client.get("/en/about/"))


# A ruling on every rated pledge


def test_a_pledge_page_gives_the_ruling_with_its_date_and_decisive_evidence(client, seeded):
    page = text(client.get("/en/pledges/trade-70-billion-by-2030/"))

    ruling = page.split('<div class="ruling">', 1)[1].split("</div>", 1)[0]
    assert (
        "Kept. Trade reached $70.2 billion in 2022" in ruling and "Central Asian national statistics differ." in ruling
    )
    assert "As of 27 November 2026" in ruling
    assert 'Decisive evidence: <a href="#update-trade-2022">11 May 2023</a>' in ruling
    assert "Ministry of Commerce of China" in ruling  # the verdict-giving update's first source


def test_the_overview_shortens_each_ruling_at_a_sentence(client, seeded):
    page = text(client.get("/en/?q=trade+to"))

    assert (
        '<p class="ruling">Trade reached $70.2 billion in 2022, and China&#x27;s Commerce Ministry said the 2030 '
        "target had been met ahead of schedule; it was $106.3 billion in 2025.</p>"  # "Kept." is the badge's
    ) in page
    assert "Central Asian national statistics differ." not in page


def test_an_overdue_pledge_not_yet_rated_says_why_on_the_overview(client, reference_data):
    from datetime import date

    from tests.factories import a_pledge

    a_pledge(
        title="Build a bridge by 2024",
        deadline_end=date(2024, 12, 31),
        is_published=True,
        ruling="Not yet rated. The ministry has published nothing on the bridge since 2023; we asked in May.",
    )
    page = text(client.get("/en/?state=overdue"))

    row = page.split("Build a bridge by 2024", 1)[1]
    assert "Not yet rated" in row[:400]
    assert '<p class="ruling">The ministry has published nothing on the bridge since 2023; we asked in May.' in row


def test_the_overview_says_once_what_every_row_shares_and_when_each_was_last_checked(client, seeded):
    page = text(client.get("/en/"))

    assert page.count("Pledged by Xi Jinping") == 1  # above the list, not on 16 rows
    assert '<p class="shared">All of these: Pledged by Xi Jinping</p>' in page
    railway = page.split("Speed up the China–Kyrgyzstan–Uzbekistan railway", 1)[1].split("</article>", 1)[0]
    assert "made to Kyrgyzstan and Uzbekistan" in railway  # what differs stays on the row
    assert page.count("last checked 27 November 2026") == 16


def test_rows_name_their_parties_where_they_differ(client, example_summit):
    page = text(client.get("/en/events/example-regional-summit/"))

    assert '<p class="shared">' not in page
    assert "Pledged jointly by China, Kazakhstan and Uzbekistan → China, Kazakhstan and Uzbekistan" in page
    assert "Pledged by Example Health Ministry → Kazakhstan and Uzbekistan" in page


@pytest.mark.parametrize(
    ("q", "slug"),
    [
        ("sister city", "sister-cities-100-pairs"),
        ("vaccines", "covid-vaccines-50-million-doses"),
        ("railways", "china-kyrgyzstan-uzbekistan-railway"),
    ],
)
def test_search_matches_word_forms(client, seeded, q, slug):
    page = text(client.get("/en/", {"q": q}))

    assert f'/en/pledges/{slug}/"' in page
    assert page.count('<article class="pledge">') < 16


def test_search_needs_every_word(client, seeded):
    assert "No published pledge matches these filters." in text(client.get("/en/", {"q": "sister pipeline"}))


@pytest.mark.parametrize(
    ("language", "country"), [("en", "Kazakhstan"), ("ru", "Казахстан"), ("zh-hans", "哈萨克斯坦")]
)
def test_a_country_search_finds_the_pledges_made_to_it_in_each_language(client, seeded, language, country):
    made_to_kazakhstan = Pledge.objects.filter(is_published=True, beneficiaries__country__code="KZ").count()

    response = client.get(f"/{language}/", {"q": country})

    assert made_to_kazakhstan >= 15 and len(listed(response)) == min(made_to_kazakhstan, 50)


def test_a_search_reads_the_updates_and_rulings_too(client, seeded):
    # "visa" is in no pledge's own words, only in what the fast-tracks pledge's updates report.
    assert not Pledge.objects.filter(
        Q(title__icontains="visa") | Q(quote__icontains="visa") | Q(summary__icontains="visa")
    )

    assert listed(client.get("/en/", {"q": "visa"})) == ["fast-tracks-for-people"]
    assert listed(client.get("/en/", {"q": "visa Kazakhstan"})) == ["fast-tracks-for-people"]  # every word, in its text
    assert listed(client.get("/en/", {"q": "no-such-word-anywhere"})) == []
