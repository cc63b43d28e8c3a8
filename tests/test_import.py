"""Importing pledge and update files: what gets written, and what a bad file is told."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pledges.files.errors import ImportRejected
from pledges.files.imports import import_pledges, import_updates
from pledges.files.layouts import PLEDGE_COLUMNS
from pledges.models import Event, Party, Pledge, ProgressUpdate, Source, Verdict
from tests.factories import PLEDGE_ROW, UPDATE_ROW, csv_bytes, pledge_csv, update_csv

pytestmark = pytest.mark.django_db


def rejected(call):
    with pytest.raises(ImportRejected) as caught:
        call()
    return [(e.row, e.column, e.message) for e in caught.value.errors]


def written_counts():
    return (
        Pledge.objects.count(),
        ProgressUpdate.objects.count(),
        Source.objects.count(),
        Party.objects.count(),
        Event.objects.count(),
        Pledge.history.count(),
    )


def test_it_creates_a_pledge_with_its_parties_event_and_history(reference_data, editor):
    report = import_pledges(pledge_csv(), user=editor)

    pledge = Pledge.objects.get(slug="test-pledge")
    assert report.count("new") == 1
    assert sorted(pledge.beneficiaries.values_list("country__code", flat=True)) == ["KZ", "UZ"]
    assert [p.name for p in pledge.parties.all()] == ["A Leader"] and pledge.event.name == "A summit"
    (target,) = pledge.targets.all()
    assert (target.position, str(target.target_value), target.unit.code) == (1, "10.00", "projects")
    assert pledge.verdict == Verdict.NOT_RATED and pledge.is_published
    record = pledge.history.get()
    assert record.history_type == "+" and record.history_user == editor
    assert record.history_change_reason == "CSV import"
    assert sorted(record.beneficiaries.values_list("party__country__code", flat=True)) == ["KZ", "UZ"]


def test_a_changed_row_updates_only_what_changed_and_records_it(reference_data, editor):
    import_pledges(pledge_csv())
    report = import_pledges(pledge_csv({"title": "Build 12 bridges", "beneficiaries": "KZ"}), user=editor)

    (change,) = report.rows
    assert change.action == "update"
    assert change.changes == [("title", "Build 10 bridges", "Build 12 bridges"), ("beneficiaries", "KZ|UZ", "KZ")]
    pledge = Pledge.objects.get()
    assert pledge.title == "Build 12 bridges"
    assert list(pledge.beneficiaries.values_list("country__code", flat=True)) == ["KZ"]
    latest = pledge.history.first()
    assert latest.history_type == "~" and latest.history_user == editor
    assert latest.prev_record.title == "Build 10 bridges"


def test_columns_missing_from_the_file_are_left_as_they_are(reference_data):
    import_pledges(pledge_csv({"last_reviewed_on": "2026-01-01"}))
    partial = {
        k: PLEDGE_ROW[k]
        for k in (
            "slug",
            "title",
            "parties",
            "beneficiaries",
            "announced_on",
            "quote",
            "summary",
            "topic",
            "source_title",
            "source_publisher",
            "source_url",
            "deadline_precision",
        )
    }
    import_pledges(csv_bytes([{**partial, "title": "Renamed"}]))

    pledge = Pledge.objects.get()
    assert pledge.title == "Renamed"
    assert str(pledge.last_reviewed_on) == "2026-01-01"
    assert str(pledge.targets.get().target_value) == "10.00"


def test_dry_run_reports_without_writing(reference_data):
    report = import_pledges(pledge_csv(), dry_run=True)

    assert report.count("new") == 1
    assert "would be" in report.summary
    assert written_counts() == (0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_it_accepts_excel_variants(reference_data, bom, delimiter):
    import_pledges(pledge_csv({"summary": "Ten; new, bridges."}, delimiter=delimiter, bom=bom))

    assert Pledge.objects.get().summary == "Ten; new, bridges."


BAD_PLEDGE_ROWS = [
    (
        {"announced_on": "25/01/2022"},
        "announced_on",
        "is not a date: give a day (2023-12-05), a month (2023-12) or a year (2023)",
    ),
    ({"announced_on": ""}, "announced_on", "a value is required"),
    ({"beneficiaries": "KZ|XX"}, "beneficiaries", "unknown country code 'XX'"),
    ({"target_unit": "furlongs"}, "target_unit", "unknown unit 'furlongs'; known: centres, city_pairs, cny, doses,"),
    ({"target_value": "ten"}, "target_value", "'ten' is not a number"),
    ({"target_value": "1,000"}, "target_value", "is not a number"),
    ({"source_url": "javascript:alert(1)"}, "source_url", "is not an http:// or https:// address"),
    ({"source_url": "ftp://example.org/x"}, "source_url", "is not an http:// or https:// address"),
    ({"deadline_precision": "soonish"}, "deadline_precision", "'soonish' is not one of"),
    ({"deadline_start": "2031-01-01"}, "deadline_end", "The window's end is before its start."),
    ({"deadline_end": ""}, "deadline_end", "A dated deadline needs an end date."),
    ({"target_unit": ""}, "target_unit", "A target needs a unit."),
    ({"topic": "astrology"}, "topic", "unknown topic 'astrology'"),
    ({"owner": "nobody"}, "owner", "unknown editor's user name 'nobody'"),
    ({"published": "maybe"}, "published", "'maybe' is not yes or no"),
    ({"slug": "has space"}, "slug", "may hold only letters, digits, hyphens and underscores"),
]


@pytest.mark.parametrize(("override", "column", "message"), BAD_PLEDGE_ROWS)
def test_a_bad_row_rejects_the_whole_file_naming_row_and_column(reference_data, override, column, message):
    good = {"slug": "good-one"}
    data = pledge_csv(good, {**override} if "slug" in override else {"slug": "bad-one", **override})

    errors = rejected(lambda: import_pledges(data))

    assert any(row == 3 and col == column and message in text for row, col, text in errors), errors
    assert written_counts() == (0, 0, 0, 0, 0, 0)


def test_an_unknown_column_is_named(reference_data):
    data = csv_bytes([{**PLEDGE_ROW, "colour": "red"}])

    assert rejected(lambda: import_pledges(data)) == [
        (
            1,
            "colour",
            "unknown column; expected: "
            + ", ".join(
                [
                    "slug",
                    "title",
                    "title_ru",
                    "title_zh_hans",
                    "parties",
                    "beneficiaries",
                    "event",
                    "event_ru",
                    "event_zh_hans",
                    "event_held_on",
                    "event_place",
                    "event_place_ru",
                    "event_place_zh_hans",
                    "event_description",
                    "event_description_ru",
                    "event_description_zh_hans",
                    "announced_on",
                    "quote",
                    "quote_ru",
                    "quote_zh_hans",
                    "quote_language",
                    "quote_original",
                    "quote_translated_by",
                    "summary",
                    "summary_ru",
                    "summary_zh_hans",
                    "topic",
                    "more_topics",
                    "source_title",
                    "source_publisher",
                    "source_url",
                    "source_published_on",
                    "deadline_text",
                    "deadline_text_ru",
                    "deadline_text_zh_hans",
                    "deadline_precision",
                    "deadline_start",
                    "deadline_end",
                    "target_label",
                    "target_label_ru",
                    "target_label_zh_hans",
                    "target_unit",
                    "baseline_value",
                    "baseline_on",
                    "target_value",
                    "target_qualifier",
                    "target_kind",
                    "target_steps",
                    "target_steps_ru",
                    "target_steps_zh_hans",
                    "target2_label",
                    "target2_label_ru",
                    "target2_label_zh_hans",
                    "target2_unit",
                    "target2_baseline_value",
                    "target2_baseline_on",
                    "target2_value",
                    "target2_qualifier",
                    "target2_kind",
                    "target2_steps",
                    "target2_steps_ru",
                    "target2_steps_zh_hans",
                    "target3_label",
                    "target3_label_ru",
                    "target3_label_zh_hans",
                    "target3_unit",
                    "target3_baseline_value",
                    "target3_baseline_on",
                    "target3_value",
                    "target3_qualifier",
                    "target3_kind",
                    "target3_steps",
                    "target3_steps_ru",
                    "target3_steps_zh_hans",
                    "ruling",
                    "ruling_ru",
                    "ruling_zh_hans",
                    "owner",
                    "published",
                    "last_reviewed_on",
                    "follows",
                    "also_follows",
                    "follow_up",
                    "verdict",
                    "url",
                ]
            ),
        )
    ]


def test_a_missing_required_column_is_named(reference_data):
    row = {k: v for k, v in PLEDGE_ROW.items() if k != "quote"}

    assert (1, "quote", "this required column is missing") in rejected(lambda: import_pledges(csv_bytes([row])))


def test_a_duplicate_slug_in_the_file_names_both_rows(reference_data):
    errors = rejected(lambda: import_pledges(pledge_csv({}, {})))

    assert errors == [(3, "slug", "'test-pledge' is already used in row 2")]
    assert written_counts() == (0, 0, 0, 0, 0, 0)


def test_undecodable_bytes_name_the_line(reference_data):
    data = pledge_csv({"summary": "caf\u00e9"}).replace("café".encode(), b"caf\xe9")

    errors = rejected(lambda: import_pledges(data))

    assert errors == [(2, None, "byte 0xE9 is not UTF-8 text; save the file as “CSV UTF-8”")]


def test_a_row_with_too_many_cells_is_rejected(reference_data):
    data = pledge_csv().rstrip(b"\n") + b",extra,cells\n"

    assert rejected(lambda: import_pledges(data))[0][0:2] == (2, None)


def test_an_empty_file_is_rejected(reference_data):
    assert rejected(lambda: import_pledges(b""))[0][2].startswith("the file is empty")


def test_every_error_in_the_file_is_reported_at_once(reference_data):
    data = pledge_csv({"slug": "a", "announced_on": "x"}, {"slug": "b", "beneficiaries": "ZZ"})

    errors = rejected(lambda: import_pledges(data))

    assert [(row, column) for row, column, _ in errors] == [(2, "announced_on"), (3, "beneficiaries")]


def test_a_verdict_column_is_not_applied_and_says_so(reference_data):
    report = import_pledges(pledge_csv({"verdict": "kept"}, columns=None))

    assert Pledge.objects.get().verdict == Verdict.NOT_RATED
    assert [str(w) for w in report.warnings] == [
        "Row 2, column 'verdict': not applied: verdicts change only through progress updates with a source"
    ]


def test_a_confirm_after_someone_else_changed_the_data_is_refused(reference_data):
    import_pledges(pledge_csv())
    preview = import_pledges(pledge_csv({"title": "From the file"}), dry_run=True)
    Pledge.objects.update(title="An editor's edit meanwhile")

    errors = rejected(
        lambda: import_pledges(pledge_csv({"title": "From the file"}), expected_fingerprint=preview.fingerprint)
    )

    assert errors == [(None, None, "the pledges changed since the preview; review the file again")]
    assert Pledge.objects.get().title == "An editor's edit meanwhile"


# Progress updates ------------------------------------------------------------------------------


@pytest.fixture
def pledge(reference_data):
    import_pledges(pledge_csv())
    return Pledge.objects.get()


def test_an_update_with_a_verdict_changes_the_pledges_verdict(pledge, editor):
    import_updates(update_csv(), user=editor)

    pledge.refresh_from_db()
    update = pledge.updates.get()
    assert pledge.verdict == Verdict.IN_PROGRESS
    assert [s.url for s in update.sources.all()] == ["https://example.org/bridges"]
    assert pledge.history.first().history_user == editor
    assert update.history.get().history_user == editor


def test_the_newest_published_verdict_wins_and_drafts_do_not_count(pledge):
    import_updates(
        update_csv(
            {"key": "a", "occurred_on": "2024-01-01", "new_verdict": "in_progress"},
            {"key": "b", "occurred_on": "2025-01-01", "new_verdict": "stalled"},
            {"key": "c", "occurred_on": "2026-01-01", "new_verdict": "kept", "published": "no"},
        )
    )

    pledge.refresh_from_db()
    assert pledge.verdict == Verdict.STALLED


def test_an_update_without_a_key_gets_one_and_imports_as_new(pledge):
    import_updates(update_csv({"key": ""}))
    import_updates(update_csv({"key": "", "occurred_on": "2024-02-10"}))  # one measurement a day

    keys = list(ProgressUpdate.objects.values_list("key", flat=True))
    assert len(keys) == 2 and all(keys) and keys[0] != keys[1]


BAD_UPDATE_ROWS = [
    ({"pledge": "no-such-pledge"}, "pledge", "unknown pledge slug 'no-such-pledge'"),
    ({"new_verdict": "amazing"}, "new_verdict", "'amazing' is not one of"),
    ({"source1_url": ""}, "source1_url", "a value is required"),
    ({"source1_url": "www.example.org"}, "source1_url", "is not an http:// or https:// address"),
    ({"measurement_value": "3 bridges"}, "measurement_value", "is not a number"),
    ({"measurement_country": "TJ"}, "measurement_country", "TJ is not a beneficiary of this pledge"),
    ({"measurement_country": "QQ"}, "measurement_country", "unknown country code 'QQ'"),
    ({"occurred_on": "2024-02-30"}, "occurred_on", "is not a date"),
    ({"source2_url": "https://example.org/2"}, "source2_title", "source 2 needs a title"),
]


@pytest.mark.parametrize(("override", "column", "message"), BAD_UPDATE_ROWS)
def test_a_bad_update_row_rejects_the_file(pledge, override, column, message):
    data = update_csv(
        {"key": "good"}, {"key": "bad", **override}, columns=list(UPDATE_ROW) + ["source2_url", "source2_title"]
    )
    before = (ProgressUpdate.objects.count(), Source.objects.count(), Pledge.history.count())

    errors = rejected(lambda: import_updates(data))

    assert any(row == 3 and col == column and message in text for row, col, text in errors), errors
    assert (ProgressUpdate.objects.count(), Source.objects.count(), Pledge.history.count()) == before


def test_changing_an_updates_sources_keeps_their_history(pledge):
    import_updates(update_csv())
    import_updates(update_csv({"source1_title": "Bridges open (corrected)", "correction_note": "The title was wrong."}))

    source = Source.objects.get()
    assert source.title == "Bridges open (corrected)"
    assert [h.history_type for h in source.history.all()] == ["~", "+"]


# The command line ------------------------------------------------------------------------------


def test_the_command_imports_and_reports(reference_data, tmp_path, capsys):
    path = tmp_path / "pledges.csv"
    path.write_bytes(pledge_csv())

    call_command("import_pledges", str(path))

    assert "pledges: 1 new, 0 updated, 0 unchanged were imported" in capsys.readouterr().out
    assert Pledge.objects.count() == 1


def test_the_command_dry_run_writes_nothing(reference_data, tmp_path, capsys):
    path = tmp_path / "pledges.csv"
    path.write_bytes(pledge_csv())

    call_command("import_pledges", str(path), "--dry-run")

    assert "1 new" in capsys.readouterr().out
    assert Pledge.objects.count() == 0


def test_the_command_fails_with_row_and_column_on_bad_input(reference_data, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(pledge_csv({"announced_on": "soon"}))

    with pytest.raises(CommandError, match="rejected with 1 error"):
        call_command("import_pledges", str(path))

    assert (
        "bad.csv: Row 2, column 'announced_on': 'soon' is not a date: give a day (2023-12-05), a month (2023-12) or a year (2023)"
        in capsys.readouterr().err
    )
    assert Pledge.objects.count() == 0


def test_a_pledge_created_by_someone_else_meanwhile_rejects_the_import_cleanly(reference_data, monkeypatch):
    from pledges.files.layouts import PledgeResource

    import_pledges(pledge_csv())
    # As if the stored pledges were read just before another import created this one.
    monkeypatch.setattr(PledgeResource, "stored_records", lambda self, keys: {})

    errors = rejected(lambda: import_pledges(pledge_csv({"title": "Mine"})))

    assert errors == [
        (
            None,
            None,
            "some of these pledges were created by someone else meanwhile; nothing was written, import the file again",
        )
    ]
    assert Pledge.objects.get().title == "Build 10 bridges"


# Bounded work on any file: at most 200 errors listed, with the total, in bounded memory


def _rejection_and_peak_memory(data):
    """Import `data`, which must be rejected: the rejection, and the import's peak Python memory."""
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(ImportRejected) as rejection:
            import_pledges(data)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return rejection.value, peak


