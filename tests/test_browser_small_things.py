"""The small things readers and editors noticed first, in a real browser at a desk's 1280 px and
a phone's 375 px: pages that fit, instructions that can be read, a missing page that leads on."""

import re

import pytest

from pledges.models import Pledge
from tests.test_browser_admin import log_in, log_in_as

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


@pytest.mark.parametrize("language", ["en", "ru", "zh-hans"])
def test_the_trade_pledges_page_in_the_admin_fits_1280_pixels(
    live_server, new_page, screenshot, seeded, editor, language
):
    from pledges.models import EditorSettings

    EditorSettings.objects.create(user=editor, language=language)
    trade = Pledge.objects.get(slug="trade-70-billion-by-2030")
    page = new_page(width=1280, height=900)
    log_in_as(page, live_server, "ed")
    page.goto(f"{live_server.url}/admin/pledges/pledge/{trade.pk}/change/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    targets = page.locator("#targets-group").bounding_box()
    assert targets["x"] + targets["width"] <= 1280
    screenshot(page, f"admin-trade-pledge-{language}-1280")


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


@pytest.mark.parametrize("width", [1280, 375])
def test_a_later_page_of_the_overview_starts_with_its_results_and_numbers_its_pages(
    live_server, new_page, screenshot, seeded, width
):
    from tests.test_browser_public import accessibility_violations, fits_the_screen
    from tests.volume import add_pledges

    add_pledges(120 - Pledge.objects.count())
    page = new_page(width=width, height=800)
    page.goto(f"{live_server.url}/en/?page=2")

    first = page.locator("article.pledge").first.bounding_box()
    assert first["y"] < 600  # in the first screen, on a phone too: no standfirst, counts or filters above
    assert page.locator("nav.pages ol li").all_inner_texts() == ["1", "2", "3"]
    assert fits_the_screen(page) and accessibility_violations(page) == []
    screenshot(page, f"overview-page-2-{width}")
    page.goto(f"{live_server.url}/en/?page=9")  # past the end: the last page
    assert page.url.endswith("/en/?page=3") and "Pledges 101–120 of 120" in page.content()
    page.goto(f"{live_server.url}/ru/pledges/no-such-pledge/")
    assert page.locator("header.site").is_visible() and fits_the_screen(page)
    screenshot(page, f"not-found-ru-{width}")


@pytest.mark.parametrize("width", [1280, 375])
def test_a_refused_save_shows_its_errors_in_the_first_screen_each_a_link_to_its_field(
    live_server, new_page, screenshot, seeded, editor, width
):
    vaccines = Pledge.objects.get(slug="vaccine-joint-production")
    page = new_page(width=width, height=900)
    log_in(page, live_server, "ed")
    page.goto(f"{live_server.url}/admin/pledges/pledge/{vaccines.pk}/change/")
    page.fill("#id_title", "")
    page.fill("#id_summary", "")
    page.locator("input[name=_save]").first.click()

    summary = page.locator(".error-summary")
    assert summary.bounding_box()["y"] < 900 and page.locator(".errornote").count() == 0
    links = summary.locator("a")
    assert links.count() == 2
    screenshot(page, f"admin-refused-save-{width}")
    links.nth(1).click()  # to the summary's field, far down the page, its label and error in view
    field = page.locator("#id_summary").bounding_box()
    assert 60 <= field["y"] < 900
    assert page.locator("#id_summary_error").bounding_box()["y"] >= 0


def test_the_reminder_log_says_when_the_next_reminders_fall_due(live_server, new_page, screenshot, seeded, editor):
    page = new_page(width=1280, height=900)
    log_in(page, live_server, "ed")
    page.goto(f"{live_server.url}/admin/pledges/reminder/")

    rows = page.locator("#upcoming-reminders tbody tr")
    assert rows.count() == 16  # each seed pledge: its next check, soonest first
    days = rows.locator("td:first-child").all_inner_texts()
    assert all(days) and page.evaluate("document.documentElement.scrollWidth") <= 1280
    screenshot(page, "admin-reminders-next-due-1280")
