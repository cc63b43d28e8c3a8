"""Deadlines without a date: "as soon as possible" and "ongoing", beside in due course and none."""

from datetime import date

import pytest

from pledges.files.errors import ImportRejected
from pledges.files.imports import import_pledges
from pledges.models import DeadlineState, Pledge, Reminder
from pledges.reminders import sweep
from tests.factories import a_pledge, pledge_csv
from tests.test_reminders import ann, at, kinds_sent  # noqa: F401 (ann is a fixture)

pytestmark = pytest.mark.django_db
UNDATED = {
    "deadline_start": "",
    "deadline_end": "",
    "target_unit": "",
    "target_value": "",
    "baseline_value": "",
    "baseline_on": "",
}


@pytest.mark.parametrize(("precision", "words"), [("asap", "as soon as possible"), ("ongoing", "on a regular basis")])
def test_an_undated_pledge_is_imported_and_shown_in_its_own_words(client, reference_data, precision, words):
    import_pledges(pledge_csv({**UNDATED, "deadline_precision": precision, "deadline_text": words}))

    pledge = Pledge.objects.get()
    assert pledge.deadline_precision == precision and pledge.deadline_state() == DeadlineState.UNDATED
    page = client.get(pledge.get_absolute_url()).content.decode()
    assert f"“{words}”" in page and "No date" in page


@pytest.mark.parametrize("precision", ["asap", "ongoing"])
def test_an_undated_pledge_takes_no_dates(reference_data, precision):
    with pytest.raises(ImportRejected) as rejected:
        import_pledges(pledge_csv({**UNDATED, "deadline_precision": precision, "deadline_end": "2030-12-31"}))

    assert [str(error) for error in rejected.value.errors] == [
        "Row 2, column 'deadline_end': An undated deadline (as soon as possible, ongoing, in due course or none) "
        "takes no dates."
    ]


def test_without_words_the_page_says_the_precision(client, reference_data):
    import_pledges(pledge_csv({**UNDATED, "deadline_precision": "asap", "deadline_text": ""}))

    page = client.get(Pledge.objects.get().get_absolute_url()).content.decode()

    assert "As soon as possible" in page and "no deadline given" not in page


def test_an_as_soon_as_possible_pledge_is_reviewed_on_the_interval_and_never_overdue(ann, settings):
    settings.PLEDGES_REVIEW_INTERVAL_DAYS = 30
    with at(date(2026, 1, 1)):
        a_pledge(
            owner=ann,
            deadline_precision="asap",
            deadline_text="as soon as possible",
            deadline_end=None,
            last_reviewed_on=date(2026, 1, 1),
        )
    for day in (date(2026, 1, 30), date(2026, 1, 31), date(2027, 6, 1)):
        with at(day):
            sweep()

    assert {kind for kind, _lead in kinds_sent()} == {Reminder.Kind.REVIEW_DUE}
    assert Pledge.objects.in_deadline_state(DeadlineState.OVERDUE, date(2027, 6, 1)).count() == 0
