"""Events are places readers go: a page for each summit, meeting or speech, with its pledges."""

import feedparser
import pytest
from icalendar import Calendar

from pledges.files.imports import import_pledges
from pledges.models import Event, Pledge, event_slug
from tests.factories import pledge_csv

pytestmark = pytest.mark.django_db
SUMMIT = "/en/events/virtual-summit-on-30-years-of-china-central-asia-diplomatic-relations/"
SUMMIT_NAME = "Virtual summit on 30 years of China–Central Asia diplomatic relations"


@pytest.fixture
def second_event(seeded):
    """Another summit, in Xi'an, with one published pledge and one draft."""
    import_pledges(
        pledge_csv(
            {"slug": "xian-one", "title": "Open a Xi'an centre", "event": "China–Central Asia Summit 2023"},
            {
                "slug": "xian-draft",
                "title": "A draft from Xi'an",
                "event": "China–Central Asia Summit 2023",
                "published": "no",
            },
        )
    )
    event = Event.objects.get(name="China–Central Asia Summit 2023")
    Event.objects.filter(pk=event.pk).update(place="Xi'an", held_on="2023-05-19")
    event.refresh_from_db()
    return event


def test_an_event_page_shows_when_and_where_its_pledges_and_their_verdicts(client, second_event):
    page = client.get(second_event.get_absolute_url()).content.decode()

    assert "<h1>China–Central Asia Summit 2023</h1>" in page and "19 May 2023 · Xi&#x27;an" in page
    assert "Open a Xi&#x27;an centre" in page and "A draft from Xi&#x27;an" not in page
    assert "1 pledge made here" in page
    assert f'href="/en/?event={second_event.slug}&amp;verdict=not_rated"' in page


def test_the_seed_summit_has_its_page_linked_from_each_of_its_pledges(client, seeded):
    summit = client.get(SUMMIT).content.decode()
    pledge = client.get("/en/pledges/trade-70-billion-by-2030/").content.decode()

    made_there = Pledge.objects.filter(is_published=True, event__name=SUMMIT_NAME).count()
    assert made_there > 10 and f"{made_there} pledges made here" in summit
    assert f'<a href="{SUMMIT}">{SUMMIT_NAME}</a>' in pledge


def test_an_event_with_only_drafts_is_not_public(client, seeded):
    import_pledges(pledge_csv({"slug": "secret", "event": "A closed meeting", "published": "no"}))
    slug = Event.objects.get(name="A closed meeting").slug

    assert client.get(f"/en/events/{slug}/").status_code == 404
    assert client.get(f"/feed/?event={slug}").status_code == 404
    assert client.get(f"/deadlines.ics?event={slug}").status_code == 404
    assert "A closed meeting" not in client.get("/en/").content.decode()


def test_the_overview_filters_by_event_and_search_finds_events_by_name_and_place(client, second_event):
    by_event = client.get(f"/en/?event={second_event.slug}").content.decode()
    by_place = client.get("/en/?q=xi'an").content.decode()
    by_name = client.get("/en/?q=summit 2023").content.decode()

    for page in (by_event, by_place, by_name):
        assert "Open a Xi&#x27;an centre" in page and "Raise trade" not in page
    overview = client.get("/en/").content.decode()
    assert f'<option value="{second_event.slug}">China–Central Asia Summit 2023</option>' in overview


def test_the_feed_and_the_calendar_narrow_to_one_event(client, second_event):
    from pledges.files.imports import import_updates
    from tests.factories import update_csv

    import_updates(
        update_csv(
            {
                "pledge": "xian-one",
                "key": "opened",
                "measurement_value": "",
                "new_verdict": "",
                "occurred_on": "2024-01-10",
            }
        )
    )

    feed = feedparser.parse(client.get(f"/feed/?event={second_event.slug}").content)
    calendar = Calendar.from_ical(client.get(f"/deadlines.ics?event={second_event.slug}").getvalue())
    everything = feedparser.parse(client.get("/feed/").content)

    assert [entry.title for entry in feed.entries] == ["Open a Xi'an centre: 10 January 2024"]
    assert feed.feed.title == "Pledge tracker: progress updates on the pledges of China–Central Asia Summit 2023"
    assert [str(event["summary"]) for event in calendar.walk("VEVENT")] == ["Deadline: Open a Xi'an centre"]
    assert len(everything.entries) > 1


