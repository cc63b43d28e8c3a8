"""Dates as precise as their sources: an update's date and a source's date may be a day, a month
or a year, in files and in the admin, and readers see them so in each language."""

import io
from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from pledges.files.errors import ImportRejected
from pledges.files.exports import export_updates
from pledges.files.imports import import_updates
from pledges.models import DatePrecision, ProgressUpdate, Source
from tests.factories import change_form_data

pytestmark = pytest.mark.django_db


def update_row(**cells):
    header = [
        "pledge",
        "key",
        "occurred_on",
        "source1_url",
        "source1_title",
        "source1_publisher",
        "source1_published_on",
    ]
    row = {
        "pledge": "ai-big-data-cloud",
        "key": "month-2026",
        "source1_url": "https://example.org/report-2026",
        "source1_title": "[Report]",
        "source1_publisher": "A newspaper",
        "source1_published_on": "",
        **cells,
    }
    header = list(dict.fromkeys(header + list(cells)))
    return (",".join(header) + "\n" + ",".join(row.get(name, "") for name in header) + "\n").encode()


def entry(client, language, key):
    page = client.get(f"/{language}/pledges/ai-big-data-cloud/").content.decode()
    return page.split(f'id="update-{key}"', 1)[1].split("</article>", 1)[0]


def test_a_month_and_a_year_are_kept_as_given_and_read_so_in_each_language(seeded, client):
    import_updates(
        update_row(
            occurred_on="2026-03", summary="Reported in March 2026.", source1_published_on="2026", published="yes"
        )
    )
    update = ProgressUpdate.objects.get(key="month-2026")
    assert (update.occurred_on, update.occurred_precision) == (date(2026, 3, 1), DatePrecision.MONTH)
    source = update.sources.get()
    assert (source.published_on, source.published_precision) == (date(2026, 1, 1), DatePrecision.YEAR)

    for language, month, year in (
        ("en", "March 2026", "2026"),
        ("ru", "Март 2026 г.", "2026 год"),
        ("zh-hans", "2026年3月", "2026年"),
    ):
        shown = entry(client, language, "month-2026")
        assert f"<h3>{month}" in shown, shown
        assert f'<span class="publisher">A newspaper</span>, {year}' in shown
        assert "1 March" not in shown and "1 марта" not in shown and "3月1日" not in shown


def test_the_seeds_give_the_month_where_the_source_gives_no_day(seeded, client):
    shown = entry(client, "en", "kazakh-data-centre-2025")
    assert "<h3>September 2025" in shown and '<span class="publisher">The Astana Times</span>, September 2025' in shown
    assert "15 September" not in shown
    training = client.get("/en/pledges/training-5000-places/").content.decode()
    assert "<h3>November 2022" in training.split('id="update-luban-tajikistan-2024"', 1)[1]


def test_a_file_writes_each_date_back_as_precisely_as_it_was_read(seeded):
    stream = io.BytesIO()
    export_updates(stream)
    exported = stream.getvalue().decode()
    assert ",kazakh-data-centre-2025,2025-09," in exported
    assert "https://astanatimes.com/2025/09/kazakhstan-china-to-build-advanced-green-data-center/" in exported
    assert ",The Astana Times,2025-09," in exported
    # Read back, nothing changes; a day given where a month was is a change of the date.
    assert import_updates(exported).count("unchanged") == ProgressUpdate.objects.count()
    changed = exported.replace(",kazakh-data-centre-2025,2025-09,", ",kazakh-data-centre-2025,2025-09-01,")
    with pytest.raises(ImportRejected) as refused:
        import_updates(changed)
    (error,) = refused.value.errors
    assert error.column == "correction_note" and "occurred_on" in error.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-13", "'2025-13' is not a date: give a day (2023-12-05), a month (2023-12) or a year (2023)"),
        ("Sep 2025", "'Sep 2025' is not a date"),
        ("2025-09-31", "'2025-09-31' is not a date"),
    ],
)
def test_a_date_that_is_none_of_the_three_is_refused_naming_row_and_column(seeded, text, message):
    with pytest.raises(ImportRejected) as refused:
        import_updates(update_row(occurred_on=text, summary="x"))
    (error,) = refused.value.errors
    assert (error.row, error.column) == (2, "occurred_on") and message in error.message
    assert not ProgressUpdate.objects.filter(key="month-2026").exists()


