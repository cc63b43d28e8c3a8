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


STEPS = {
    "target_kind": "milestones",
    "target_steps": "feasibility study|agreement|opening",
    "target_unit": "",
    "target_value": "",
    "baseline_value": "",
    "baseline_on": "",
}


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", ["1 of 3 steps done", '<li class="done">agreement: done, 10 January 2024', "opening: not yet"]),
        # Steps not yet named in the reader's language are given in English, marked as such.
        (
            "ru",
            [
                "Выполнено этапов: 1 из 3",
                '<span lang="en">agreement</span> <span class="in-language">(на английском)</span>: выполнено, 10 января',
                '<span lang="en">opening</span> <span class="in-language">(на английском)</span>: ещё нет',
            ],
        ),
        (
            "zh-hans",
            [
                "已完成3个步骤中的1个",
                '<span lang="en">agreement</span> <span class="in-language">（英文）</span>：已完成，2024年1月10日',
                '<span lang="en">opening</span> <span class="in-language">（英文）</span>：尚未完成',
            ],
        ),
    ],
)
def test_a_target_of_steps_counts_the_steps_its_updates_show_done(client, reference_data, language, shown):
    import_pledges(pledge_csv(STEPS))
    import_updates(update_csv({"measurement_value": "", "milestone": "agreement"}))

    page_text = page(client, f"/{language}/pledges/test-pledge/")
    assert all(text in page_text for text in shown), page_text
    assert '<svg class="chart"' not in page_text  # steps are listed, not drawn


def test_a_step_the_target_does_not_name_or_a_measured_step_is_refused(reference_data):
    import_pledges(pledge_csv(STEPS))

    errors = rejected(
        lambda: import_updates(
            update_csv(
                {"key": "a", "measurement_value": "", "milestone": "ribbon cutting"},
                {"key": "b", "measurement_value": "3", "milestone": ""},
            )
        )
    )

    assert (
        2,
        "milestone",
        "“ribbon cutting” is not one of the target's steps: feasibility study; agreement; opening.",
    ) in errors
    assert (
        3,
        "measurement_value",
        "A target of steps is not measured: name the step this update shows done instead.",
    ) in errors


def test_a_step_shown_done_cannot_be_removed_from_the_target(reference_data):
    import_pledges(pledge_csv(STEPS))
    import_updates(update_csv({"measurement_value": "", "milestone": "agreement"}))

    errors = rejected(lambda: import_pledges(pledge_csv({**STEPS, "target_steps": "feasibility study|treaty|opening"})))

    assert errors == [
        (
            2,
            "target_steps",
            "step 'agreement' is shown done by update 'first'; it cannot be removed or renamed "
            "(change that update first)",
        )
    ]
    assert Target.objects.get().milestones == ["feasibility study", "agreement", "opening"]


def test_an_editor_lists_the_steps_one_a_line_in_the_admin(client, reference_data, editor):
    from tests.factories import change_form_data
    from tests.test_admin_editing import change_url

    import_pledges(pledge_csv(STEPS))
    pledge = Pledge.objects.get()
    client.force_login(editor)
    form = client.get(change_url(pledge))
    assert "feasibility study\nagreement\nopening</textarea>" in form.content.decode()

    saved = client.post(
        change_url(pledge), change_form_data(form, **{"targets-0-milestones": "survey\r\nagreement\r\nopening\r\n"})
    )

    assert saved.status_code == 302, saved.context["errors"] if saved.context else ""
    assert Target.objects.get().milestones == ["survey", "agreement", "opening"]


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "Target</th><td>about 10 projects, from 0 projects"), ("ru", "около 10"), ("zh-hans", "约10")],
)
def test_a_target_keeps_how_exact_the_pledge_gives_it_in_each_language(client, reference_data, language, shown):
    import_pledges(pledge_csv({"target_qualifier": "about"}))
    import_updates(update_csv())

    assert Target.objects.get().value_qualifier == "about"
    page_text = page(client, f"/{language}/pledges/test-pledge/")
    assert shown in page_text
    if language == "en":
        assert "30% of the target (3 projects of about 10 projects" in page_text


def test_a_target_qualifier_that_is_none_of_the_four_is_refused(reference_data):
    errors = rejected(lambda: import_pledges(pledge_csv({"target_qualifier": "roughly"})))

    assert errors == [(2, "target_qualifier", "'roughly' is not one of: about, more_than, at_least, up_to")]
