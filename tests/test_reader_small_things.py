"""The small things a reader, an editor and a second data set met first: a 404 that leads
somewhere, a page past the end that shows the last, an event filter in the admin."""

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl.utils import get_column_letter

from pledges.models import EditorSettings, Event, Pledge, ProgressUpdate
from pledges.public import selectors
from tests.factories import a_pledge
from tests.volume import add_pledges

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

    summit.name_ru = "Саммит пяти"
    summit.save()
    EditorSettings.objects.create(user=editor, language="ru")
    russian = client.get(url).content.decode()
    assert "Саммит пяти" in russian and "Forum on trade" in russian  # an untranslated name as it is


def test_each_feed_entry_has_the_time_it_was_published_or_last_corrected_and_a_readable_date(client):
    pledge = a_pledge(is_published=True)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        first = ProgressUpdate.objects.create(
            pledge=pledge, key="first", occurred_on=date(2026, 2, 27), summary="Talks began.", is_published=True
        )
    with time_machine.travel(datetime(2026, 5, 6, 10, 0, tzinfo=UTC), tick=False):
        ProgressUpdate.objects.create(pledge=pledge, key="draft", occurred_on=date(2026, 5, 4), summary="Signed.")
    with time_machine.travel(datetime(2026, 5, 8, 11, 0, tzinfo=UTC), tick=False):
        second = ProgressUpdate.objects.get(key="draft")  # the draft, published two days later
        second.is_published = True
        second.save()
    with time_machine.travel(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), tick=False):
        first.summary, first.correction_note, first.corrected_at = (
            "Talks began in Astana.",
            "Place added.",
            timezone.now(),
        )
        first.save()
    with time_machine.travel(datetime(2026, 7, 1, 8, 0, tzinfo=UTC), tick=False):
        # A bulk write's stamp (an import that changed nothing a reader sees) is not news.
        ProgressUpdate.objects.filter(pk=second.pk).update(updated_at=timezone.now())

    for language, day in (("en", "27 February 2026"), ("ru", "27 февраля 2026 г."), ("zh-hans", "2026年2月27日")):
        feed = client.get("/feed/", {"lang": language}).content.decode()
        entries = dict(re.findall(r"<entry><title>[^<]*: ([^<(]+?)(?: \([^)]*\))?</title>.*?<updated>([^<]+)", feed))
        assert entries[day] == "2026-06-01T12:00:00+00:00"  # corrected
    en = client.get("/feed/", {"lang": "en"}).content.decode()
    entries = dict(re.findall(r"<entry><title>[^<]*: ([^<(]+?)(?: \([^)]*\))?</title>.*?<updated>([^<]+)", en))
    assert entries["4 May 2026"] == "2026-05-08T11:00:00+00:00"  # published two days after it was written
    assert "2026-02-27" not in re.findall(r"<entry><title>[^<]*</title>", en)[0]


def test_the_public_csv_and_json_give_each_pledges_page_and_it_opens(client, seeded, settings):
    csv_file = b"".join(client.get("/pledges.csv").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(csv_file)))
    data = json.loads(b"".join(client.get("/pledges.json").streaming_content))
    trade = next(row for row in rows if row["slug"] == "trade-70-billion-by-2030")

    assert trade["url"] == f"{settings.PLEDGES_SITE_URL}/pledges/trade-70-billion-by-2030/"
    assert {pledge["slug"]: pledge["url"] for pledge in data["pledges"]} == {row["slug"]: row["url"] for row in rows}
    opened = client.get(urlsplit(trade["url"]).path, HTTP_ACCEPT_LANGUAGE="ru", follow=True)
    assert opened.redirect_chain[-1][0] == "/ru/pledges/trade-70-billion-by-2030/" and opened.status_code == 200


MEASURED_WHEN = {
    # precision, start, end: the "Latest" row in English, Russian and Chinese
    ("day", None, date(2025, 7, 21)): (
        "2 centres on 21 July 2025 (reported",
        "на 21 июля 2025 г. (сообщено",
        "2025年7月21日为2",
    ),
    ("range", date(2023, 1, 1), date(2023, 12, 31)): (
        "2 centres from 1 January 2023 to 31 December 2023 (reported",
        "с 1 января 2023 г. по 31 декабря 2023 г. (сообщено",
        "2023年1月1日至2023年12月31日为2",
    ),
    ("month", None, date(2023, 5, 31)): ("2 centres in May 2023 (reported", "за май 2023 г. (сообщено", "2023年5月为2"),
    ("year", None, date(2022, 12, 31)): ("2 centres in 2022 (reported", "за 2022 год (сообщено", "2022年为2"),
}


@pytest.mark.parametrize(("period", "expected"), MEASURED_WHEN.items())
def test_a_measurement_says_on_a_day_from_to_a_range_and_in_a_month_or_year_in_each_language(
    client, reference_data, period, expected
):
    precision, start, end = period
    pledge = a_pledge(is_published=True, target_unit="centres", target_value=10, baseline_value=0)
    ProgressUpdate.objects.create(
        pledge=pledge,
        key="measured",
        occurred_on=date(2025, 8, 1),
        summary="Two centres.",
        is_published=True,
        measurement_value=2,
        target=pledge.targets.get(),
        measured_precision=precision,
        measured_start=start,
        measured_end=end,
    )
    for language, words in zip(("en", "ru", "zh-hans"), expected):
        page = client.get(f"/{language}/pledges/{pledge.slug}/").content.decode()
        assert words in page, language


