"""Corrections are part of the record: a change of substance to a published update needs a note,
readers see "Corrected on <date>: <note>" on the update and in the changes log, a spelling fix may
be minor (kept in the history, not announced), and a withdrawal says why. Published updates are
read only on the pledge page, each corrected on its own page."""

import csv
import html
import io

import feedparser
import pytest
from django.urls import reverse

from pledges.files.errors import ImportRejected
from pledges.files.exports import export_updates
from pledges.files.imports import import_updates
from pledges.models import Pledge, ProgressUpdate
from tests.factories import change_form_data

pytestmark = pytest.mark.django_db
NOTE = "The 2025 figure is China's customs total; the ministry's was quoted before."


@pytest.fixture
def trade_2025(seeded):
    return ProgressUpdate.objects.get(key="trade-2025")


def own_page(update):
    return reverse("admin:pledges_progressupdate_change", args=[update.pk])


def test_a_published_figure_changes_only_with_a_note_readers_then_see(client, editor, trade_2025):
    client.force_login(editor)
    page = client.get(own_page(trade_2025))

    refused = client.post(own_page(trade_2025), change_form_data(page, measurement_value="106400000000"))
    assert refused.status_code == 200
    assert "This update is published: a change to its Measurement value needs a correction note" in (
        refused.content.decode()
    )
    assert ProgressUpdate.objects.get(pk=trade_2025.pk).measurement_value == trade_2025.measurement_value

    saved = client.post(own_page(trade_2025), change_form_data(page, measurement_value="106400000000", correction=NOTE))
    assert saved.status_code == 302
    corrected = ProgressUpdate.objects.get(pk=trade_2025.pk)
    assert corrected.correction_note == NOTE and corrected.corrected_at is not None

    pledge_page = client.get(trade_2025.pledge.get_absolute_url()).content.decode()
    entry = pledge_page.split(f'id="update-{trade_2025.key}"', 1)[1].split("</article>", 1)[0]
    assert "Corrected on " in entry and html.escape(NOTE) in entry
    newest = client.get("/en/changes/").content.decode().split('<li class="change ')[1]
    assert newest.startswith("change-corrected") and "Update corrected" in newest and html.escape(NOTE) in newest
    assert "Новость исправлена" in client.get("/ru/changes/").content.decode()
    assert "更新已更正" in client.get("/zh-hans/changes/").content.decode()
    feed = feedparser.parse(client.get("/feed/changes/?lang=en").content)
    assert feed.entries[0].title.endswith("Update corrected") and NOTE in html.unescape(feed.entries[0].summary)


def test_replacing_a_published_updates_source_needs_the_note_too(client, editor, trade_2025):
    client.force_login(editor)
    page = client.get(own_page(trade_2025))
    replaced = {"sources-0-url": "https://example.org/customs-2025", "sources-0-title": "Customs, 2025"}

    refused = client.post(own_page(trade_2025), change_form_data(page, **replaced))
    assert refused.status_code == 200 and "a change to its sources needs a correction note" in refused.content.decode()
    assert trade_2025.sources.get(position=1).url != "https://example.org/customs-2025"

    assert client.post(own_page(trade_2025), change_form_data(page, **replaced, correction=NOTE)).status_code == 302
    assert trade_2025.sources.get(position=1).url == "https://example.org/customs-2025"
    assert ProgressUpdate.objects.get(pk=trade_2025.pk).correction_note == NOTE


def test_an_archived_copy_or_a_grade_is_added_in_the_admin_without_a_note(client, editor, trade_2025):
    client.force_login(editor)
    page = client.get(own_page(trade_2025))
    archived = "https://web.archive.org/web/2026/https://www.globaltimes.cn/page/202601/1353538.shtml"

    saved = client.post(own_page(trade_2025), change_form_data(page, **{"sources-0-archived_url": archived}))
    assert saved.status_code == 302
    assert trade_2025.sources.get(position=1).archived_url == archived
    assert ProgressUpdate.objects.get(pk=trade_2025.pk).corrected_at is None


