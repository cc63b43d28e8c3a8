"""The periodic link check: every source's address asked with bounded time and redirects, what it
found recorded (broken since when), never a private address outside tests; editors list the
broken ones, readers see an archived copy where there is one."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.urls import reverse

from pledges.links import link_check, sweep
from pledges.models import Source
from tests.live import free_port

pytestmark = pytest.mark.django_db


class Pages(BaseHTTPRequestHandler):
    asked: list = []

    def do_HEAD(self):
        Pages.asked.append(self.path)
        if self.path == "/ok":
            self.send_response(200)
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path == "/slow":
            time.sleep(3)
            self.send_response(200)
        elif self.path == "/no-head":
            self.send_response(405)
        else:
            self.send_response(404)
        self.end_headers()

    def do_GET(self):
        if self.path == "/no-head":
            Pages.asked.append("GET " + self.path)
            self.send_response(200)
            self.end_headers()
            return
        self.do_HEAD()

    def log_message(self, *args):
        pass


@pytest.fixture
def site(settings):
    """A web server of the test's own on 127.0.0.1, which the checker may ask in tests only."""
    settings.PLEDGES_LINK_CHECK_ALLOW_PRIVATE = True
    settings.PLEDGES_LINK_CHECK_TIMEOUT_SECONDS = 1
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Pages.asked = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_what_each_address_answers(site):
    assert link_check(f"{site}/ok").status == 200 and not link_check(f"{site}/ok").broken
    assert link_check(f"{site}/moved").status == 200  # redirects followed
    assert link_check(f"{site}/gone").status == 404 and link_check(f"{site}/gone").broken
    assert link_check(f"{site}/loop").error == "redirect loop"
    assert link_check(f"{site}/slow").error == "no answer within 1 s"
    assert link_check(f"{site}/no-head").status == 200 and "GET /no-head" in Pages.asked


def test_a_private_or_loopback_address_is_never_asked_outside_tests(site, settings):
    settings.PLEDGES_LINK_CHECK_ALLOW_PRIVATE = False
    for url in (f"{site}/ok", "http://10.0.0.1/x", "http://169.254.169.254/latest/meta-data", "http://[::1]/x"):
        found = link_check(url)
        assert found.broken and "is a private or local address" in found.error, url
    assert Pages.asked == []


def test_the_sweep_records_what_it_found_and_since_when_a_link_is_broken(site, seeded, client, editor):
    Source.objects.update(url=f"{site}/ok")
    gone = Source.objects.order_by("pk").first()
    Source.objects.filter(pk=gone.pk).update(url=f"{site}/gone")

    checked, broken = sweep(limit=1000)
    assert (checked, broken) == (Source.objects.count(), 1)
    gone.refresh_from_db()
    assert (gone.link_status, gone.broken_since is not None) == (404, True)
    first_broken = gone.broken_since
    assert sweep(limit=1000) == (0, 0)  # checked again only after PLEDGES_LINK_CHECK_DAYS

    Source.objects.update(link_checked_at=None)
    call_command("check_links", limit=1000)
    gone.refresh_from_db()
    assert gone.broken_since == first_broken  # still broken since the first time

    client.force_login(editor)
    listing = client.get(reverse("admin:pledges_source_changelist") + "?link=broken").content.decode()
    assert gone.title.replace("'", "&#x27;") in listing and "broken since" in listing
    assert listing.count('class="field-title"') == 1


def test_readers_see_an_archived_copy_beside_a_source(seeded, client):
    source = Source.objects.filter(update__pledge__slug="trade-70-billion-by-2030").first()
    source.archived_url = "https://web.archive.org/web/2025/https://example.org/a"
    source.save()  # as the update's page saves it: the public version moves
    page = client.get("/en/pledges/trade-70-billion-by-2030/").content.decode()
    assert '(<a href="https://web.archive.org/web/2025/https://example.org/a">archived copy</a>)' in page
    assert "архивная копия" in client.get("/ru/pledges/trade-70-billion-by-2030/").content.decode()


def test_beat_checks_links_periodically(settings):
    assert settings.CELERY_BEAT_SCHEDULE["check-links"]["task"] == "pledges.check_links"
