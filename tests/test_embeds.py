"""A pledge as a card other sites may frame: verdict, progress and a link back, no cookies, and
the only page that may be framed; the pledge page offers the code to copy."""

import html
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings

from pledges.models import Pledge
from tests.test_browser_public import expect

EMBED = "/{}/embed/pledges/trade-70-billion-by-2030/"


@pytest.mark.django_db
def test_the_card_may_be_framed_by_any_site_and_sets_no_cookie(client, seeded):
    response = client.get(EMBED.format("en"))
    assert response.status_code == 200
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response and not response.cookies
    page = response.content.decode()
    assert len(response.content) < 3000  # light enough for a news page: no script, one stylesheet
    assert "<script" not in page
    assert '<span class="verdict verdict-kept">Kept</span>' in page
    assert "152% of the target" in page and '<svg class="bar"' in page
    assert 'href="/en/pledges/trade-70-billion-by-2030/" target="_blank" rel="noopener"' in page
    assert '<span class="verdict verdict-kept">Выполнено</span>' in client.get(EMBED.format("ru")).content.decode()

    # Every other page still refuses to be framed.
    pledge_page = client.get("/en/pledges/trade-70-billion-by-2030/")
    assert (
        "frame-ancestors 'none'" in pledge_page["Content-Security-Policy"] and pledge_page["X-Frame-Options"] == "DENY"
    )
    # It offers the card's code to copy, with the card's full address.
    snippet = html.unescape(pledge_page.content.decode().split('<textarea id="embed-code" readonly rows="3">')[1])
    card = f"{settings.PLEDGES_SITE_URL}/en/embed/pledges/trade-70-billion-by-2030/"
    assert snippet.startswith(f'<iframe src="{card}" width="400" height="220" title="Raise China–Central Asia trade')


@pytest.mark.django_db
def test_a_draft_has_no_card(client, seeded):
    Pledge.objects.filter(slug="trade-70-billion-by-2030").update(is_published=False)
    assert client.get(EMBED.format("en")).status_code == 404


@contextmanager
def another_site(body):
    """A page served from another local port: another origin, as a news site is."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db(transaction=True)
def test_a_news_page_frames_the_card_and_not_the_pledge_page(live_server, new_page, screenshot, seeded):
    card = f"{live_server.url}{EMBED.format('zh-hans')}"
    pledge = f"{live_server.url}/en/pledges/trade-70-billion-by-2030/"
    article = (
        "<!DOCTYPE html><html lang='en'><head><title>A news story</title></head><body><h1>A news story</h1>"
        f"<iframe id='card' src='{card}' width='400' height='220' title='A pledge'></iframe>"
        f"<iframe id='page' src='{pledge}' width='400' height='220' title='A page'></iframe></body></html>"
    )
    with another_site(article) as address:
        page = new_page(width=1280, height=800)
        page.goto(address)
        framed = page.frame_locator("#card")
        expect()(framed.locator("h1")).to_have_text("到2030年将中国同中亚贸易额提升至700亿美元")
        expect()(framed.locator(".verdict")).to_have_text("已兑现")
        page.wait_for_load_state("load")
        refused = page.query_selector("#page").content_frame()
        assert refused.url.startswith("chrome-error:")  # Chromium puts its error page in the frame instead
        assert refused.get_by_text("Raise China–Central Asia trade").count() == 0
        screenshot(page, "embed-on-another-site")