ONE_LINE_OF_500000_COLUMNS = (",".join(f"c{i}" for i in range(500_000)) + "\n").encode()[:1_000_000]


def test_a_one_megabyte_line_of_columns_lists_200_errors_and_the_total(reference_data):
    rejection, peak = _rejection_and_peak_memory(ONE_LINE_OF_500000_COLUMNS)

    assert len(rejection.errors) == 200 and rejection.total > 138_000
    assert (
        rejection.more
        == f"… and {rejection.total - 200:,} more errors ({rejection.total:,} in all; the first 200 are listed)"
    )
    assert len(str(rejection)) < 100_000  # it was 50 million characters
    assert peak < 60_000_000  # bytes; it was 189 MB
    assert not Pledge.objects.exists()


def test_a_file_of_bad_cells_counts_them_all_but_keeps_200(reference_data):
    header = [column.column_name for column in PLEDGE_COLUMNS if not column.export_only]
    bad = ",".join(["bad!"] * len(header))
    data = (",".join(header) + "\n" + (bad + "\n") * 3_000).encode()
    rejection, peak = _rejection_and_peak_memory(data)

    # 35 bad cells a row: 32 unreadable values (the event's date, the quote's language, a topic
    # among more topics, and 6 for each of three targets: unit, baseline, its date, value, how
    # exact and kind), an owner who is no staff user and two earlier pledges that are not there.
    # "bad!" is a party's name as good as any, in both party columns, a target's label and steps,
    # and an event's place and description.
    assert len(rejection.errors) == 200 and rejection.total == 3_000 * 35
    assert {error.row for error in rejection.errors} == set(range(2, 2 + 6))  # the first rows' errors, in order
    assert peak < 25_000_000


