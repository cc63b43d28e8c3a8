"""The small things a second data set exposed: implausible data stopped with a message, reminders
that would only be noise, a chart and a calendar that say what they mean, and a clean work tree."""

import os
import re
import signal
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from icalendar import Calendar

from pledges.files.errors import ImportRejected
from pledges.files.imports import import_pledges, import_updates
from pledges.models import Party, Pledge, ProgressUpdate, Reminder
from pledges.reminders import sweep
from tests.factories import PLEDGE_ROW, a_pledge, change_form_data, csv_bytes, pledge_csv, update_csv
from tests.live import free_port, wait_until
from tests.test_admin_editing import change_url, with_new_update

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def rejection(call):
    with pytest.raises(ImportRejected) as rejected:
        call()
    return [str(error) for error in rejected.value.errors]


# Stopped with a message


def test_an_old_actor_cell_listing_several_parties_is_a_joint_pledge(reference_data):
    # Files of November 2026 had one actor; a list there is what the parties column now holds.
    row = {("actor" if column == "parties" else column): value for column, value in PLEDGE_ROW.items()}
    import_pledges(csv_bytes([{**row, "actor": "CN|KZ|Uzbekistan government"}]))

    pledge = Pledge.objects.get()
    assert [party.name for party in pledge.parties.all()] == ["China", "Kazakhstan", "Uzbekistan government"]
    assert Party.objects.get(name="China").country.code == "CN"


def test_the_admin_refuses_a_party_named_with_the_list_separator(client, editor):
    client.force_login(editor)

    response = client.post(reverse("admin:pledges_party_add"), {"name": "China|Kazakhstan", "role": "", "kind": ""})

    assert response.status_code == 200
    assert "one party per value" in response.context["adminform"].form.errors["name"][0]
    assert not Party.objects.exists()


def test_a_measurement_on_a_pledge_without_a_target_is_refused(reference_data):
    import_pledges(pledge_csv({"target_unit": "", "target_value": "", "baseline_value": "", "baseline_on": ""}))

    errors = rejection(lambda: import_updates(update_csv({"measurement_value": "3"})))

    assert errors == [
        "Row 2, column 'measurement_value': This pledge has no target, so a measurement has nothing to count "
        "towards: give the pledge its target (unit and value) first."
    ]
    assert not ProgressUpdate.objects.exists()


def test_an_update_dated_before_the_announcement_is_refused_naming_both_dates(reference_data):
    import_pledges(pledge_csv({"announced_on": "2023-05-19"}))

    errors = rejection(lambda: import_updates(update_csv({"occurred_on": "2020-03-01"})))

    assert errors == [
        "Row 2, column 'occurred_on': 2020-03-01 is before the pledge was announced on 2023-05-19: "
        "an update reports what happened since."
    ]


def test_the_pledge_page_refuses_an_early_update_and_a_measurement_without_target(client, seeded, editor):
    pledge = Pledge.objects.get(slug="oil-gas-pipelines")  # no target
    client.force_login(editor)
    page = client.get(change_url(pledge))
    index = page.context["inline_admin_formsets"][0].formset.initial_form_count()

    response = client.post(
        change_url(pledge),
        change_form_data(page, **with_new_update(page, index, occurred_on="2021-06-01", measurement_value="5")),
    )

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.forms[index].errors
    assert errors["occurred_on"] == [
        "2021-06-01 is before the pledge was announced on 2022-01-25: an update reports what happened since."
    ]
    assert errors["measurement_value"][0].startswith("This pledge has no target")
    assert not pledge.updates.filter(occurred_on=date(2021, 6, 1)).exists()