def test_new_events_from_a_file_get_addresses_of_their_own(reference_data):
    import_pledges(
        pledge_csv(
            {"slug": "a", "event": "A summit"}, {"slug": "b", "event": "A summit!"}, {"slug": "c", "event": "峰会"}
        )
    )

    assert dict(Event.objects.values_list("name", "slug")) == {
        "A summit": "a-summit",
        "A summit!": "a-summit-2",
        "峰会": "event",
    }


def test_an_event_typed_in_the_admin_without_a_slug_gets_one(db):
    Event.objects.create(name="Summit of the Future")
    Event.objects.create(name="Summit of the future")

    assert sorted(Event.objects.values_list("slug", flat=True)) == ["summit-of-the-future", "summit-of-the-future-2"]
    assert (
        event_slug("Summit of the Future", {"summit-of-the-future", "summit-of-the-future-2"})
        == "summit-of-the-future-3"
    )


def test_an_event_with_many_pledges_is_shown_a_page_at_a_time(client, seeded):
    # An event page listed all of its pledges at once: 30,000 made a 15 MB page in 28 s.
    rows = [{"slug": f"paged-{n:03}", "title": f"Paged pledge {n:03}", "event": "A crowded summit"} for n in range(55)]
    import_pledges(pledge_csv(*rows))
    url = f"/en/events/{Event.objects.get(name='A crowded summit').slug}/"
    first = client.get(url).content.decode()
    assert first.count('<article class="pledge">') == 50 and "55 pledges made here" in first
    assert "Pledges 1–50" in first and 'rel="next" href="?page=2"' in first
    second = client.get(url + "?page=2").content.decode()
    assert second.count('<article class="pledge">') == 5 and "Pledges 51–55" in second and 'rel="prev"' in second
    assert client.get(url + "?page=3").status_code == 404


# Addresses that read as the name does, and details that come from a file


def test_an_events_address_splits_its_words_at_dashes_and_an_old_address_redirects(client, seeded):
    event = Event.objects.get(name=SUMMIT_NAME)
    assert event.get_absolute_url() == SUMMIT

    event.slug = "summit-2022"
    event.save()

    for old in (SUMMIT, "/ru" + SUMMIT[3:]):
        moved = client.get(old + "?page=1")
        assert moved.status_code == 301
        assert moved["Location"] == old[:4] + "events/summit-2022/?page=1"
    assert client.get("/en/events/no-such-summit/").status_code == 404


def test_a_file_gives_an_events_date_place_and_description_and_rows_may_not_disagree(client, reference_data):
    row = {"event": "China–Central Asia Summit", "event_held_on": "2023-05-19", "event_place": "Xi'an"}
    import_pledges(pledge_csv({**row, "event_description": "The first summit held in person."}))

    event = Event.objects.get()
    assert (event.slug, str(event.held_on), event.place) == ("china-central-asia-summit", "2023-05-19", "Xi'an")
    page = client.get(event.get_absolute_url()).content.decode()
    assert "19 May 2023 · Xi&#x27;an" in page and "<p>The first summit held in person.</p>" in page

    # A later file moves the place; an empty cell keeps what is stored.
    import_pledges(pledge_csv({"event": row["event"], "event_place": "Xi'an, Shaanxi", "event_description": ""}))
    event.refresh_from_db()
    assert event.place == "Xi'an, Shaanxi" and event.description == "The first summit held in person."

    from tests.test_import import rejected

    errors = rejected(
        lambda: import_pledges(pledge_csv({**row, "slug": "a"}, {**row, "slug": "b", "event_place": "Astana"}))
    )
    assert errors == [(3, "event_place", "row 2 gives 'China–Central Asia Summit' another place: Xi'an")]


def test_a_pledge_added_in_the_admin_without_a_slug_gets_one_split_at_dashes(client, seeded, editor):
    from tests.factories import change_form_data

    client.force_login(editor)
    url = "/admin/pledges/pledge/add/"
    existing = Pledge.objects.get(slug="trade-70-billion-by-2030")
    data = change_form_data(
        client.get(url),
        title="Open a China–Central Asia trade centre",
        slug="",
        parties=[str(p.pk) for p in existing.parties.all()],
        beneficiaries=[],
        announced_on="2023-05",
        topic=str(existing.topic_id),
        quote="We will open a trade centre",
        summary="A trade centre.",
        source_title="Speech",
        source_publisher="Xinhua",
        source_url="https://example.org/speech",
        deadline_precision="none",
    )

    saved = client.post(url, data)

    assert saved.status_code == 302, saved.context["errors"] if saved.context else ""
    assert Pledge.objects.filter(slug="open-a-china-central-asia-trade-centre").exists()