def test_the_command_lists_200_errors_and_says_how_many_more(reference_data, tmp_path, capsys):
    path = tmp_path / "wide.csv"
    path.write_bytes(ONE_LINE_OF_500000_COLUMNS)

    with pytest.raises(CommandError) as failed:
        call_command("import_pledges", str(path))

    err = capsys.readouterr().err.splitlines()
    assert len(err) == 201 and err[-1].startswith("wide.csv: … and ")
    assert "rejected with 138,90" in str(failed.value)


def test_the_command_dry_run_prints_what_each_row_would_change(reference_data, tmp_path, capsys):
    long_quote = "We will build ten bridges " * 10  # well past any cut
    import_pledges(pledge_csv({"slug": "kept-as-is"}, {"slug": "to-change"}))
    path = tmp_path / "pledges.csv"
    path.write_bytes(
        pledge_csv(
            {"slug": "kept-as-is"},
            {"slug": "to-change", "quote": long_quote.strip()},
            {"slug": "brand-new", "title": "A new one"},
        )
    )

    call_command("import_pledges", str(path), "--dry-run")

    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Row 3 (to-change): changes quote: 'We will build ten bridges' → {long_quote.strip()!r}"
    assert out[1].startswith("Row 4 (brand-new): new: slug: 'brand-new'; title: 'A new one'; parties: 'A Leader';")
    assert out[2:] == ["1 row unchanged", "pledges: 1 new, 1 updated, 1 unchanged would be imported"]
    assert Pledge.objects.count() == 2


