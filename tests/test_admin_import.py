"""An editor's import in the admin: choose a file, preview the changes, confirm."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pledges.files.formats import FORMATS
from pledges.models import Pledge
from tests.factories import pledge_csv

pytestmark = pytest.mark.django_db
IMPORT_URL = "/admin/pledges/pledge/import/"
CONFIRM_URL = "/admin/pledges/pledge/process_import/"
EXPORT_URL = "/admin/pledges/pledge/export/"
FORMAT = {format_class.__name__.lower(): str(index) for index, format_class in enumerate(FORMATS)}


def upload(client, data, name="pledges.csv", file_format="csv"):
    """Choose a file and its format on the import page, as an editor does."""
    return client.post(IMPORT_URL, {"import_file": SimpleUploadedFile(name, data), "format": FORMAT[file_format]})


def confirm(client, preview, **kwargs):
    """Press "Confirm import" on a preview page: its form's hidden fields, posted back."""
    form = preview.context["confirm_form"]
    return client.post(CONFIRM_URL, {name: form.initial.get(name, "") for name in form.fields}, **kwargs)


def export(client, file_format="csv", **data):
    """Choose a format on the export page (every column ticked, as the page starts) and download."""
    form = client.get(EXPORT_URL).context["form"]
    fields = {name: "on" for name in form.fields if name.startswith("pledgeresource_")}
    return client.post(EXPORT_URL, {"format": FORMAT[file_format], **fields, **data})


def test_an_editor_previews_then_confirms_an_import(client, reference_data, editor):
    client.force_login(editor)

    preview = upload(client, pledge_csv())

    assert preview.status_code == 200
    assert "pledges: 1 new, 0 updated, 0 unchanged would be imported" in preview.content.decode()
    assert Pledge.objects.count() == 0
    confirmed = confirm(client, preview, follow=True)
    assert "Pledges: 1 new, 0 updated, 0 unchanged were imported" in confirmed.content.decode()
    pledge = Pledge.objects.get()
    assert pledge.history.get().history_user == editor
    assert pledge.history.get().history_change_reason == "Imported from pledges.csv"


def test_the_preview_shows_what_changes_column_by_column(client, reference_data, editor):
    client.force_login(editor)
    confirm(client, upload(client, pledge_csv()))

    preview = upload(client, pledge_csv({"title": "Build 12 bridges"})).content.decode()

    assert "0 new, 1 updated" in preview
    assert "<del>Build 10 bridges</del> → <ins>Build 12 bridges</ins>" in preview


def test_a_bad_file_shows_every_error_and_changes_nothing(client, reference_data, editor):
    client.force_login(editor)

    page = upload(client, pledge_csv({"announced_on": "yesterday", "beneficiaries": "KZ|XX"})).content.decode()

    assert "nothing was changed" in page
    assert "Row 2, column &#x27;announced_on&#x27;: &#x27;yesterday&#x27; is not a date" in page
    assert "Row 2, column &#x27;beneficiaries&#x27;: unknown country code &#x27;XX&#x27;" in page
    assert Pledge.objects.count() == 0


def test_a_confirm_is_refused_when_the_pledge_changed_since_the_preview(client, reference_data, editor):
    client.force_login(editor)
    confirm(client, upload(client, pledge_csv()))
    preview = upload(client, pledge_csv({"title": "From the file"}))
    Pledge.objects.update(title="Another editor's title")

    page = confirm(client, preview).content.decode()

    assert "the pledges changed since the preview" in page
    assert Pledge.objects.get().title == "Another editor's title"


def test_without_the_import_permission_there_is_no_import(client, reference_data, viewer):
    client.force_login(viewer)

    assert upload(client, pledge_csv()).status_code == 403
    assert client.get(IMPORT_URL).status_code == 403
    assert f'href="{IMPORT_URL}"' not in client.get(reverse("admin:pledges_pledge_changelist")).content.decode()
    assert Pledge.objects.count() == 0


def test_an_editor_downloads_an_export(client, seeded, editor):
    client.force_login(editor)

    response = export(client)

    body = response.content.decode()
    assert response["Content-Disposition"].startswith('attachment; filename="pledges-')
    assert body.splitlines()[0].startswith("slug,title,title_ru,title_zh_hans,parties,beneficiaries")
    assert len(body.splitlines()) == 17


