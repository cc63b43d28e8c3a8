"""Every file format in and out: a round trip changes nothing, and the library's own commands
work with the layouts."""

import io

import pytest
from django.core.management import call_command

from pledges.files.errors import ImportRejected
from pledges.files.exports import export_pledges, export_updates
from pledges.files.imports import import_pledges, import_updates
from pledges.models import Pledge, ProgressUpdate, Target
from tests.factories import pledge_csv

pytestmark = pytest.mark.django_db
FORMATS = ["csv", "tsv", "json", "xlsx", "ods"]


def exported(export, file_format):
    stream = io.BytesIO()
    export(stream, file_format=file_format)
    return stream.getvalue()


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_round_trip_in_each_format_changes_nothing(seeded, file_format):
    # Text a spreadsheet would run as a formula, and a negative number, must come back as they were.
    Pledge.objects.filter(slug="sister-cities-100-pairs").update(title='=HYPERLINK("x") +1')
    Target.objects.filter(pledge__slug="sister-cities-100-pairs").update(baseline_value=-5)
    before = {
        p.slug: (p.title, [t.baseline_value for t in p.targets.all()], p.updated_at) for p in Pledge.objects.all()
    }

    pledges = import_pledges(exported(export_pledges, file_format), file_format=file_format)
    updates = import_updates(exported(export_updates, file_format), file_format=file_format)

    assert (pledges.count("new"), pledges.count("update"), pledges.count("unchanged")) == (0, 0, len(before))
    assert (updates.count("new"), updates.count("update")) == (0, 0)
    assert updates.count("unchanged") == ProgressUpdate.objects.count()
    assert {
        p.slug: (p.title, [t.baseline_value for t in p.targets.all()], p.updated_at) for p in Pledge.objects.all()
    } == before


@pytest.mark.parametrize("file_format", FORMATS)
def test_each_format_imports_a_new_pledge_and_names_a_bad_cell(reference_data, file_format):
    from pledges.files.formats import format_named
    from pledges.files.imports import import_file
    from pledges.files.layouts import PledgeResource

    dataset = format_named("csv")().create_dataset(pledge_csv({"title": "Build 10 bridges"}))
    data = format_named(file_format)().export_data(dataset)
    data = data if isinstance(data, bytes) else data.encode()

    import_file(PledgeResource, data, file_format=file_format)
    assert Pledge.objects.get().title == "Build 10 bridges"

    bad = format_named(file_format)().export_data(
        format_named("csv")().create_dataset(pledge_csv({"announced_on": "25/01/2022"}))
    )
    with pytest.raises(ImportRejected) as rejected:
        import_file(PledgeResource, bad if isinstance(bad, bytes) else bad.encode(), file_format=file_format)
    assert [str(e) for e in rejected.value.errors] == [
        "Row 2, column 'announced_on': '25/01/2022' is not a date: give a day (2023-12-05), a month (2023-12) or a year (2023)"
    ]


def test_a_file_that_is_not_the_format_chosen_is_refused_with_a_message(reference_data):
    with pytest.raises(ImportRejected) as rejected:
        import_pledges(pledge_csv(), file_format="xlsx")

    assert str(rejected.value).startswith("the file cannot be read as XLSX")


def test_the_librarys_export_and_import_commands_use_the_layouts(seeded, tmp_path, capsysbinary):
    call_command("export", "CSV", "pledges.files.layouts.PledgeResource")
    path = tmp_path / "pledges.csv"
    path.write_bytes(capsysbinary.readouterr().out)
    assert path.read_bytes().startswith(b"slug,title,title_ru,title_zh_hans,parties,beneficiaries")

    call_command("import", "pledges.files.layouts.PledgeResource", str(path), "--no-input")
    assert f"0 new, 0 updated, 0 deleted and {Pledge.objects.count()} skipped" in capsysbinary.readouterr().err.decode()

    path.write_bytes(path.read_bytes().replace(b",2022-01-25,striving", b",someday,striving", 1))
    with pytest.raises(SystemExit):
        call_command("import", "pledges.files.layouts.PledgeResource", str(path), "--no-input")
    err = capsysbinary.readouterr().err.decode()
    assert (
        "Row 2, column 'announced_on': 'someday' is not a date: give a day (2023-12-05), a month (2023-12) or a year (2023)"
        in err
    )


def test_the_import_command_reads_the_format_from_the_file_name(seeded, tmp_path, capsys):
    path = tmp_path / "updates.xlsx"
    path.write_bytes(exported(export_updates, "xlsx"))

    call_command("import_updates", str(path), "--dry-run")

    assert capsys.readouterr().out.splitlines()[-1] == (
        f"updates: 0 new, 0 updated, {ProgressUpdate.objects.count()} unchanged would be imported"
    )


def test_a_file_of_over_a_thousand_rows_matches_what_is_stored(reference_data):
    # Past 1,000 keys PostgreSQL is asked with one array parameter instead of an IN list.
    data = pledge_csv(*[{"slug": f"bridge-{n}", "title": f"Bridge {n}"} for n in range(1200)])
    import_pledges(data)

    again = import_pledges(data.replace(b"Bridge 7,", b"Bridge seven,"))

    assert (again.count("new"), again.count("update"), again.count("unchanged")) == (0, 1, 1199)
    assert Pledge.objects.get(slug="bridge-7").title == "Bridge seven"
    from django.apps import apps

    # Every history row keeps its pledge's two countries: 1,200 created, one changed.
    assert apps.get_model("pledges", "HistoricalPledge_beneficiaries").objects.count() == 2 * 1201