@pytest.mark.parametrize(
    ("language", "adds", "repeats"),
    [
        ("en", '<p class="ruling">Trade reached $70.2 billion in 2022', '<p class="ruling">Kept.'),
        ("ru", '<p class="ruling">В 2022 году товарооборот', '<p class="ruling">Выполнено.'),
        ("zh-hans", '<p class="ruling">2022年贸易额达到702亿美元', '<p class="ruling">已兑现。'),
    ],
)
def test_an_overview_card_shows_what_the_ruling_adds_to_the_verdict_beside_it(client, seeded, language, adds, repeats):
    page = client.get(f"/{language}/").content.decode()

    assert adds in page and repeats not in page


def test_the_overview_says_how_many_numbers_its_pages_and_keeps_later_pages_short(client, seeded, monkeypatch):
    add_pledges(320 - Pledge.objects.count())  # seven pages
    first, fourth = client.get("/en/").content.decode(), client.get("/en/", {"page": 4}).content.decode()

    assert "Pledges 1–50 of 320" in first and "Pledges 151–200 of 320" in fourth
    pager = re.search(r'<nav class="pages".*?</nav>', fourth, re.S).group(0)
    assert re.findall(r">(\d+|…)</", pager) == ["1", "2", "3", "4", "5", "6", "7"]
    assert '<a aria-current="page" href="?page=4">4</a>' in pager and 'aria-label="Page 7"' in pager
    # After the first page: no standfirst, counts or filters before the results, a way back to them.
    assert 'class="standfirst"' in first and 'class="counts"' in first and 'class="filters"' in first
    assert 'class="standfirst"' not in fourth and 'class="counts"' not in fourth and 'class="filters"' not in fourth
    assert '<a href="?">The first page, with the counts and filters</a>' in fourth
    seventh = client.get("/en/", {"page": 7}).content.decode()
    pager = re.search(r'<nav class="pages".*?</nav>', seventh, re.S).group(0)
    assert re.findall(r">(\d+|…)</", pager) == ["1", "…", "5", "6", "7"]

    russian = client.get("/ru/", {"page": 2}).content.decode()
    chinese = client.get("/zh-hans/", {"page": 2}).content.decode()
    assert "Обещания 51–100 из 320" in russian and 'aria-label="Страница 3"' in russian
    assert "第51–100项承诺，共320项" in chinese and "第一页（含统计与筛选）" in chinese

    # A filter's matches are counted up to a bound, then said to be more.
    monkeypatch.setattr(selectors, "COUNT_UP_TO", 100)
    topic = Pledge.objects.filter(slug__startswith="volume-").first().topic.slug
    broad = client.get("/en/", {"topic": topic}).content.decode()
    assert "Pledges 1–50 of more than 100" in broad


@pytest.mark.parametrize(
    ("language", "row"),
    [
        ("en", "<td>2 October 2030</td><td>{link}</td><td>Deadline approaching</td><td>ed</td>"),
        ("ru", "<td>2 октября 2030 г.</td><td>{link}</td><td>Срок приближается</td><td>ed</td>"),
        ("zh-hans", "<td>2030年10月2日</td><td>{link}</td><td>期限临近</td><td>ed</td>"),
    ],
)
def test_an_empty_reminder_log_says_when_the_next_reminders_fall_due(client, editor, language, row):
    with time_machine.travel(datetime(2030, 9, 1, 9, 0, tzinfo=UTC), tick=False):
        pledge = a_pledge(owner=editor, deadline_end=date(2030, 12, 31), last_reviewed_on=date(2030, 9, 1))
        a_pledge(
            title="Settled already", deadline_end=date(2030, 12, 31), verdict="kept", last_reviewed_on=date(2030, 9, 1)
        )
        EditorSettings.objects.create(user=editor, language=language)
        client.force_login(editor)
        page = client.get(reverse("admin:pledges_reminder_changelist")).content.decode()

    link = f'<a href="/admin/pledges/pledge/{pledge.pk}/change/">{pledge.title}</a>'
    flat = re.sub(r">\s+<", "><", page)
    assert row.format(link=link) in flat  # 90 days before the end, though no reminder has been sent yet
    if language == "en":  # a kept pledge needs no deadline reminder: only its review, 90 days after the last
        assert re.search(r"<td>30 November 2030</td><td><a [^>]+>Settled already</a></td><td>Review due</td>", flat)


