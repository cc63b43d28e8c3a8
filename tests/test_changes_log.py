"""The public log of changes: verdict changes with their rulings, newly published pledges and
withdrawn updates, newest first, in three languages, with its own feed; read from the audit trail."""

import html

import feedparser
import pytest

from pledges.files.imports import import_pledges, import_updates
from pledges.models import Pledge, ProgressUpdate
from tests.factories import pledge_csv, update_csv

pytestmark = pytest.mark.django_db

RULING = "Kept. The dialogue mechanism met in Xi'an in 2026, its minutes published."


@pytest.fixture
def verdict_changed(seeded):
    import_updates(
        update_csv(
            {
                "pledge": "ai-big-data-cloud",
                "key": "met-2026",
                "occurred_on": "2026-12-02",  # the day of the seeds' recheck, written after it
                "new_verdict": "kept",
                "ruling": RULING,
                "measurement_value": "",
            }
        )
    )
    return Pledge.objects.get(slug="ai-big-data-cloud")


def entries(page):
    return page.split('<ol class="changes">', 1)[1].split("</ol>", 1)[0].split('<li class="change ')[1:]


def test_a_verdict_change_heads_the_log_with_its_ruling(client, verdict_changed):
    newest = entries(client.get("/en/changes/").content.decode())[0]
    assert verdict_changed.title in newest
    assert "Verdict changed from “In progress” to “Kept”" in newest
    assert "met in Xi&#x27;an in 2026" in newest
    assert f'href="{verdict_changed.get_absolute_url()}"' in newest


@pytest.mark.parametrize(
    "language, words",
    [("ru", "Оценка изменена с «Выполняется» на «Выполнено»"), ("zh-hans", "评定由“进行中”改为“已兑现”")],
)
def test_the_log_reads_in_each_language(client, verdict_changed, language, words):
    page = client.get(f"/{language}/changes/").content.decode()
    assert words in entries(page)[0]


def test_every_seed_pledge_appears_once_as_published_and_drafts_never(client, seeded):
    import_pledges(pledge_csv({"slug": "a-draft", "title": "A draft pledge", "published": "no"}))
    page = client.get("/en/changes/").content.decode()
    published = [entry for entry in entries(page) if entry.startswith("change-published")]
    assert len(published) == Pledge.objects.filter(is_published=True).count() == 16
    assert "A draft pledge" not in page


def test_a_withdrawn_update_is_logged(client, verdict_changed):
    update = ProgressUpdate.objects.get(key="met-2026")
    update.is_published = False
    update.save()
    newest = entries(client.get("/en/changes/").content.decode())[0]
    assert newest.startswith("change-withdrawn") and "Update withdrawn" in newest


def test_the_log_narrows_to_a_country_and_an_event(client, verdict_changed):
    import_pledges(pledge_csv({"slug": "elsewhere", "title": "A pledge to Mongolia", "beneficiaries": "MN"}))
    everything = client.get("/en/changes/").content.decode()
    assert "A pledge to Mongolia" in everything
    to_kazakhstan = client.get("/en/changes/?country=kz").content.decode()
    assert "A pledge to Mongolia" not in to_kazakhstan and "Verdict changed" in to_kazakhstan
    at_summit = client.get(f"/en/changes/?event={verdict_changed.event.slug}").content.decode()
    assert "A pledge to Mongolia" not in at_summit and "Verdict changed" in at_summit


def test_the_log_has_its_own_feed(client, verdict_changed):
    feed = feedparser.parse(client.get("/feed/changes/?lang=en").content)
    assert feed.bozo == 0
    first = feed.entries[0]
    assert first.title.endswith("Verdict changed from “In progress” to “Kept”")
    assert "met in Xi'an in 2026" in html.unescape(first.summary)
    assert first.link.endswith(verdict_changed.get_absolute_url())
    russian = feedparser.parse(client.get("/feed/changes/?lang=ru").content)
    assert russian.entries[0].title.endswith("Оценка изменена с «Выполняется» на «Выполнено»")


def test_a_page_past_the_logs_reach_is_not_read(client, seeded):
    # A deep page is cut from the newest page x 50 rows of each history table: ?page=100000 read
    # five million. Past MAX_PAGE nothing is read at all, and the page is a 404.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pledges.public.changes import MAX_PAGE, changes

    with CaptureQueriesContext(connection) as queries:
        assert changes({}, page=MAX_PAGE + 1) == ([], False)
    assert len(queries) == 0
    assert client.get(f"/en/changes/?page={MAX_PAGE + 1}").status_code == 404
    assert client.get("/en/changes/?page=1").status_code == 200
