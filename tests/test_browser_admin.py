"""The editors' admin in a real browser: the day's work, imports and exports, roles, conflicts."""

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from pledges.models import Pledge, Verdict
from tests.factories import pledge_csv

# A live server shares the database with the test, so each test commits.
pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-for-tests"


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def log_in(page, live_server, username):
    log_in_as(page, live_server, username)
    expect()(page.locator("#user-tools")).to_contain_text("Welcome")


def log_in_as(page, live_server, username):
    """Log in, whatever language the admin then speaks."""
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect()(page.locator("#user-tools")).to_be_visible()


def pick_autocomplete(page, select_id, text):
    """Choose an option in one of the admin's autocomplete (select2) boxes, as a person does."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-search__field").last.fill(text)
    page.locator(".select2-results__option--highlighted", has_text=text).click()


def test_an_editor_records_progress_changes_the_verdict_and_reverts_it(
    live_server, new_page, screenshot, my_pledge_due_soon
):
    pledge = my_pledge_due_soon
    verdict_before = pledge.verdict
    version_before = pledge.history.first()
    row = pledge.updates.filter(is_published=False).count()  # the empty row comes after the drafts
    page = new_page()
    log_in(page, live_server, "ed")

    page.goto(f"{live_server.url}/admin/pledges/pledge/")
    page.get_by_role("link", name="Mine", exact=True).click()
    page.get_by_role("link", name="Due soon", exact=True).click()
    expect()(page).to_have_url(re.compile(r"deadline=due_soon"))
    expect()(page.locator("#result_list tbody tr")).to_have_count(1)
    expect()(page.locator("#result_list")).to_contain_text("Due soon")
    screenshot(page, "admin-pledge-list")

    page.get_by_role("link", name=pledge.title).click()
    page.fill(f"#id_updates-{row}-occurred_on", date.today().isoformat())
    page.fill(f"#id_updates-{row}-summary", "The ministry reports 5,200 places filled.")
    page.check(f"#id_updates-{row}-is_published")
    page.fill(f"#id_updates-{row}-measurement_value", "5200")
    pick_autocomplete(page, f"id_updates-{row}-measurement_country", "Kazakhstan")
    page.fill(f"#id_updates-{row}-source_url", "https://example.org/training-report")
    page.fill(f"#id_updates-{row}-source_title", "Training report 2026")
    page.fill(f"#id_updates-{row}-source_publisher", "Ministry of Education")
    # The verdict is the update row's to give: the pledge's own is shown, read-only.
    expect()(page.locator("#id_verdict")).to_have_count(0)
    page.select_option(f"#id_updates-{row}-new_verdict", "kept")
    page.click("input[name=_save]")
    # A new verdict without its ruling is refused, saying so; the page keeps what was typed.
    expect()(page.locator(".errorlist")).to_contain_text("A new verdict comes with its ruling")
    page.fill(f"#id_updates-{row}-ruling", "Kept: 5,200 places filled, more than the 5,000 pledged.")
    expect()(page.locator(f"#id_updates-{row}-new_verdict")).to_have_value("kept")
    screenshot(page, "admin-pledge-change")
    page.click("input[name=_save]")

    expect()(page.locator(".messagelist")).to_contain_text("was changed successfully")
    pledge.refresh_from_db()
    assert pledge.verdict == Verdict.KEPT
    # The reader meets the new verdict with its ruling on the pledge page and in the changes log.
    page.goto(f"{live_server.url}{pledge.get_absolute_url()}")
    expect()(page.locator(".ruling")).to_contain_text("Kept: 5,200 places filled")
    expect()(page.locator(".rating-history li").last).to_contain_text("Kept: 5,200 places filled")
    for language, words in (
        ("en", "Verdict changed from “Not yet rated” to “Kept”"),
        ("ru", "Оценка изменена с «Ещё не оценено» на «Выполнено»"),
        ("zh-hans", "评定由“尚未评级”改为“已兑现”"),
    ):
        page.goto(f"{live_server.url}/{language}/changes/")
        expect()(page.locator(".change").first).to_contain_text(words)
        expect()(page.locator(".change").first).to_contain_text("Kept: 5,200 places filled")
    screenshot(page, "changes-log")
    page.goto(f"{live_server.url}/admin/pledges/pledge/{pledge.pk}/change/")
    update = pledge.updates.get(summary="The ministry reports 5,200 places filled.")
    assert update.measurement_country.code == "KZ" and update.sources.get().title == "Training report 2026"

    page.goto(f"{live_server.url}/admin/pledges/pledge/{pledge.pk}/history/")
    verdict_change = page.locator("#change-history li", has_text="Verdict:").first
    expect()(verdict_change).to_contain_text(str(Verdict(verdict_before).label))
    expect()(verdict_change).to_contain_text("Kept")
    screenshot(page, "admin-pledge-history")
    page.locator(f"a[href$='/history/{version_before.history_id}/']").click()
    page.click("input[name=_save]")

    expect()(page.locator(".messagelist")).to_contain_text("was changed successfully")
    pledge.refresh_from_db()
    assert pledge.verdict == verdict_before
    update.refresh_from_db()
    assert not update.is_published
    assert pledge.history.first().history_user.username == "ed"


def test_an_editor_imports_through_preview_and_confirm_then_exports(live_server, new_page, seeded, editor, tmp_path):
    csv_file = tmp_path / "new-pledges.csv"
    csv_file.write_bytes(pledge_csv({"slug": "ten-bridges", "title": "Build 10 bridges"}))
    page = new_page()
    log_in(page, live_server, "ed")

    page.goto(f"{live_server.url}/admin/pledges/pledge/")
    page.get_by_role("link", name="Import", exact=True).click()
    page.set_input_files("input[type=file]", str(csv_file))
    # The library's page picks the format from the file's name.
    expect()(page.locator("#id_format option:checked")).to_have_text("csv")
    page.click("input[type=submit]")
    expect()(page.locator("#content")).to_contain_text("1 new, 0 updated")
    expect()(page.locator("#import-preview")).to_contain_text("Build 10 bridges")
    assert not Pledge.objects.filter(slug="ten-bridges").exists()
    page.click("input[name=confirm]")
    expect()(page.locator(".messagelist")).to_contain_text("1 new, 0 updated")
    assert Pledge.objects.get(slug="ten-bridges").history.get().history_user == editor

    page.get_by_role("link", name="Export", exact=True).click()
    page.select_option("#id_format", label="csv")
    with page.expect_download() as download:
        page.click("input[type=submit]")
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("slug,title,title_ru,title_zh_hans,parties")
    assert len(lines) == Pledge.objects.count() + 1
    assert any(line.startswith("ten-bridges,") for line in lines)


def test_export_selected_downloads_only_the_ticked_pledges(live_server, new_page, seeded, editor):
    chosen = Pledge.objects.get(slug="sister-cities-100-pairs")
    page = new_page()
    log_in(page, live_server, "ed")
    page.goto(f"{live_server.url}/admin/pledges/pledge/")
    page.locator(f"input[name=_selected_action][value='{chosen.pk}']").check()
    page.select_option("select[name=action]", "export_admin_action")
    page.click("button[name=index]")
    expect()(page.locator("#content")).to_contain_text("Export 1 selected item")
    page.select_option("#id_format", label="json")
    with page.expect_download() as download:
        page.click("input[type=submit]")

    import json

    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [row["slug"] for row in exported] == ["sister-cities-100-pairs"]


def test_adding_a_progress_update_starts_near_the_top_of_the_pledge_page(
    live_server, new_page, screenshot, my_pledge_due_soon
):
    pledge = my_pledge_due_soon
    row = pledge.updates.filter(is_published=False).count()  # the blank row: after the drafts
    page = new_page(width=1280, height=900)
    log_in(page, live_server, "ed")
    page.goto(f"{live_server.url}/admin/pledges/pledge/{pledge.pk}/change/")

    link = page.get_by_role("link", name="Add a progress update")
    assert link.bounding_box()["y"] < 400  # at the top, before the pledge's own fields
    link.click()
    blank = page.locator(f"#id_updates-{row}-summary")
    expect()(blank).to_be_in_viewport()
    # The blank row comes before the stored updates, and is published unless the editor unticks it.
    first_row = page.locator("#updates-group .inline-related").first
    assert first_row.get_attribute("id") == f"updates-{row}"
    expect()(page.locator(f"#id_updates-{row}-is_published")).to_be_checked()
    assert "endcomment" not in page.content() and "New updates first" not in page.inner_text("body")
    screenshot(page, "admin-add-update-1280")


def test_the_admin_lists_fit_1280_pixels_without_losing_a_column(live_server, new_page, screenshot, my_pledge_due_soon):
    from pledges.models import Reminder

    Reminder.objects.create(
        pledge=my_pledge_due_soon,
        recipient=get_user_model().objects.get(username="ed"),
        kind="deadline_near",
        due_on=date(2026, 11, 1),
        status="failed",
        attempts=3,
        last_error="SMTPRecipientsRefused: " + "the server refused the recipient; " * 12,
        # The longest a time is written: "Sept. 30, 2026, 10:55 p.m." once pushed the log past 1280.
        claimed_at=timezone.make_aware(datetime(2026, 9, 30, 22, 55)),
    )
    page = new_page(width=1280, height=900)
    log_in(page, live_server, "ed")
    for path, last_column in (("/admin/pledges/pledge/", "Published"), ("/admin/pledges/reminder/", "Last error")):
        page.goto(f"{live_server.url}{path}")
        fits = page.evaluate(
            "() => { const t = document.querySelector('#result_list');"
            " return t.getBoundingClientRect().right <= window.innerWidth; }"
        )
        assert fits, path
        header = page.locator("#result_list thead th").last
        expect()(header).to_contain_text(last_column, ignore_case=True)
        assert header.bounding_box()["x"] + header.bounding_box()["width"] <= 1280
    expect()(page.locator("#result_list tbody tr").first).to_contain_text("3")  # attempts, counted
    screenshot(page, "admin-reminder-log-1280")


def test_a_measurement_shows_its_unit_and_scale_as_it_is_typed_and_a_slip_asks_first(
    live_server, new_page, screenshot, seeded, editor
):
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    row = pledge.updates.filter(is_published=False).count()  # after the drafts (published ones are read only)
    page = new_page(width=1280, height=900)
    log_in(page, live_server, "ed")
    page.goto(f"{live_server.url}/admin/pledges/pledge/{pledge.pk}/change/")
    value = page.locator(f"#id_updates-{row}-measurement_value")
    preview = page.locator(f"output[for=id_updates-{row}-measurement_value]")
    confirm = page.locator(f"#updates-{row} .field-confirm_jump")
    expect()(confirm).to_be_hidden()  # asked only when needed

    value.fill("106.5bn")
    expect()(preview).to_have_text("$106,500,000,000 = $106.5 billion")
    value.fill("106500000000")
    expect()(preview).to_have_text("$106,500,000,000 = $106.5 billion")
    value.fill("106.5")
    expect()(preview).to_contain_text("$106.5. Less than a tenth of the last value, $106.3 billion")
    expect()(confirm).to_be_visible()
    screenshot(page, "admin-measurement-preview-1280")
    value.fill("lots")
    expect()(preview).to_contain_text("Enter an amount")

    # Saved unconfirmed, the server refuses it and the box stays in view, with the preview.
    page.fill(f"#id_updates-{row}-occurred_on", "2026-11-20")
    page.fill(f"#id_updates-{row}-summary", "Trade so far this year.")
    value.fill("106.5")
    # Trade is a yearly flow: the figure says which part of the year it covers.
    page.select_option(f"#id_updates-{row}-measured_precision", "range")
    page.fill(f"#id_updates-{row}-measured_start", "2026-01-01")
    page.fill(f"#id_updates-{row}-measured_end", "2026-10-31")
    page.fill(f"#id_updates-{row}-source_url", "https://example.org/customs")
    page.fill(f"#id_updates-{row}-source_title", "Customs")
    page.fill(f"#id_updates-{row}-source_publisher", "Customs office")
    page.locator("input[name=_continue]").click()
    expect()(page.locator(".error-summary")).to_contain_text("less than a tenth of the last value")
    expect()(confirm).to_be_visible()
    page.check(f"#id_updates-{row}-confirm_jump")
    page.locator("input[name=_continue]").click()
    expect()(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert pledge.updates.filter(measurement_value=106.5).exists()


@pytest.mark.parametrize(
    "language, heading",
    [
        ("en", "Add a progress update"),
        ("ru", "Добавить новость о выполнении"),
        ("zh-hans", "添加进展更新"),
    ],
)
def test_the_admins_pledge_page_in_each_language_at_1280_and_375(
    live_server, new_page, screenshot, seeded, editor, language, heading
):
    from pledges.models import EditorSettings

    EditorSettings.objects.create(user=editor, language=language)  # the editor's own choice
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    for width in (1280, 375):
        page = new_page(width=width, height=900)
        log_in_as(page, live_server, "ed")
        page.goto(f"{live_server.url}/admin/pledges/pledge/{pledge.pk}/change/")
        assert page.get_attribute("html", "lang") == language
        expect()(page.get_by_role("link", name=heading)).to_be_visible()
        # The measurement preview speaks the page's language too.
        page.fill("#id_updates-0-measurement_value", "106.5bn")
        expect()(page.locator("output[for=id_updates-0-measurement_value]")).not_to_be_empty()
        if width == 1280:  # each text beside its translations, the targets stacked: nothing spills over
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280
            expect()(page.locator("#id_title_ru")).to_be_visible()
        screenshot(page, f"admin-pledge-{language}-{width}")