@pytest.mark.parametrize(
    ("language", "new_row", "not_saved"),
    [
        ("en", "new progress update: Source URL: ", "Nothing was saved. Correct 3 things:"),
        ("ru", "новость о выполнении (новая): ", "Ничего не сохранено. Исправьте 3 ошибки:"),
        ("zh-hans", "新的进展更新: ", "未保存任何内容。请更正 3 处错误："),
    ],
)
def test_a_refused_save_says_each_error_once_in_one_box_at_the_top(
    client, seeded, editor, language, new_row, not_saved
):
    from tests.factories import change_form_data
    from tests.test_admin_editing import change_url, with_new_update

    EditorSettings.objects.create(user=editor, language=language)
    pledge = Pledge.objects.get(slug="vaccine-joint-production")
    client.force_login(editor)
    page = client.get(change_url(pledge))
    index = page.context["inline_admin_formsets"][0].formset.initial_form_count()
    data = change_form_data(page, title="")
    data.update(with_new_update(page, index, source_url="", new_verdict="kept"))
    body = client.post(change_url(pledge), data).content.decode()

    assert body.count('class="error-summary"') == 1 and 'class="errornote"' not in body  # one box
    summary = body.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', summary)
    assert [anchor for anchor, _ in links] == [
        "id_title",
        f"id_updates-{index}-source_url",
        f"id_updates-{index}-ruling",
    ]
    assert len({message for _, message in links}) == 3 and not_saved in summary  # each once
    assert any(message.startswith(new_row) for _, message in links), links
    assert body.index('class="error-summary"') < body.index('id="id_title"')
    assert "<title>" in body and body.split("<title>", 1)[1].startswith(("Error:", "Ошибка:", "错误："))


def test_a_workbook_export_keeps_numbers_and_dates_typed_in_a_named_sheet_that_reads_well(seeded, client, editor):
    from openpyxl import load_workbook

    from pledges.files.exports import export_pledges, export_updates

    for export, title in ((export_pledges, "pledges"), (export_updates, "updates")):
        stream = io.BytesIO()
        export(stream, file_format="xlsx")
        sheet = load_workbook(io.BytesIO(stream.getvalue())).active
        header = [cell.value for cell in sheet[1]]
        assert sheet.title == title and sheet.freeze_panes == "A2" and sheet["A1"].font.bold
        for index, name in enumerate(header, start=1):  # each column at least as wide as its header
            assert sheet.column_dimensions[get_column_letter(index)].width >= len(name), name
    pledges = load_workbook(io.BytesIO(_exported(export_pledges))).active
    header = [cell.value for cell in pledges[1]]
    trade = next(row for row in pledges.iter_rows(min_row=2) if row[0].value == "trade-70-billion-by-2030")
    cells = dict(zip(header, trade))
    assert cells["target_value"].data_type == "n" and cells["target_value"].value == 70_000_000_000
    assert cells["announced_on"].is_date and cells["announced_on"].value.date() == date(2022, 1, 25)
    assert cells["deadline_end"].is_date and cells["deadline_end"].number_format == "yyyy-mm-dd"
    assert cells["title"].data_type == "s" and cells["slug"].data_type == "s"

    # The admin's export gives the same workbook.
    client.force_login(editor)
    response = client.post(
        reverse("admin:pledges_pledge_export"),
        {"format": _format_index(client), "resource": 0, **{f"pledgeresource_{name}": "on" for name in header}},
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "pledges" and sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    trade = dict(zip(header, next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "trade-70-billion-by-2030")))
    assert trade["target_value"].data_type == "n" and trade["announced_on"].is_date


def _exported(export):
    stream = io.BytesIO()
    export(stream, file_format="xlsx")
    return stream.getvalue()


def _format_index(client):
    from pledges.files.formats import FORMATS

    return [format_class.__name__ for format_class in FORMATS].index("XLSX")


def test_an_event_page_gives_its_place_description_and_outcome_document_in_each_language(client, seeded, editor):
    from pledges.models import Event

    summit = Pledge.objects.get(slug="trade-70-billion-by-2030").event
    client.force_login(editor)
    page = client.get(reverse("admin:pledges_event_change", args=[summit.pk]))
    data = {field: value for field, value in page.context["adminform"].form.initial.items() if value is not None}
    data.update(
        outcome_title="Joint Statement of the leaders",
        outcome_title_ru="Совместное заявление лидеров",
        outcome_url="example.org/joint-statement",  # typed without a scheme: https
    )
    data["held_on"] = summit.held_on.isoformat()
    response = client.post(reverse("admin:pledges_event_change", args=[summit.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Event.objects.get(pk=summit.pk).outcome_url == "https://example.org/joint-statement"

    client.logout()
    for language, label, title, place, description in (
        ("en", "Outcome document: ", "Joint Statement of the leaders", "online", "A video summit of the leaders"),
        ("ru", "Итоговый документ: ", "Совместное заявление лидеров", "онлайн", "Видеосаммит лидеров Китая"),
        # No Chinese title yet: the English, marked as such.
        ("zh-hans", "成果文件：", "Joint Statement of the leaders", "线上", "中国与中亚五国领导人"),
    ):
        body = client.get(f"/{language}/events/{summit.slug}/").content.decode()
        assert f'{label}<a href="https://example.org/joint-statement">' in body, language
        assert title in body.split(label, 1)[1].split("</a>", 1)[0]
        assert place in body.split('<p class="meta">', 1)[1].split("</p>", 1)[0] and description in body