def test_two_measurements_of_a_pledge_on_one_day_are_refused_in_one_file_and_against_the_stored(reference_data):
    import_pledges(pledge_csv())

    in_file = rejection(lambda: import_updates(update_csv({"key": "a"}, {"key": "b", "measurement_value": "4"})))
    import_updates(update_csv({"key": "a"}))
    against_stored = rejection(lambda: import_updates(update_csv({"key": "b", "measurement_value": "4"})))
    corrected = {"key": "a", "measurement_value": "5", "correction_note": "Five, not three."}
    import_updates(update_csv(corrected))  # the same update, corrected: fine
    import_updates(update_csv({"key": "c", "measurement_value": "5", "measurement_country": "KZ"}))  # a country's

    message = "This target already has a measurement for 2024-01-10: one per period (per country, for a country's)."
    assert in_file == [f"Row 3, column 'occurred_on': {message} (row 2)"]
    assert against_stored == [f"Row 2, column 'occurred_on': {message}"]
    assert sorted(ProgressUpdate.objects.values_list("key", "measurement_value")) == [("a", 5), ("c", 5)]


def test_the_database_keeps_one_measurement_a_day(reference_data):
    pledge = a_pledge(target_unit="projects", target_value=10)
    target = pledge.targets.get()
    ProgressUpdate.objects.create(
        pledge=pledge, key="a", occurred_on=date(2024, 1, 1), summary="x", measurement_value=1, target=target
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressUpdate.objects.create(
            pledge=pledge, key="b", occurred_on=date(2024, 1, 1), summary="y", measurement_value=2, target=target
        )
    ProgressUpdate.objects.create(pledge=pledge, key="c", occurred_on=date(2024, 1, 1), summary="no value")


def test_two_new_measurements_on_one_day_on_the_pledge_page_are_refused(client, seeded, editor):
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    client.force_login(editor)
    page = client.get(change_url(pledge))
    index = page.context["inline_admin_formsets"][0].formset.initial_form_count()
    data = change_form_data(page, **with_new_update(page, index, measurement_value="107000000000"))
    data.update(with_new_update(page, index + 1, measurement_value="108000000000", summary="Another count."))
    data["updates-TOTAL_FORMS"] = str(index + 2)

    response = client.post(change_url(pledge), data)

    assert response.status_code == 200
    second = response.context["inline_admin_formsets"][0].formset.forms[index + 1]
    assert second.errors["occurred_on"] == [
        "This target already has a measurement for 2026-11-20: one per period (per country, for a country's)."
    ]
    assert not pledge.updates.filter(occurred_on=date(2026, 11, 20)).exists()


# Reminders that would only be noise


def at(day):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=False)