ADD_UPDATE_URL = "/admin/pledges/progressupdate/add/"


def update_form(pledge, **fields):
    """The admin's add-update form as a browser posts it: the update, then its source inline."""
    return {
        "pledge": pledge.pk,
        "occurred_on": "2026-11-01",
        "is_published": "on",
        "sources-TOTAL_FORMS": "1",
        "sources-INITIAL_FORMS": "0",
        "sources-MIN_NUM_FORMS": "1",
        "sources-MAX_NUM_FORMS": "3",
        **fields,
    }


def test_saving_an_update_in_the_admin_sets_the_verdict_and_deleting_it_resets_it(client, seeded, editor, admin_user):
    from pledges.models import Pledge, ProgressUpdate, Verdict

    client.force_login(editor)
    pledge = Pledge.objects.get(slug="vaccine-joint-production")
    response = client.post(
        ADD_UPDATE_URL,
        update_form(
            pledge,
            key="joint-plant",
            occurred_on="2026-11-20",  # after the newest ruling (16 November): the verdict is always the newest
            summary="A joint plant opened.",
            new_verdict="in_progress",
            ruling="In progress: a joint plant opened.",
            **{
                "sources-0-position": "1",
                "sources-0-grade": "reporting",
                "sources-0-url": "https://example.org/plant",
                "sources-0-title": "Plant opens",
                "sources-0-publisher": "A newspaper",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    pledge.refresh_from_db()
    assert pledge.verdict == Verdict.IN_PROGRESS
    assert pledge.history.first().history_user == editor

    update = ProgressUpdate.objects.get(key="joint-plant")
    assert client.post(f"/admin/pledges/progressupdate/{update.pk}/delete/", {"post": "yes"}).status_code == 403
    client.force_login(admin_user)  # editors unpublish; only superusers delete
    client.post(f"/admin/pledges/progressupdate/{update.pk}/delete/", {"post": "yes"})
    pledge.refresh_from_db()
    assert pledge.verdict == Verdict.NOT_RATED


def test_an_update_without_a_source_is_refused_in_the_admin(client, seeded, editor):
    from pledges.models import Pledge, ProgressUpdate

    client.force_login(editor)
    pledge = Pledge.objects.get(slug="vaccine-joint-production")
    response = client.post(ADD_UPDATE_URL, update_form(pledge, key="unsourced", summary="Rumour.", new_verdict="kept"))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ProgressUpdate.objects.filter(key="unsourced").exists()
    pledge.refresh_from_db()
    assert pledge.verdict == "not_rated"


def test_a_one_megabyte_line_of_columns_gives_a_short_page_of_200_errors(client, reference_data, editor):
    from tests.test_import import ONE_LINE_OF_500000_COLUMNS

    client.force_login(editor)

    response = upload(client, ONE_LINE_OF_500000_COLUMNS, "wide.csv")

    page = response.content.decode()
    assert response.status_code == 200
    # The expected columns are listed once, with the first of the 200 unknown columns shown.
    assert page.count("unknown column; expected:") == 1 and page.count("unknown column") == 200
    assert "more errors (" in page and "the first 200 are listed)" in page
    assert len(page) < 200_000  # it was 195 MB


def test_the_preview_shows_new_values_and_changes_in_full_and_counts_the_unchanged(client, reference_data, editor):
    long_quote = "We will build ten bridges, " * 12 + "and more."
    client.force_login(editor)
    confirm(client, upload(client, pledge_csv({"slug": "same"}, {"slug": "changed"})))

    preview = upload(
        client,
        pledge_csv(
            {"slug": "same"}, {"slug": "changed", "quote": long_quote}, {"slug": "fresh", "title": "A fresh pledge"}
        ),
    ).content.decode()

    assert f"<del>We will build ten bridges</del> → <ins>{long_quote}</ins>" in preview  # not cut at 80
    assert "<strong>title</strong>:\n        A fresh pledge</div>" in preview  # a new row shows its values
    assert '<p class="import-unchanged">1 row unchanged.</p>' in preview
    assert ">same<" not in preview  # the unchanged row is counted, not listed


def test_a_file_that_cannot_be_read_says_which_line(client, reference_data, editor):
    client.force_login(editor)
    data = pledge_csv({"summary": "café"}).replace("café".encode(), b"caf\xe9")

    page = upload(client, data).content.decode()

    assert "Row 2: byte 0xE9 is not UTF-8 text; save the file as “CSV UTF-8”" in page
    assert "encountered while trying to read file" not in page  # the library's generic message
    assert Pledge.objects.count() == 0


def test_the_import_page_lists_the_columns_a_file_may_give_and_starts_at_csv(client, reference_data, editor):
    client.force_login(editor)

    page = client.get(IMPORT_URL)

    fields = dict(page.context["fields_list"])["PledgeResource"]
    assert (
        fields[:5] == ["slug", "title", "title_ru", "title_zh_hans", "parties"] and "verdict" not in fields
    )  # export only
    assert page.context["form"]["format"].value() == FORMAT["csv"]


def test_a_viewer_may_export_what_they_may_read(client, seeded, viewer):
    client.force_login(viewer)

    response = export(client, "xlsx")

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    assert [cell.value for cell in sheet[1]][:5] == ["slug", "title", "title_ru", "title_zh_hans", "parties"]
    assert sheet.max_row == Pledge.objects.count() + 1


def kept_uploads():
    """The uploads waiting in the cache for a confirm."""
    from django.core.cache import cache

    return [key for key in cache._cache if "django-import-export-" in key]


def test_an_upload_waits_an_hour_for_its_confirm_and_a_refused_one_not_at_all(client, reference_data, editor):
    import time

    from django.core.cache import cache

    client.force_login(editor)
    upload(client, pledge_csv({"announced_on": "yesterday"}))  # refused: its rows
    upload(client, pledge_csv({"summary": "café"}).replace("café".encode(), b"caf\xe9"))  # refused: its bytes
    assert kept_uploads() == []

    preview = upload(client, pledge_csv())
    (kept,) = kept_uploads()
    assert 3500 < cache._expire_info[kept] - time.time() <= 3600  # an hour, not the library's day
    confirm(client, preview)
    assert kept_uploads() == [] and Pledge.objects.count() == 1


def test_a_sheet_of_empty_rows_shows_no_traceback(client, reference_data, editor):
    from tests.test_hostile_files import header_row, sheet, xlsx_with_sheet

    client.force_login(editor)
    # The audit's had 5,000, which now go to a worker (rows count toward the threshold in any format).
    page = upload(client, xlsx_with_sheet(sheet(header_row() + "<row/>" * 4990)), "empty.xlsx", "xlsx")

    text = page.content.decode()
    assert page.status_code == 200 and "the file has no rows" in text
    assert "Traceback" not in text and "site-packages" not in text


def test_a_fault_of_the_server_during_an_import_shows_no_traceback_and_writes_nothing(
    client, reference_data, editor, caplog
):
    from django.db import connection

    client.force_login(editor)
    with connection.cursor() as cursor:  # a real fault: a table the import reads is missing
        cursor.execute("ALTER TABLE pledges_topic RENAME TO pledges_topic_away")
    try:
        page = upload(client, pledge_csv())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE pledges_topic_away RENAME TO pledges_topic")

    text = page.content.decode()
    request_id = page["X-Request-ID"]
    assert (
        "The import failed on the server, so nothing was written. "
        f"What went wrong is in the server's log, under request {request_id}"
    ) in text
    assert "Traceback" not in text and "site-packages" not in text and "pledges_topic" not in text
    assert "Confirm import" not in text
    assert any(record.exc_info and "pledges_topic" in str(record.exc_info[1]) for record in caplog.records)
    assert Pledge.objects.count() == 0


def test_a_workbook_with_a_corrupt_part_is_refused_with_a_message_not_an_error_page(client, reference_data, editor):
    import zipfile

    from tests.test_hostile_files import header_row, sheet, xlsx_with_sheet

    data = bytearray(xlsx_with_sheet(sheet(header_row() + "<row/>" * 2000)))
    part = next(i for i in zipfile.ZipFile(io.BytesIO(bytes(data))).infolist() if i.filename.endswith("sheet1.xml"))
    start = part.header_offset + 30 + len(part.filename)
    data[start + 5 : start + 40] = b"\xff" * 35  # the deflated sheet garbled: zlib, not zipfile, complains
    client.force_login(editor)

    page = upload(client, bytes(data), "corrupt.xlsx", "xlsx")

    assert page.status_code == 200
    assert "the file cannot be read as XLSX" in page.content.decode()
