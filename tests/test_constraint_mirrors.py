"""Each rule the database enforces has a readable mirror (`*_errors`), which the admin and the
importer show; the two are kept in step by these properties: for any values Hypothesis makes,
the mirror has no message for a constraint's fields exactly when the database accepts the row.

The database is asked for real: the values are written to a stored row inside a savepoint, and a
refusal (IntegrityError) rolled back. The mirrors may know more than the database (a step's
name, a follow-up's dates); only what the constraints cover is compared.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pledges.models import (
    DeadlinePrecision,
    PeriodPrecision,
    Pledge,
    ProgressUpdate,
    Target,
    TargetKind,
    Unit,
    Verdict,
    date_range_error,
    deadline_errors,
    follow_up_errors,
    normalised_url,
    period_errors,
    ruling_errors,
    target_errors,
    validate_http_url,
)
from pledges.models.choices import FollowUp

pytestmark = pytest.mark.django_db
EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
dates = st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


def accepted(model, pk, **values):
    """Whether the database takes `values` on the stored row `pk` (nothing is kept either way)."""
    try:
        with transaction.atomic():
            model.objects.filter(pk=pk).update(**values)
            transaction.set_rollback(True)
    except IntegrityError:
        return False
    return True


@EXAMPLES
@given(precision=st.sampled_from(DeadlinePrecision.values), start=dates, end=dates)
def test_a_deadline_is_refused_by_the_database_exactly_when_its_mirror_says_why(seeded, precision, start, end):
    pledge = Pledge.objects.first()
    errors = deadline_errors(precision=precision, start=start, end=end)
    stored = accepted(Pledge, pledge.pk, deadline_precision=precision, deadline_start=start, deadline_end=end)
    assert (not errors) == stored, errors


@EXAMPLES
@given(
    precision=st.sampled_from(["", *PeriodPrecision.values]),
    start=dates,
    end=dates,
    value=st.none() | st.just(5),
)
@example(precision="day", start=None, end=date(2022, 12, 31), value=5)  # a day another figure ends
def test_a_measured_period_is_refused_by_the_database_exactly_when_its_mirror_says_why(
    seeded, precision, start, end, value
):
    target = Target.objects.exclude(kind=TargetKind.MILESTONES).first()
    update = ProgressUpdate.objects.filter(pledge=target.pledge).first()
    # The target's other measurements set aside: one of them on the same day (the trade figure of
    # 2022, measured to 31 December) is refused by another rule, one measurement a period.
    ProgressUpdate.objects.filter(target=target).exclude(pk=update.pk).update(
        measurement_value=None, target=None, measured_precision="", measured_start=None, measured_end=None
    )
    errors = period_errors(precision=precision, start=start, end=end, has_value=value is not None)
    stored = accepted(
        ProgressUpdate,
        update.pk,
        measured_precision=precision,
        measured_start=start,
        measured_end=end,
        measurement_value=value,
        target=target if value is not None else None,  # a measurement names its target (another rule)
        milestone="",
        measurement_country=None,
    )
    assert (not errors) == stored, errors


@EXAMPLES
# Printable text: control characters are refused before any rule (validate_printable).
@given(
    verdict=st.sampled_from(["", *Verdict.values]),
    ruling=st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=5),
)
def test_a_verdict_without_its_ruling_is_refused_by_both(seeded, verdict, ruling):
    update = ProgressUpdate.objects.first()
    ruling = ruling.strip()  # every writer strips a text (form fields and file cells alike)
    errors = ruling_errors(new_verdict=verdict, ruling=ruling)
    assert (not errors) == accepted(ProgressUpdate, update.pk, new_verdict=verdict, ruling=ruling), errors


@EXAMPLES
@given(
    kind=st.sampled_from(TargetKind.values),
    has_unit=st.booleans(),
    value=st.none() | st.just(10),
    baseline=st.none() | st.just(0),
)
def test_a_target_is_refused_by_the_database_exactly_when_its_mirror_says_why(seeded, kind, has_unit, value, baseline):
    target = Target.objects.first()
    unit = Unit.objects.first() if has_unit else None
    steps = ["survey", "opening"] if kind == TargetKind.MILESTONES else []  # named as the mirror asks
    errors = target_errors(unit=unit, target=value, baseline=baseline, kind=kind, milestones=steps)
    stored = accepted(
        Target, target.pk, kind=kind, unit=unit, target_value=value, baseline_value=baseline, milestones=steps
    )
    assert (not errors) == stored, errors


@EXAMPLES
@given(follows=st.booleans(), how=st.sampled_from(["", *FollowUp.values]))
def test_a_follow_up_is_refused_by_the_database_exactly_when_its_mirror_says_why(seeded, follows, how):
    earlier, later = Pledge.objects.order_by("announced_on", "pk")[:2]
    followed = earlier if follows else None
    errors = follow_up_errors(follows=followed, how=how, slug=later.slug, announced_on=later.announced_on)
    assert (not errors) == accepted(Pledge, later.pk, follows=followed, follow_up=how), errors


@EXAMPLES
@given(day=st.dates(min_value=date(1800, 1, 1), max_value=date(2300, 12, 31)))
def test_a_date_outside_the_trackers_range_is_refused_by_both(seeded, day):
    pledge = Pledge.objects.first()
    error = date_range_error(day)
    assert (error is None) == accepted(Pledge, pledge.pk, last_reviewed_on=day), error


@EXAMPLES
@given(scheme=st.sampled_from(["http", "https", "HTTPS", "Http", "ftp", "javascript", "file", ""]))
def test_an_address_that_is_not_http_is_refused_by_both(seeded, scheme):
    # The database checks the scheme only (the rest of an address is the form's and the file's
    # to judge), so the addresses differ in their scheme alone; each is stored as every writer
    # stores it, normalised.
    pledge = Pledge.objects.first()
    address = normalised_url(f"{scheme}://example.org/reports/2025/trade.html" if scheme else "example.org/x")
    try:
        validate_http_url(address)
        refused = False
    except ValidationError:
        refused = True
    assert refused != accepted(Pledge, pledge.pk, source_url=address), address
