"""Run the subscriptions' sweep once, without a broker: for cron, or by hand."""

from django.core.management.base import BaseCommand

from pledges.subscriptions import sweep


class Command(BaseCommand):
    help = (
        "Send the readers' confirmations and digests that are due now, and forget unconfirmed "
        "addresses (the same sweep Celery beat runs)."
    )

    def handle(self, *args, **options):
        report = sweep()
        self.stdout.write(str(report))
        if report.failed:
            self.stderr.write(f"{report.failed} e-mails could not be sent; the next sweep retries them.")
            raise SystemExit(1)