def test_a_minor_fix_is_kept_in_the_history_and_not_announced(client, editor, trade_2025):
    client.force_login(editor)
    page = client.get(own_page(trade_2025))
    fixed = trade_2025.summary.rstrip(".") + ".."  # a stray full stop
    response = client.post(own_page(trade_2025), change_form_data(page, summary=fixed, minor="on"))
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(pk=trade_2025.pk)
    assert update.summary == fixed and update.corrected_at is None
    assert update.history.first().history_change_reason == "Minor fix, not announced"
    assert "change-corrected" not in client.get("/en/changes/").content.decode()


def test_withdrawing_a_published_update_needs_a_note_and_shows_as_withdrawn(client, editor, trade_2025):
    client.force_login(editor)
    page = client.get(own_page(trade_2025))
    refused = client.post(own_page(trade_2025), change_form_data(page, is_published=""))
    assert "Withdrawing a published update needs a note saying why" in refused.content.decode()
    assert ProgressUpdate.objects.get(pk=trade_2025.pk).is_published

    reason = "Withdrawn: the figure was a forecast, not a result."
    assert (
        client.post(own_page(trade_2025), change_form_data(page, is_published="", correction=reason)).status_code == 302
    )
    newest = client.get("/en/changes/").content.decode().split('<li class="change ')[1]
    assert newest.startswith("change-withdrawn") and html.escape(reason) in newest


def test_a_file_that_changes_a_published_update_needs_a_new_note(seeded, client):
    stream = io.BytesIO()
    export_updates(stream)
    exported = stream.getvalue().decode()
    changed = exported.replace("106300000000", "106400000000")
    assert changed != exported
    with pytest.raises(ImportRejected) as refused:
        import_updates(changed)
    (error,) = refused.value.errors
    assert error.column == "correction_note" and "needs a correction note" in error.message

    lines = changed.splitlines()
    header = lines[0].split(",")
    row = next(n for n, line in enumerate(lines) if ",trade-2025," in line)
    cells = next(csv.reader([lines[row]]))
    cells[header.index("correction_note")] = NOTE
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    lines[row] = out.getvalue().strip()
    import_updates("\n".join(lines) + "\n")
    update = ProgressUpdate.objects.get(key="trade-2025")
    assert update.measurement_value == 106_400_000_000 and update.correction_note == NOTE and update.corrected_at
    # Readers meet the file's correction as they meet the admin's: on the update, in the log and its feed.
    entry = client.get(update.pledge.get_absolute_url()).content.decode().split(f'id="update-{update.key}"', 1)[1]
    entry = entry.split("</article>", 1)[0]
    assert "$106.4 billion" in entry and "Corrected on " in entry and html.escape(NOTE) in entry
    newest = client.get("/en/changes/").content.decode().split('<li class="change ')[1]
    assert newest.startswith("change-corrected") and html.escape(NOTE) in newest
    feed = feedparser.parse(client.get("/feed/changes/?lang=en").content)
    assert feed.entries[0].title.endswith("Update corrected") and NOTE in html.unescape(feed.entries[0].summary)


def test_published_updates_are_read_only_on_the_pledge_page_with_every_source(client, editor, seeded):
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    client.force_login(editor)
    page = client.get(reverse("admin:pledges_pledge_change", args=[pledge.pk]))
    body = page.content.decode()
    editable = page.context["inline_admin_formsets"][0].formset
    assert [form.instance.pk for form in editable.forms if form.instance.pk] == []  # no published row to type into
    published = pledge.updates.filter(is_published=True)
    for update in published:
        assert f'id="published-update-{update.pk}"' in body
        assert reverse("admin:pledges_progressupdate_change", args=[update.pk]) in body
        for source in update.sources.all():
            assert html.escape(source.url) in body
    # The new row says it is new, not "#N" at the top of the page.
    assert "new, not saved yet" in body
    # A post that types into a published update's place changes nothing of it.
    trade_2025 = published.get(key="trade-2025")
    data = change_form_data(page, summary=pledge.summary)
    data.update({"updates-2-0-summary": "Typed over.", "updates-0-summary": "Typed over."})
    client.post(reverse("admin:pledges_pledge_change", args=[pledge.pk]), data)
    assert ProgressUpdate.objects.get(pk=trade_2025.pk).summary == trade_2025.summary


