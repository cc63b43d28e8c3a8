"""The verdict tally the database keeps: it agrees with a count of the pledges after every kind of write."""

from datetime import date, timedelta

import pytest
from django.db.models import Count

from pledges.models import DeadlineState, Pledge, Verdict, VerdictTally
from pledges.public import selectors
from tests.factories import a_pledge
from tests.volume import add_pledges

pytestmark = pytest.mark.django_db
DAYS = [date(2020, 1, 1), date(2026, 12, 1), date(2028, 6, 30), date(2031, 1, 1)]


def assert_agrees():
    live = dict(Pledge.objects.filter(is_published=True).values_list("verdict").annotate(n=Count("pk")).order_by())
    assert selectors.verdict_counts() == [(Verdict(v), live.get(v, 0)) for v in Verdict.values]
    for day in DAYS:
        counted = Pledge.objects.filter(is_published=True).in_deadline_state(DeadlineState.OVERDUE, day).count()
        assert selectors.overdue_count(day) == counted, day


def test_the_tally_follows_saves_bulk_writes_updates_and_deletes(seeded):
    assert_agrees()  # the seeds, imported in bulk
    pledge = Pledge.objects.filter(is_published=True).first()
    pledge.verdict = Verdict.BROKEN
    pledge.deadline_precision, pledge.deadline_start, pledge.deadline_end = "day", None, date(2025, 1, 1)
    pledge.save()
    assert_agrees()
    Pledge.objects.filter(pk__in=list(Pledge.objects.values_list("pk", flat=True)[:5])).update(is_published=False)
    assert_agrees()
    Pledge.objects.update(deadline_precision="undated", deadline_start=None, deadline_end=None)  # all at once
    assert_agrees()
    Pledge.objects.filter(is_published=False).update(verdict=Verdict.KEPT)  # drafts count for nothing
    assert_agrees()
    add_pledges(300)
    add_pledges(20, published=False)
    assert_agrees()
    Pledge.objects.filter(slug__startswith="volume-").delete()
    assert_agrees()
    a_pledge(deadline_end=date(2027, 3, 1), verdict=Verdict.STALLED, is_published=True)
    assert_agrees()


def test_a_write_that_changes_no_count_leaves_the_tally_alone(seeded):
    before = list(VerdictTally.objects.order_by("pk").values_list("pk", "verdict", "deadline_day", "n"))
    Pledge.objects.update(remind_after=date.today() + timedelta(days=3), last_reviewed_on=date(2026, 11, 30))
    assert list(VerdictTally.objects.order_by("pk").values_list("pk", "verdict", "deadline_day", "n")) == before


def test_the_overview_reads_its_counts_from_the_tally(client, seeded):
    # A number only the tally holds (no count of pledges gives it) shows on the page.
    VerdictTally.objects.filter(verdict=Verdict.KEPT).delete()
    VerdictTally.objects.create(verdict=Verdict.KEPT, deadline_day=date(2030, 1, 1), n=99)
    page = client.get("/en/").content.decode()
    assert '<a class="count" href="?verdict=kept"><strong>99</strong>' in page


def test_emptying_the_pledges_empties_the_tally_whatever_comes_first(seeded):
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # (the seed import's checks, still pending)
            cursor.execute("TRUNCATE pledges_pledge CASCADE")
        else:  # what a flush does, table by table, the tally perhaps first
            cursor.execute("DELETE FROM pledges_verdicttally")
            for table in (
                "pledges_source",
                "pledges_progressupdate",
                "pledges_target",
                "pledges_pledge_parties",
                "pledges_pledge_beneficiaries",
                "pledges_reminder",
                "pledges_pledge",
            ):
                cursor.execute(f"DELETE FROM {table}")
    assert not VerdictTally.objects.exists()
    add_pledges(3)
    assert_agrees()