def test_a_month_that_holds_the_announcement_is_not_before_it(seeded):
    # The pledges were announced on 25 January 2022: January 2022 may hold an update, 2021 may not.
    import_updates(update_row(key="in-january", occurred_on="2022-01", summary="In the month of the summit."))
    assert ProgressUpdate.objects.get(key="in-january").occurred_precision == DatePrecision.MONTH
    with pytest.raises(ImportRejected) as refused:
        import_updates(update_row(key="in-2021", occurred_on="2021", summary="Before the summit."))
    (error,) = refused.value.errors
    assert error.column == "occurred_on" and "2021 is before the pledge was announced on 2022-01-25" in error.message


def test_the_database_keeps_a_month_as_its_first_day(seeded):
    source = Source.objects.filter(published_on__isnull=False).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=source.pk).update(published_on=date(2025, 9, 15), published_precision="month")


def test_an_editor_types_a_month_on_the_updates_own_page(seeded, client, editor):
    update = ProgressUpdate.objects.get(key="kazakh-data-centre-2025")
    url = reverse("admin:pledges_progressupdate_change", args=[update.pk])
    client.force_login(editor)
    page = client.get(url)
    assert 'value="2025-09"' in page.content.decode()  # shown as stored, not as 2025-09-01

    refused = client.post(url, change_form_data(page, occurred_on="September 2025"))
    assert "Give a day (2023-12-05), a month (2023-12) or a year (2023)" in refused.content.decode()

    saved = client.post(url, change_form_data(page, occurred_on="2025", correction="The source gives only the year."))
    assert saved.status_code == 302
    update.refresh_from_db()
    assert (update.occurred_on, update.occurred_precision) == (date(2025, 1, 1), DatePrecision.YEAR)
    assert "<h3>2025" in entry(client, "en", "kazakh-data-centre-2025")


def test_an_announcement_and_its_source_may_be_known_to_the_month_or_year(reference_data, client, editor):
    from pledges.files.exports import export_pledges
    from pledges.files.imports import import_pledges
    from pledges.models import Event, Pledge
    from tests.factories import pledge_csv

    import_pledges(pledge_csv({"announced_on": "2023-12", "source_published_on": "2024"}))

    pledge = Pledge.objects.get()
    assert (pledge.announced_on, pledge.announced_precision) == (date(2023, 12, 1), DatePrecision.MONTH)
    assert Event.objects.get().held_on is None  # not a made-up 1 December
    english = client.get("/en/pledges/test-pledge/").content.decode()
    assert "A Leader, December 2023," in english and '(<span class="publisher">A newspaper</span>, 2024)' in english
    russian = client.get("/ru/pledges/test-pledge/").content.decode().lower()
    assert '<span lang="en">a leader</span> <span class="in-language">(на английском)</span>, декабрь 2023' in russian
    out = io.BytesIO()
    export_pledges(out, None, "csv")
    assert ",2023-12," in out.getvalue().decode() and ",2024," in out.getvalue().decode()
    assert import_pledges(out.getvalue(), dry_run=True).summary.endswith("1 unchanged would be imported")

    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    client.force_login(editor)
    page = client.get(url)
    assert 'value="2023-12"' in page.content.decode()
    saved = client.post(url, change_form_data(page, announced_on="2023-12-05"))
    assert saved.status_code == 302, saved.context["errors"] if saved.context else ""
    pledge.refresh_from_db()
    assert (pledge.announced_on, pledge.announced_precision) == (date(2023, 12, 5), DatePrecision.DAY)