def test_the_command_records_the_named_editor_or_the_system_user(reference_data, editor, tmp_path):
    import getpass

    path = tmp_path / "pledges.csv"
    path.write_bytes(pledge_csv({"slug": "by-ed"}))
    call_command("import_pledges", str(path), "--user", "ed")
    path.write_bytes(pledge_csv({"slug": "by-nobody"}))
    call_command("import_pledges", str(path))

    by_ed = Pledge.history.get(slug="by-ed")
    by_system = Pledge.history.get(slug="by-nobody")
    assert (by_ed.history_user, by_ed.history_change_reason) == (
        editor,
        "Imported from pledges.csv on the command line",
    )
    assert by_system.history_user is None
    assert by_system.history_change_reason == f"Imported from pledges.csv on the command line by {getpass.getuser()}"
    with pytest.raises(CommandError, match="--user nobody: no such user"):
        call_command("import_pledges", str(path), "--user", "nobody")


def test_the_command_shows_a_progress_bar_on_a_terminal(reference_data, tmp_path):
    import os

    path = tmp_path / "many.csv"
    path.write_bytes(pledge_csv(*[{"slug": f"bridge-{n}"} for n in range(1200)]))
    controller, terminal = os.openpty()  # a real terminal device, as a person's shell has
    try:
        with open(terminal, "w", closefd=False) as tty:
            call_command("import_pledges", str(path), stderr=tty, stdout=io.StringIO())
        os.set_blocking(controller, False)
        shown = os.read(controller, 65536).decode()
    finally:
        os.close(controller)
        os.close(terminal)

    assert "\r[############..................] 500 of 1,200 rows" in shown
    assert "\r[##############################] 1,200 of 1,200 rows" in shown
    assert Pledge.objects.count() == 1200


