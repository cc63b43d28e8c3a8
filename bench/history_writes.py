"""Audit history written in bulk: services.history.record_history (COPY, parties included)
against simple-history's own bulk_history_create, in one process, on PostgreSQL.

    make bench-history

It runs in a test database of its own beside BENCH_DATABASE_URL's (created, migrated, given
10,000 generated pledges, then dropped). Each write is rolled back; the best of three of each
is printed, with their ratio.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLEDGES = 10_000


def main():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import connection

    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        measure()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def measure():
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from bench.volume import generate
    from pledges.models import Pledge
    from pledges.services.history import record_history

    fixtures = (ROOT / "fixtures" / f"{name}.json" for name in ("countries", "topics", "units"))
    call_command("loaddata", *fixtures, verbosity=0)
    generate(PLEDGES)
    pledges = list(Pledge.objects.order_by("pk"))

    def ours():
        record_history(Pledge, pledges, created=False, reason="bench")

    def library():
        Pledge.history.bulk_history_create(
            pledges, update=True, default_change_reason="bench", default_date=timezone.now(), batch_size=2000
        )

    best = {}
    for name, write in (("bulk_history_create", library), ("record_history", ours)) * 3:
        with transaction.atomic():
            started = time.perf_counter()
            write()
            took = time.perf_counter() - started
            transaction.set_rollback(True)
        best[name] = min(took, best.get(name, took))
    print(f"{len(pledges):,} pledges' history rows, best of 3:")
    for name, took in best.items():
        print(f"  {name:<20} {took * 1000:7.0f} ms")
    print(f"  record_history is {best['bulk_history_create'] / best['record_history']:.2f}x as fast")


if __name__ == "__main__":
    main()
