"""The first public page: published pledges with verdict, deadline and progress."""

import pytest

from pledges.models import Pledge, ProgressUpdate

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_published_pledges_with_their_progress(client, seeded):
    page = client.get("/").content.decode()

    assert "Raise China–Central Asia trade to $70 billion by 2030" in page
    assert "$106.3 billion of $70 billion (282.4%)" in page
    assert "Kept" in page and "Overdue" in page


def test_drafts_never_reach_the_public(client, seeded):
    Pledge.objects.filter(slug="oil-gas-pipelines").update(is_published=False)
    ProgressUpdate.objects.filter(key="trade-2025").update(is_published=False)

    home = client.get("/").content.decode()

    assert "Keep the oil and gas pipelines running steadily" not in home
    assert "$106.3 billion" not in home and "$94.8 billion of $70 billion" in home
    assert client.get("/pledges/oil-gas-pipelines/").status_code == 404
    detail = client.get("/pledges/trade-70-billion-by-2030/").content.decode()
    assert "Trade in 2025 rose 12%" not in detail and "Trade in 2024 was reported" in detail


def test_the_pledge_page_shows_the_quote_source_and_timeline(client, seeded):
    page = client.get("/pledges/sister-cities-100-pairs/").content.decode()

    assert "bring the number of sister cities with the five countries to 100 pairs" in page
    assert "25 Jan 2027 – 25 Jan 2032" in page
    assert "https://news.cgtn.com/" in page


def test_the_home_page_takes_the_same_queries_however_many_pledges(client, seeded, django_assert_num_queries):
    with django_assert_num_queries(4):
        client.get("/")


def test_dated_deadlines_come_first_nearest_first(client, seeded):
    titles = [p.slug for p in client.get("/").context["pledges"]]

    assert titles[:4] == ["training-5000-places", "livelihood-assistance-500-million", "trade-70-billion-by-2030",
                          "sister-cities-100-pairs"]