def test_the_command_prints_no_progress_bar_into_a_file(reference_data, tmp_path):
    path = tmp_path / "many.csv"
    path.write_bytes(pledge_csv(*[{"slug": f"bridge-{n}"} for n in range(600)]))
    err = io.StringIO()

    call_command("import_pledges", str(path), stderr=err, stdout=io.StringIO())

    assert err.getvalue() == ""


def test_a_target_named_but_given_no_unit_or_value_is_refused_with_a_message(reference_data):
    # Its mirror once found nothing wrong, and the database's refusal read as a clash with another editor.
    errors = rejected(
        lambda: import_pledges(
            pledge_csv(
                {
                    "target_label": "Bridges",
                    "target_unit": "",
                    "target_value": "",
                    "baseline_value": "",
                    "baseline_on": "",
                }
            )
        )
    )

    assert errors == [
        (2, "target_unit", "A target needs a unit."),
        (2, "target_value", "A target needs its promised value, or the kind “a direction only”."),
    ]
    assert not Pledge.objects.exists()


def test_one_resource_imports_file_after_file_as_a_fresh_one_would(reference_data):
    # The library's admin and command make a resource per file, but nothing says they must: a
    # resource keeps nothing of a file once its import is done (its errors, plan, new names).
    from pledges.files.formats import CSV
    from pledges.files.layouts import PledgeResource

    resource = PledgeResource()
    bad = CSV().create_dataset(pledge_csv({"slug": "first", "parties": "A New Leader", "announced_on": "yesterday"}))
    good = CSV().create_dataset(pledge_csv({"slug": "second", "title": "Build 12 bridges"}))

    refused = resource.import_data(bad, dry_run=True)
    assert [(e.row, e.column) for e in refused.rejection.errors] == [(2, "announced_on")]
    written = resource.import_data(good, dry_run=False)

    assert written.rejection is None and [row.key for row in written.report.rows] == ["second"]
    assert Pledge.objects.get().slug == "second"
    assert not Party.objects.filter(name="A New Leader").exists()  # the refused file's new name
