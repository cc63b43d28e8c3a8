"""The small things readers and editors noticed first, in a real browser at a desk's 1280 px and
a phone's 375 px: pages that fit, instructions that can be read, a missing page that leads on."""

import re

import pytest

from pledges.models import Pledge
from tests.test_browser_admin import log_in

pytestmark = pytest.mark.django_db(transaction=True)

# The contrast ratio (WCAG 2) of an element's text against what is painted behind its first
# line: the first box under that point with a background, whichever element it belongs to.
CONTRAST = """(selector) => {
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/[\\d.]+/g).slice(0, 3).map(Number).map((c) => {
      c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const element = document.querySelector(selector);
  const box = element.getBoundingClientRect();
  const behind = document.elementsFromPoint(box.left + 4, box.top + 8)
    .map((e) => getComputedStyle(e).backgroundColor)
    .find((colour) => !colour.startsWith('rgba(0, 0, 0, 0')) || 'rgb(255, 255, 255)';
  const [a, b] = [luminance(getComputedStyle(element).color), luminance(behind)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_the_trade_pledges_page_in_the_admin_fits_1280_pixels(live_server, new_page, screenshot, seeded, editor):
    trade = Pledge.objects.get(slug="trade-70-billion-by-2030")
    page = new_page(width=1280, height=900)
    log_in(page, live_server, "ed")
    page.goto(f"{live_server.url}/admin/pledges/pledge/{trade.pk}/change/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    screenshot(page, "admin-trade-pledge-1280")


def test_the_history_pages_write_one_date_format_and_their_instructions_can_be_read(
    live_server, new_page, screenshot, seeded, editor
):
    trade = Pledge.objects.get(slug="trade-70-billion-by-2030")
    page = new_page(width=1280, height=900)
    log_in(page, live_server, "ed")
    page.goto(f"{live_server.url}/admin/pledges/pledge/{trade.pk}/history/")

    dates = page.evaluate(
        "() => [...document.querySelectorAll('#change-history tbody td:nth-child(2),"
        " #related_change_history tbody td:first-child')].map((cell) => cell.textContent.trim())"
    )
    assert len(dates) > 10 and all(
        re.fullmatch(r"[A-Z][a-z]+\.? \d{1,2}, \d{4}, \d{1,2}(:\d\d)? [ap]\.m\.", d) for d in dates
    )
    assert page.evaluate(CONTRAST, "#content-main > p") >= 4.5  # "Choose a date from the list below ..."
    screenshot(page, "admin-pledge-history-1280")
