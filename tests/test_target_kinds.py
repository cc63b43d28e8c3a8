"""What a target's number means (a yearly flow, a running total, a level, a direction only) and how
exact a figure is, as files bring them in and readers see them in each language."""

import csv
import io
import re

import pytest

from pledges.files.imports import import_pledges, import_updates
from pledges.models import Pledge, Target
from tests.conftest import ROOT
from tests.factories import csv_bytes, pledge_csv, update_csv
from tests.test_import import rejected
from tests.test_public_site import text

pytestmark = pytest.mark.django_db
TRADE = "/{}/pledges/trade-70-billion-by-2030/"


def page(client, url):
    return re.sub(r"\s+", " ", client.get(url).content.decode())


def readme_partial_year_example():
    """The README's worked example of a partial year, as an editor would copy it."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("Worked example, a partial year")
    return re.search(r"```csv\n(.*?)```", readme[start:], re.S).group(1).encode()


def test_a_part_of_a_year_is_shown_as_such_and_never_compared_with_the_yearly_target(client, seeded):
    import_updates(readme_partial_year_example())

    english = page(client, TRADE.format("en"))
    assert (
        "January 2026 – October 2026: about $98.7 billion, part of the year, not compared with the yearly target"
        in english
    )
    # The latest whole year is still what is compared, and the chart draws whole years only.
    assert "$106.3 billion in 2025 (reported 18 January 2026): 152% of the target" in english
    assert english.count('<rect class="year-bar"') == 4 and "98.7" not in english.split("<svg")[1].split("</svg>")[0]
    assert "Measured (annual trade), January 2026 – October 2026: about $98.7 billion · part of the year" in english

    russian, chinese = page(client, TRADE.format("ru")), page(client, TRADE.format("zh-hans"))
    assert "около $98,7 млрд" in russian and "часть года, не сравнивается с годовой целью" in russian
    assert "约987亿美元" in chinese and "仅为一年中的一段，不与年度目标比较" in chinese


def test_a_yearly_flow_without_its_period_is_refused_naming_the_row_and_column(reference_data):
    import_pledges(pledge_csv({"target_kind": "flow"}))

    errors = rejected(lambda: import_updates(update_csv({"measured_period": ""})))

    assert [(row, column) for row, column, _ in errors] == [(2, "measured_period")]
    assert "A yearly flow is measured a year at a time" in errors[0][2]


def test_a_direction_has_no_number_and_its_measurements_no_percentage(client, reference_data):
    import_pledges(
        pledge_csv({"target_kind": "direction", "target_value": "", "baseline_value": "", "baseline_on": ""})
    )
    import_updates(update_csv({"measurement_value": "14", "new_verdict": "", "ruling": ""}))

    assert Target.objects.get().target_value is None
    shown = page(client, "/en/pledges/test-pledge/")
    assert (
        "more, with no number set (projects)" in shown and "Latest</th><td>14 projects, 10 January 2024</td>" in shown
    )
    assert "% of the target" not in shown and 'class="target"' not in shown


def test_a_direction_with_a_number_or_an_unknown_kind_is_refused(reference_data):
    errors = rejected(
        lambda: import_pledges(pledge_csv({"target_kind": "direction"}, {"slug": "b", "target_kind": "weekly"}))
    )

    assert (
        2,
        "target_value",
        "A direction only has no target value: leave it empty, or choose another kind.",
    ) in errors
    assert any(
        row == 3 and column == "target_kind" and "'weekly' is not one of" in text for row, column, text in errors
    )
    assert not Pledge.objects.exists()


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "<td>Tajikistan</td><td>about 2.5 million doses</td>"),
        ("ru", "<td>Таджикистан</td><td>около 2,5 млн доз</td>"),
        ("zh-hans", "<td>塔吉克斯坦</td><td>约254.3万 剂</td>"),
    ],
)
def test_a_figure_keeps_how_exact_its_source_is_in_each_language(client, seeded, language, shown):
    from pledges.models import ProgressUpdate

    ProgressUpdate.objects.filter(
        pledge__slug="covid-vaccines-50-million-doses", measurement_country__code="TJ"
    ).update(measurement_qualifier="about")

    assert shown in page(client, f"/{language}/pledges/covid-vaccines-50-million-doses/")


def test_a_file_without_the_kind_columns_keeps_the_kinds_stored(client, seeded):
    rows = list(csv.DictReader(io.StringIO(text(client.get("/pledges.csv")))))
    without_kinds = [{k: v for k, v in row.items() if not k.endswith("_kind")} for row in rows]

    report = import_pledges(csv_bytes(without_kinds))

    assert report.summary.endswith("0 new, 0 updated, 16 unchanged were imported")
    assert Target.objects.get(pledge__slug="trade-70-billion-by-2030").kind == "flow"