@pytest.fixture
def ann(roles):
    user = get_user_model().objects.create_user("ann", email="ann@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_a_window_that_opened_before_the_pledge_was_recorded_sends_no_reminder(ann):
    with at(date(2026, 11, 10)):  # imported in November 2026; its window opened in January 2025
        a_pledge(
            owner=ann,
            deadline_precision="range",
            deadline_start=date(2025, 1, 1),
            deadline_end=date(2027, 12, 31),
            last_reviewed_on=date(2026, 11, 10),
        )
    with at(date(2026, 11, 28)):
        sweep()

    assert list(Reminder.objects.values_list("kind", flat=True)) == []


def test_a_deadline_an_edit_moved_long_into_the_past_sends_no_reminder(ann, settings):
    with at(date(2025, 1, 1)):
        pledge = a_pledge(owner=ann, deadline_end=date(2030, 12, 31), last_reviewed_on=date(2026, 11, 20))
    with at(date(2026, 11, 28)):
        pledge.deadline_start, pledge.deadline_precision = date(2026, 6, 1), "range"  # opened months ago
        pledge.save()
        sweep()

    assert list(Reminder.objects.values_list("kind", flat=True)) == []
    assert settings.PLEDGES_REMINDER_STALE_DAYS == 14


# What a reader sees


def test_a_chart_with_one_measurement_says_one(client, reference_data):
    pledge = a_pledge(is_published=True, target_unit="projects", target_value=10, baseline_value=0)
    ProgressUpdate.objects.create(
        pledge=pledge,
        key="a",
        occurred_on=date(2025, 7, 21),
        summary="Two.",
        measurement_value=2,
        target=pledge.targets.get(),
        is_published=True,
    )

    page = client.get(f"/en/pledges/{pledge.slug}/").content.decode()

    assert "Measured: 2 projects on 21 July 2025. The target is 10 projects." in page
    assert "went from" not in page


def test_a_window_deadline_is_a_calendar_event_on_the_day_it_opens_and_one_on_the_day_it_closes(client, seeded):
    # Not one all-day event five years long, which fills a reader's calendar until 2032.
    calendar = Calendar.from_ical(client.get("/deadlines.ics").getvalue())
    opens, closes = [e for e in calendar.walk("VEVENT") if "sister-cities-100-pairs" in str(e["uid"])]

    assert str(opens["summary"]) == "Deadline window opens: Reach 100 pairs of sister cities in 5 to 10 years"
    assert (opens.decoded("dtstart"), opens.decoded("dtend")) == (date(2027, 1, 25), date(2027, 1, 26))
    assert str(closes["summary"]) == "Deadline window closes: Reach 100 pairs of sister cities in 5 to 10 years"
    assert (closes.decoded("dtstart"), closes.decoded("dtend")) == (date(2032, 1, 25), date(2032, 1, 26))
    assert "“in the next five to 10 years”" in str(opens["description"]) == str(closes["description"])
    russian = Calendar.from_ical(client.get("/deadlines.ics", {"lang": "ru"}).getvalue())
    summaries = [str(e["summary"]) for e in russian.walk("VEVENT") if "sister-cities-100-pairs" in str(e["uid"])]
    assert [summary.split(":")[0] for summary in summaries] == ["Открывается окно срока", "Закрывается окно срока"]


# Housekeeping: `make run` writes nothing outside var/


def _working_tree_copy(target):
    """The project as it stands (tracked and new files), as a git repository of its own."""
    files = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "t"]):
        subprocess.run(["git", *args], cwd=target, check=True)


@pytest.mark.django_db(transaction=True)
def test_make_run_writes_nothing_outside_var_and_links_to_its_own_port(tmp_path):
    import urllib.request

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("make run keeps its own SQLite database whatever the tests use: once, in the SQLite run, is enough")

    tree = tmp_path / "tree"
    _working_tree_copy(tree)
    port = free_port()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PLEDGES_REMINDER_SWEEP_SECONDS": "1"}
    log = tmp_path / "make-run.log"
    venv = Path(sys.executable).parent.parent
    process = subprocess.Popen(
        ["make", "run", f"VENV={venv}", f"PORT={port}"],
        cwd=tree,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:

        def serves():
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/en/", timeout=2).status == 200
            except OSError:
                return False

        wait_until(serves, "make run to serve the site", 120)
        # The feed's links name the address it serves, not the default port.
        feed = urllib.request.urlopen(f"http://127.0.0.1:{port}/feed/", timeout=5).read().decode()
        assert f"http://127.0.0.1:{port}/" in feed and "127.0.0.1:8000" not in feed
        celery_log = tree / "var" / "celery.log"
        wait_until(lambda: celery_log.exists() and "Reminder sweep:" in celery_log.read_text(), "a reminder sweep", 60)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

    status = subprocess.run(["git", "status", "--porcelain"], cwd=tree, capture_output=True, text=True).stdout
    assert status == "", status
    assert re.search(r"password '[^']+'", log.read_text())  # it got as far as the editor's account


def test_a_pledge_recorded_weeks_before_its_deadline_still_hears_it_approach(ann):
    with at(date(2030, 12, 11)):  # 20 days before the end: the 30-day mark passed before it was recorded
        a_pledge(owner=ann, deadline_end=date(2030, 12, 31), last_reviewed_on=date(2030, 12, 11))
    with at(date(2030, 12, 12)):
        sweep()

    assert list(Reminder.objects.values_list("kind", "lead_days")) == [("deadline_near", 30)]
