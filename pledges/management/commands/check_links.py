"""Check the sources' links once, without a broker: for cron, or by hand."""

from django.core.management.base import BaseCommand

from pledges.links import sweep


class Command(BaseCommand):
    help = "Check the links of the sources checked longest ago (the same sweep Celery beat runs)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, help="At most this many sources (default PLEDGES_LINK_CHECK_BATCH).")

    def handle(self, *args, limit=None, **options):
        checked, broken = sweep(limit=limit)
        self.stdout.write(f"{checked} sources checked, {broken} broken")
