"""`make run`'s SQLite takes several editors saving at once: each save waits its turn for the
write lock instead of failing with "database is locked" (WAL, IMMEDIATE transactions, a busy
timeout: config/settings/base.py)."""

import threading
import time

import pytest
from django.db import connection, transaction

from pledges.models import Pledge
from tests.factories import a_pledge

pytestmark = pytest.mark.django_db(transaction=True)  # each editor's thread has its own connection


def test_three_editors_saving_six_times_each_at_once_all_succeed(reference_data):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's locking is make run's; PostgreSQL locks rows")
    pledges = [a_pledge(title=f"Pledge {n}") for n in range(3)]
    failures, start = [], threading.Barrier(3, timeout=30)

    def editor_saves(pk, name):
        try:
            start.wait()
            for attempt in range(6):
                # As an admin save is: a transaction that reads the record, then writes it (and
                # its history, and the public version).
                with transaction.atomic():
                    pledge = Pledge.objects.get(pk=pk)
                    time.sleep(0.05)
                    pledge.summary = f"Saved by {name}, {attempt}."
                    pledge.save()
        except Exception as error:
            failures.append(f"{name}: {error}")
        finally:
            connection.close()  # this thread's own

    threads = [threading.Thread(target=editor_saves, args=(p.pk, f"ed{n}")) for n, p in enumerate(pledges)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert sorted(Pledge.objects.values_list("summary", flat=True)) == [f"Saved by ed{n}, 5." for n in range(3)]
