"""The small things a reader, an editor and a second data set met first: a 404 that leads
somewhere, a page past the end that shows the last, an event filter in the admin."""

from datetime import date

import pytest
from django.urls import reverse

from pledges.models import Event, Pledge
from tests.factories import a_pledge

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "language", "heading", "overview"),
    [
        ("/en/pledges/no-such-pledge/", "en", "Not found", "All pledges"),
        ("/ru/pledges/no-such-pledge/", "ru", "Не найдено", "Все обещания"),
        ("/zh-hans/events/no-such-event/", "zh-hans", "未找到", "全部承诺"),
        ("/pledges/no-such-pledge/feed/", "ru", "Не найдено", "Все обещания"),  # no prefix: the reader's language
    ],
)
def test_a_missing_page_is_in_the_sites_frame_and_language_and_leads_to_the_overview(
    client, seeded, url, language, heading, overview
):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()

    assert response.status_code == 404
    assert f'<html lang="{language}">' in page and f"<h1>{heading}</h1>" in page
    assert '<header class="site">' in page and "<footer>" in page  # the site's name, navigation and data
    assert f'<a href="/{language}/">{overview}</a>' in page
    # Each language link leads to the overview in that language (the missing address has none).
    for code in ("en", "ru", "zh-hans"):
        assert f'<a href="/{code}/" lang="{code}" hreflang="{code}"' in page


def test_a_page_of_the_overview_past_the_end_shows_the_last_with_the_filters_kept(client, seeded):
    topic = Pledge.objects.first().topic.slug
    last = client.get("/en/", {"topic": topic, "page": 9})

    assert last.status_code == 302 and last["Location"] == f"/en/?topic={topic}"  # one page of them: the first
    assert client.get("/en/", {"page": 9}).status_code == 302


def test_the_pledge_list_in_the_admin_filters_by_event(client, editor):
    summit = Event.objects.create(name="Summit of the five", held_on=date(2022, 1, 25))
    forum = Event.objects.create(name="Forum on trade", held_on=date(2023, 5, 19))
    Event.objects.create(name="A meeting where nothing was pledged")
    a_pledge(title="Made at the summit", event=summit)
    a_pledge(title="Made at the forum", event=forum)
    client.force_login(editor)
    url = reverse("admin:pledges_pledge_changelist")

    listing = client.get(url).content.decode()
    filtered = client.get(url, {"event__id__exact": summit.pk}).content.decode()

    assert "By event" in listing and "Summit of the five" in listing and "Forum on trade" in listing
    assert "A meeting where nothing was pledged" not in listing  # only events pledges were made at
    assert "Made at the summit" in filtered and "Made at the forum" not in filtered
