"""The pledge list read in its own order from two indexes, counted by estimate."""

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import cached_property

from pledges.models import SETTLED_VERDICTS


class EstimatedCountPaginator(Paginator):
    """A paginator that does not count every row of a very large, unfiltered table.

    On PostgreSQL an unfiltered list takes the planner's row estimate once it passes
    `exact_below` rows (counting is a full scan there); filtered lists and smaller tables are
    counted exactly.
    """

    exact_below = 100_000

    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [query.model._meta.db_table]
                )
                row = cursor.fetchone()
            if row and row[0] >= self.exact_below:
                return row[0]
        return super().count


def open_deadline(today=None):
    """A pledge whose deadline has not passed and whose verdict is not settled."""
    return Q(deadline_end__gte=today or timezone.localdate()) & ~Q(verdict__in=SETTLED_VERDICTS)


class OpenFirstPaginator(EstimatedCountPaginator):
    """The pledge list in its own order, open deadlines first, read as two index-ordered parts.

    Sorting by "open first" is an expression of today's date that no index serves: at 1,000,000
    pledges PostgreSQL sorted every row for each page (0.9 s, bench/RESULTS.md). The open pledges
    (by deadline, then title) and then the others (the same) are each read from an index, and a
    page takes its rows from the first part, then the second.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        listed = self.object_list
        open_part = listed.filter(open_deadline()).order_by("deadline_end", "title", "pk")
        other_part = listed.exclude(open_deadline()).order_by(F("deadline_end").asc(nulls_last=True), "title", "pk")
        ids = list(open_part.values_list("pk", flat=True)[bottom:top])
        if len(ids) < top - bottom:  # the page reaches past the open part
            open_count = bottom + len(ids) if ids else open_part.count()
            ids += list(other_part.values_list("pk", flat=True)[max(bottom - open_count, 0) : top - open_count])
        by_id = {pledge.pk: pledge for pledge in listed.filter(pk__in=ids).order_by()}
        return self._get_page([by_id[pk] for pk in ids if pk in by_id], number, self)
