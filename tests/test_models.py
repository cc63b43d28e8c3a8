"""The record's rules: deadline state, progress against a target, and database integrity."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from pledges.models import DeadlineState, Pledge, ProgressUpdate, Target, Topic, Unit, Verdict


def pledge(**fields):
    defaults = {
        "announced_on": date(2022, 1, 25),
        "deadline_precision": "year",
        "deadline_end": date(2030, 12, 31),
        "verdict": Verdict.IN_PROGRESS,
    }
    return Pledge(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("today", "verdict", "state"),
    [
        (date(2026, 1, 1), Verdict.IN_PROGRESS, DeadlineState.UPCOMING),
        (date(2030, 10, 2), Verdict.IN_PROGRESS, DeadlineState.DUE_SOON),  # 90 days before
        (date(2030, 10, 1), Verdict.IN_PROGRESS, DeadlineState.UPCOMING),  # 91 days before
        (date(2030, 12, 31), Verdict.IN_PROGRESS, DeadlineState.DUE_SOON),
        (date(2031, 1, 1), Verdict.IN_PROGRESS, DeadlineState.OVERDUE),
        (date(2031, 1, 1), Verdict.BROKEN, DeadlineState.OVERDUE),
        (date(2026, 1, 1), Verdict.KEPT, DeadlineState.MET),
        (date(2031, 1, 1), Verdict.KEPT, DeadlineState.MET),
    ],
)
def test_deadline_state_follows_the_window_end_and_the_verdict(today, verdict, state):
    assert pledge(verdict=verdict).deadline_state(today) == state


@pytest.mark.django_db
def test_the_deadline_state_query_agrees_with_the_pledges_own_state(seeded):
    pledges = list(Pledge.objects.all())
    for today in (date(2022, 6, 1), date(2026, 11, 27), date(2030, 12, 1), date(2031, 2, 1)):
        for state in DeadlineState.values:
            by_query = set(Pledge.objects.in_deadline_state(state, today).values_list("pk", flat=True))
            assert by_query == {p.pk for p in pledges if p.deadline_state(today) == state}, (today, state)
    # The seeds hold kept and overdue pledges, so both sides are exercised.
    assert {p.deadline_state(date(2026, 11, 27)) for p in pledges} >= {DeadlineState.MET, DeadlineState.OVERDUE}


def test_a_pledge_without_a_date_is_undated():
    assert pledge(deadline_precision="in_due_course", deadline_end=None).deadline_state(date(2040, 1, 1)) == (
        DeadlineState.UNDATED
    )


def test_due_soon_follows_the_setting(settings):
    settings.PLEDGES_DUE_SOON_DAYS = 30
    assert pledge().deadline_state(date(2030, 12, 1)) == DeadlineState.DUE_SOON
    assert pledge().deadline_state(date(2030, 11, 1)) == DeadlineState.UPCOMING


def measured(on, value, country=None, *, year=None, target_id=1):
    """A measurement of target 1 reported `on`; with `year`, of that year."""
    period = {"measured_precision": "year", "measured_end": date(year, 12, 31)} if year else {}
    return ProgressUpdate(
        occurred_on=on, measurement_value=Decimal(value), measurement_country_id=country, target_id=target_id, **period
    )


def target(pledge_fields=None, **fields):
    """Target 1 of an unsaved pledge, in US dollars unless said otherwise."""
    return Target(pk=1, pledge=pledge(**(pledge_fields or {})), unit=Unit(code="usd", written="${value}"), **fields)


TRADE = {"baseline_value": Decimal(50), "target_value": Decimal(70)}


def test_progress_runs_from_the_baseline_to_the_target():
    progress = target(**TRADE).progress([measured(date(2023, 5, 11), "60"), measured(date(2022, 6, 1), "55")])

    assert progress.current_value == Decimal(60) and progress.as_of == date(2023, 5, 11)
    assert progress.percent == Decimal("50.0")


def test_a_measurement_counts_at_the_end_of_the_period_it_measures():
    # Trade in 2022, reported in May 2023, is the value at the end of 2022; the 2023 figure reported
    # earlier in the list still comes later.
    progress = target(**TRADE).progress(
        [measured(date(2024, 3, 29), "65", year=2023), measured(date(2023, 5, 11), "60", year=2022)]
    )

    assert progress.current_value == Decimal(65) and progress.as_of == date(2023, 12, 31)
    assert progress.latest.occurred_on == date(2024, 3, 29)


def test_on_track_compares_with_the_straight_line_to_the_target():
    t = target({"deadline_end": date(2032, 1, 25)}, **TRADE)  # ten years from the announcement
    halfway = date(2027, 1, 25)

    behind = t.progress([measured(halfway, "59")])
    ahead = t.progress([measured(halfway, "61")])

    assert behind.expected_value == ahead.expected_value == Decimal("60.00")
    assert behind.on_track is False and ahead.on_track is True


def test_on_track_is_read_at_the_end_of_the_measured_period():
    t = target({"deadline_end": date(2032, 1, 25)}, **TRADE)
    # 59.9 for 2026, reported at the halfway point (where the line is at 60): the line at the end
    # of 2026, the end of what was measured, is lower, and the target on track.
    progress = t.progress([measured(date(2027, 1, 25), "59.9", year=2026)])

    assert progress.expected_value == Decimal("59.86") and progress.on_track is True


def test_a_reduction_target_is_on_track_below_the_line():
    t = target({"deadline_end": date(2032, 1, 25)}, baseline_value=Decimal(100), target_value=Decimal(0))

    progress = t.progress([measured(date(2027, 1, 25), "40")])

    assert progress.percent == Decimal("60.0") and progress.on_track is True


def test_country_measurements_add_up_using_each_countrys_latest():
    t = target({"deadline_end": None, "deadline_precision": "none"}, target_value=Decimal(1000))

    progress = t.progress(
        [
            measured(date(2022, 1, 1), "100", country=1),
            measured(date(2022, 6, 1), "300", country=1),
            measured(date(2022, 3, 1), "200", country=2),
        ]
    )

    # Only countries' figures: their sum is a floor ("at least 500 of 1,000"), never a share.
    assert progress.current_value == Decimal(500) and progress.at_least
    assert progress.percent is None and progress.share is None and not progress.reached
    assert {c: u.measurement_value for c, u in progress.by_country.items()} == {1: Decimal(300), 2: Decimal(200)}
    assert progress.on_track is None
    # A figure for all the countries together is the whole again.
    whole = t.progress([measured(date(2022, 6, 1), "300", country=1), measured(date(2022, 7, 1), "650")])
    assert whole.current_value == Decimal(650) and not whole.at_least and whole.percent == Decimal("65.0")


def test_each_target_counts_only_its_own_measurements():
    trade = target(**TRADE)
    progress = trade.progress([measured(date(2023, 5, 11), "60"), measured(date(2024, 1, 1), "9", target_id=2)])

    assert progress.current_value == Decimal(60)
    assert target(**TRADE).progress([measured(date(2022, 1, 1), "1", target_id=2)]).current_value is None
    assert target(**TRADE).progress([]).percent is None


@pytest.fixture
def stored(db):
    return {
        "slug": "p",
        "title": "P",
        "topic": Topic.objects.create(slug="t", name="T"),
        "announced_on": date(2022, 1, 25),
        "quote": "q",
        "summary": "s",
        "source_title": "t",
        "source_publisher": "p",
        "source_url": "https://example.org/",
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"deadline_precision": "range", "deadline_start": date(2030, 1, 1), "deadline_end": date(2029, 1, 1)},
        {"deadline_precision": "range", "deadline_end": date(2029, 1, 1)},
        {"deadline_precision": "year"},
        {"deadline_precision": "in_due_course", "deadline_end": date(2029, 1, 1)},
        {"source_url": "javascript:alert(1)"},
        {"verdict": "great"},
    ],
)
def test_the_database_refuses_an_inconsistent_pledge(stored, bad):
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.create(**{**stored, **bad})


def test_slugs_are_unique(stored):
    Pledge.objects.create(**stored)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.create(**stored)


def test_the_admin_form_explains_a_bad_window(stored):
    from django.core.exceptions import ValidationError

    p = Pledge(**stored, deadline_precision="range", deadline_start=date(2030, 1, 1), deadline_end=date(2029, 1, 1))
    with pytest.raises(ValidationError) as caught:
        p.clean()
    assert caught.value.message_dict == {"deadline_end": ["The window's end is before its start."]}