def test_reverting_an_update_brings_back_its_sources_shows_them_and_is_a_correction(client, editor, trade_2025):
    # A revert once restored the figure but kept the new source: "$106.3 billion in 2025" cited
    # to an article of November 2026.
    client.force_login(editor)
    before = trade_2025.history.first()
    old_sources = list(trade_2025.sources.values_list("url", "title"))
    page = client.get(own_page(trade_2025))
    replaced = {
        "measurement_value": "106400000000",
        "sources-0-url": "https://example.org/november-2026",
        "sources-0-title": "An article of November 2026",
        "correction": NOTE,
    }
    assert client.post(own_page(trade_2025), change_form_data(page, **replaced)).status_code == 302
    assert list(trade_2025.sources.values_list("url", flat=True))[0] == "https://example.org/november-2026"

    revert_url = reverse("admin:pledges_progressupdate_simple_history", args=[trade_2025.pk, before.history_id])
    revert_page = client.get(revert_url)
    shown = revert_page.content.decode().split('<ul class="restored-sources">', 1)[1].split("</ul>", 1)[0]
    assert all(html.escape(title) in shown for _url, title in old_sources)
    assert client.post(revert_url, change_form_data(revert_page)).status_code == 302

    reverted = ProgressUpdate.objects.get(pk=trade_2025.pk)
    assert reverted.measurement_value == trade_2025.measurement_value
    assert list(reverted.sources.values_list("url", "title")) == old_sources
    assert reverted.correction_note.startswith("Restored as it was on ")
    newest = client.get("/en/changes/").content.decode().split('<li class="change ')[1]
    assert newest.startswith("change-corrected") and "Restored as it was on " in newest


def test_reverting_a_pledge_brings_back_its_targets_as_they_were(client, editor, seeded):
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    before = pledge.history.first()
    (target,) = pledge.targets.all()
    client.force_login(editor)
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    page = client.get(url)
    changed = client.post(url, change_form_data(page, **{"targets-0-target_value": "80000000000"}))
    assert changed.status_code == 302
    target.refresh_from_db()
    assert target.target_value == 80_000_000_000

    revert_url = reverse("admin:pledges_pledge_simple_history", args=[pledge.pk, before.history_id])
    assert client.post(revert_url, change_form_data(client.get(revert_url))).status_code == 302
    target.refresh_from_db()
    assert target.target_value == 70_000_000_000
    assert target.history.first().history_change_reason == "Restored with the pledge's reverted version"


def test_an_archived_copy_comes_from_a_file_and_needs_no_note_while_a_title_does(seeded, client):
    stream = io.BytesIO()
    export_updates(stream)
    exported = stream.getvalue().decode()
    lines = exported.splitlines()
    header = next(csv.reader([lines[0]]))
    row = next(n for n, line in enumerate(lines) if ",trade-2025," in line)
    cells = next(csv.reader([lines[row]]))
    archived = "https://web.archive.org/web/20260118000000/https://www.globaltimes.cn/page/202601/1353538.shtml"
    cells[header.index("source1_archived_url")] = archived

    def with_row(cells):
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(cells)
        return "\n".join([*lines[:row], out.getvalue().strip(), *lines[row + 1 :]]) + "\n"

    import_updates(with_row(cells))  # no note: an archived copy adds a way to open the page
    update = ProgressUpdate.objects.get(key="trade-2025")
    assert update.sources.get(position=1).archived_url == archived and update.corrected_at is None
    page = client.get(update.pledge.get_absolute_url()).content.decode()
    assert f'<a href="{archived}">archived copy</a>' in page

    # A file without the archived-copy columns leaves it as it is.
    names = [n for n in header if not n.endswith("_archived_url")]
    plain = io.StringIO()
    writer = csv.DictWriter(plain, names, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv.DictReader(io.StringIO(exported)))
    import_updates(plain.getvalue())
    assert update.sources.get(position=1).archived_url == archived

    cells[header.index("source1_title")] = "China–Central Asia trade in 2025"
    with pytest.raises(ImportRejected) as refused:
        import_updates(with_row(cells))
    assert refused.value.errors[0].column == "correction_note"
