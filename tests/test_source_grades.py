"""Sources can be graded: primary, reporting or weak; a verdict needs one that is not weak."""

import pytest

from pledges.files.errors import ImportRejected
from pledges.files.imports import import_pledges, import_updates
from pledges.models import Pledge, Source, SourceGrade
from tests.factories import UPDATE_ROW, change_form_data, csv_bytes, pledge_csv, update_csv

pytestmark = pytest.mark.django_db
SECOND = {
    "source2_url": "https://example.org/official",
    "source2_title": "Official notice",
    "source2_publisher": "A ministry",
}


@pytest.fixture
def pledge(reference_data):
    import_pledges(pledge_csv())
    return Pledge.objects.get()


def rejected(data):
    with pytest.raises(ImportRejected) as caught:
        import_updates(data)
    return [str(error) for error in caught.value.errors]


def test_a_verdict_resting_only_on_weak_sources_is_refused(pledge):
    assert rejected(update_csv({"source1_grade": "weak"})) == [
        "Row 2, column 'source1_grade': A verdict needs at least one source that is not weak "
        "(a primary source or reporting)."
    ]
    assert pledge.updates.count() == 0


def test_a_weak_source_may_report_but_a_verdict_needs_another(pledge):
    no_second = dict.fromkeys(SECOND, "")
    import_updates(
        update_csv(
            {"key": "rumour", "source1_grade": "weak", "new_verdict": "", **no_second, "source2_grade": ""},
            {
                "key": "confirmed",
                "source1_grade": "weak",
                **SECOND,
                "source2_grade": "primary",
                "occurred_on": "2024-02-01",
                "measurement_value": "4",
            },
        )
    )

    pledge.refresh_from_db()
    assert pledge.verdict == "in_progress"
    assert sorted(Source.objects.values_list("grade", flat=True)) == ["primary", "weak", "weak"]


def test_a_file_without_grade_columns_keeps_the_grades_editors_set(pledge):
    import_updates(update_csv())
    Source.objects.update(grade=SourceGrade.PRIMARY)

    old_layout = {key: value for key, value in UPDATE_ROW.items() if not key.endswith("_grade")}
    corrected = {"source1_title": "Bridges open (corrected)", "correction_note": "The title was misspelt."}
    report = import_updates(csv_bytes([{**old_layout, **corrected}]))

    assert report.count("update") == 1
    assert list(Source.objects.values_list("title", "grade")) == [("Bridges open (corrected)", "primary")]


def test_the_public_page_says_which_sources_are_primary_and_which_weak(client, pledge):
    import_updates(update_csv({"source1_grade": "primary", **SECOND, "source2_grade": "weak"}))

    page = client.get(pledge.get_absolute_url()).content.decode()

    assert (
        'Bridges open</cite></a>, <span class="publisher">A newspaper</span>, 10 January 2024 · <span class="grade">primary source</span>'
        in page
    )
    assert (
        'Official notice</cite></a>, <span class="publisher">A ministry</span> · <span class="grade">weak source: unconfirmed</span>'
        in page
    )


def test_the_admin_refuses_a_verdict_whose_sources_are_all_weak(client, pledge, editor):
    import_updates(update_csv())
    update = pledge.updates.get()
    url = f"/admin/pledges/progressupdate/{update.pk}/change/"
    client.force_login(editor)

    fix = {"sources-0-grade": "weak", "correction": "The report was a rumour."}
    response = client.post(url, change_form_data(client.get(url), **fix))

    assert response.status_code == 200
    assert "A verdict needs at least one source that is not weak" in response.content.decode()
    assert Source.objects.get().grade == SourceGrade.REPORTING
    response = client.post(url, change_form_data(client.get(url), **fix, new_verdict=""))
    assert response.status_code == 302 and Source.objects.get().grade == SourceGrade.WEAK


def test_a_new_verdict_on_the_pledge_page_needs_a_source_that_is_not_weak(client, pledge, editor):
    url = f"/admin/pledges/pledge/{pledge.pk}/change/"
    client.force_login(editor)
    new_update = {
        "updates-0-new_verdict": "kept",
        "updates-0-occurred_on": "2026-11-01",
        "updates-0-summary": "All ten built.",
        "updates-0-ruling": "Kept: all ten are built.",
        "updates-0-is_published": "on",
        "updates-0-source_url": "https://example.org/rumour",
        "updates-0-source_title": "A rumour",
        "updates-0-source_publisher": "A blog",
    }

    weak = client.post(url, change_form_data(client.get(url), **new_update, **{"updates-0-source_grade": "weak"}))
    pledge.refresh_from_db()
    assert weak.status_code == 200 and pledge.verdict == "not_rated"
    assert "A verdict needs at least one source that is not weak" in weak.content.decode()

    primary = client.post(url, change_form_data(client.get(url), **new_update, **{"updates-0-source_grade": "primary"}))
    pledge.refresh_from_db()
    assert primary.status_code == 302 and pledge.verdict == "kept"
