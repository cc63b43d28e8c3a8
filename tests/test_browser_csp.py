"""The Content Security Policy in a real browser: every page works under it, nothing is refused,
and an editor's markup stays text."""

import pytest

from pledges.models import Pledge
from tests.test_browser_admin import expect, log_in, pick_autocomplete

pytestmark = pytest.mark.django_db(transaction=True)


def watch_policy(page):
    """Collect what the browser refused under the policy (it reports each refusal on the console)."""
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    return refused


def test_public_pages_work_under_the_policy_and_an_editors_markup_stays_text(live_server, new_page, seeded):
    Pledge.objects.filter(slug="trade-70-billion-by-2030").update(title='Trade <img src=x onerror="document.title=1">')
    page = new_page()
    refused = watch_policy(page)

    for path in ("/en/", "/en/pledges/trade-70-billion-by-2030/", "/en/about/", "/ru/"):
        page.goto(f"{live_server.url}{path}")
        # The stylesheet loaded: a verdict badge has its colour.
        assert page.locator(".verdict").first.evaluate("e => getComputedStyle(e).borderRadius") != "0px"

    page.goto(f"{live_server.url}/en/pledges/trade-70-billion-by-2030/")
    expect()(page.locator("h1")).to_have_text('Trade <img src=x onerror="document.title=1">')
    assert page.title() != "1"
    assert refused == []


def test_the_admin_works_under_the_policy(live_server, new_page, my_pledge_due_soon, roles):
    page = new_page()
    refused = watch_policy(page)
    log_in(page, live_server, "ed")

    page.goto(f"{live_server.url}/admin/pledges/pledge/{my_pledge_due_soon.pk}/change/")
    pick_autocomplete(page, "id_parties", "Xi")  # select2's script and styles run
    page.goto(f"{live_server.url}/admin/pledges/topic/add/")
    page.locator("#id_name_en").press_sequentially("Culture and tourism")
    expect()(page.locator("#id_slug")).to_have_value("culture-and-tourism")  # the prepopulating script runs
    page.goto(f"{live_server.url}/admin/pledges/pledge/")

    assert refused == []
