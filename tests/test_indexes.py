"""Queries at scale are answered from indexes (PostgreSQL's plans, read with EXPLAIN)."""

import pytest
from django.db import connection

from pledges.public import selectors
from pledges.public.filters import PledgeFilterSet
from tests.volume import add_pledges

pytestmark = pytest.mark.django_db


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the full-text index is PostgreSQL's")
def test_the_overview_search_reads_the_full_text_index(seeded):
    add_pledges(3000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pledges_pledge")
    query = PledgeFilterSet({"q": "sister cities"}, selectors.public_pledges()).qs
    plan = query.explain()
    assert "pledge_search" in plan and "Seq Scan" not in plan, plan
    assert list(query.values_list("slug", flat=True)) == ["sister-cities-100-pairs"]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the full-text index is PostgreSQL's")
def test_the_search_reads_the_updates_words_from_their_index(seeded):
    from pledges.models import ProgressUpdate, update_search_vector

    add_pledges(3000, updates_each=3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pledges_progressupdate")
    from django.contrib.postgres.search import SearchQuery

    updates = ProgressUpdate.objects.alias(words=update_search_vector()).filter(
        words=SearchQuery("visa", config="english", search_type="websearch")
    )
    plan = updates.explain()
    assert "update_search" in plan and "Seq Scan" not in plan, plan
    found = PledgeFilterSet({"q": "visa"}, selectors.public_pledges()).qs
    assert list(found.values_list("slug", flat=True)) == ["fast-tracks-for-people"]
