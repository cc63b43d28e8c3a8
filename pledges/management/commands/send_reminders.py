"""Run the reminder sweep once, without a broker: for cron, or by hand."""

from django.core.management.base import BaseCommand

from pledges.reminders import sweep


class Command(BaseCommand):
    help = "Send every deadline and review reminder that is due now (the same sweep Celery beat runs)."

    def handle(self, *args, **options):
        report = sweep()
        self.stdout.write(str(report))
        if report.failed:
            self.stderr.write(f"{report.failed} reminders could not be sent; the next sweep retries them.")
            raise SystemExit(1)
