"""The subscriptions' sweep: confirmations to send, digests due, and addresses to forget.

As the reminders' sweep (pledges.reminders.sweep), it is state-based and claims before it sends:

1. unconfirmed subscriptions older than PLEDGES_SUBSCRIPTION_CONFIRM_DAYS are deleted, and the
   confirmation requests counted for the daily limit once a day old;
2. each confirmation not yet sent is claimed (a conditional update) and sent;
3. for each subscription due (at once: every sweep; weekly: a week after its last digest) the
   change log is read for what it follows, since it was confirmed, in its language, and each
   change is claimed by inserting a DigestItem row (unique per subscription and change), so a
   sweep that runs twice, late or concurrently sends nothing twice;
4. what failed before, or a dead sweep claimed, is taken over; each subscription's claimed
   changes go out in one e-mail, recorded as sent straight after the server accepted it.
"""

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db.models import Q
from django.utils import timezone, translation

from pledges.models import ConfirmationRequest, DigestItem, SiteText, Subscription
from pledges.public.changes import changes
from pledges.subscriptions import mail

logger = logging.getLogger(__name__)
Frequency, Status = Subscription.Frequency, DigestItem.Status
# A digest lists at most this many changes (the newest), and links to the log for the rest.
DIGEST_SIZE = 100
# Changes older than this are not sent late, and their DigestItem rows are then deleted.
LOOKBACK = timedelta(days=30)
WEEK = timedelta(days=7)


@dataclass
class SubscriptionReport:
    """What one sweep did, for logs, the command line and tests."""

    forgotten: int = 0
    confirmations: int = 0
    digests: int = 0
    changes: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)

    def __str__(self):
        return (
            f"{self.confirmations} confirmations sent, {self.changes} changes sent in {self.digests} digests, "
            f"{self.failed} failed, {self.forgotten} unconfirmed addresses forgotten"
        )


def sweep(now=None):
    """Forget, confirm, send. Safe to run at any time, twice, or concurrently."""
    now = now or timezone.now()
    report = SubscriptionReport()
    report.forgotten, _kinds = Subscription.objects.filter(
        confirmed_at=None, created_at__lt=now - timedelta(days=settings.PLEDGES_SUBSCRIPTION_CONFIRM_DAYS)
    ).delete()
    ConfirmationRequest.objects.filter(requested_at__lt=now - timedelta(days=1)).delete()
    DigestItem.objects.filter(changed_at__lt=now - LOOKBACK - WEEK).delete()
    connection = get_connection(fail_silently=False)
    site = SiteText.current()
    try:
        _send_confirmations(now, connection, site, report)
        _send_digests(now, connection, site, report)
    finally:
        connection.close()
    logger.info("Subscription sweep: %s", report)
    return report


def _orphaned(now):
    """Claims older than this belong to a sweep that died (longer than any task may run)."""
    return now - timedelta(seconds=settings.PLEDGES_REMINDER_CLAIM_TIMEOUT_SECONDS)


def _send_confirmations(now, connection, site, report):
    waiting = Subscription.objects.filter(confirmed_at=None, confirmation_sent_at=None).filter(
        Q(confirmation_claimed_at=None) | Q(confirmation_claimed_at__lt=_orphaned(now))
    )
    for subscription in waiting.select_related("pledge", "event", "country").order_by("pk")[:1000]:
        claimed = Subscription.objects.filter(
            pk=subscription.pk, confirmation_sent_at=None, confirmation_claimed_at=subscription.confirmation_claimed_at
        ).update(confirmation_claimed_at=now)
        if not claimed:  # another sweep has it, or the reader asked again meanwhile
            continue
        mine = Subscription.objects.filter(pk=subscription.pk, confirmation_claimed_at=now)
        try:
            mail.confirmation(subscription, connection=connection, site=site).send()
        except Exception as error:  # the server refused or is down: the next sweep tries again
            mine.update(confirmation_claimed_at=None)
            _failed(report, connection, "confirmation", error)
            continue
        mine.update(confirmation_sent_at=timezone.now())
        report.confirmations += 1


def _due(now):
    weekly_due = Q(last_digest_at__lte=now - WEEK) | Q(last_digest_at=None, confirmed_at__lte=now - WEEK)
    return (
        Subscription.objects.filter(confirmed_at__isnull=False)
        .filter(Q(frequency=Frequency.AT_ONCE) | (Q(frequency=Frequency.WEEKLY) & weekly_due))
        .select_related("pledge", "event", "country")
        .order_by("pk")
    )


def _changes_followed(subscriptions, since):
    """The log's changes since `since` for what these subscriptions (one scope, one followed
    record, one language) follow: (changes, whether there were more)."""
    first = subscriptions[0]
    filters = {"event": first.event.slug} if first.event else {"country": first.country.code} if first.country else {}
    with translation.override(first.language):
        return changes(filters, size=DIGEST_SIZE, since=since, pledge=first.pledge, added=True)


def _send_digests(now, connection, site, report):
    claim = uuid.uuid4().hex
    due = list(_due(now))
    groups = defaultdict(list)
    for subscription in due:
        groups[(subscription.scope, subscription.followed, subscription.language)].append(subscription)
    found, wanted, more = {}, [], set()
    for subscriptions in groups.values():
        since = max(now - LOOKBACK, min(subscription.confirmed_at for subscription in subscriptions))
        entries, truncated = _changes_followed(subscriptions, since)
        for subscription in subscriptions:
            for change in entries:
                if change.at >= subscription.confirmed_at:
                    found[(subscription.pk, change.key)] = change
                    wanted.append(
                        DigestItem(
                            subscription=subscription,
                            change=change.key,
                            changed_at=change.at,
                            claim=claim,
                            claimed_at=now,
                        )
                    )
            if truncated:
                more.add(subscription.pk)
    # The claim: changes another sweep holds, or sent already, are skipped by the database.
    DigestItem.objects.bulk_create(wanted, ignore_conflicts=True, batch_size=1000)
    DigestItem.objects.filter(
        Q(status=Status.FAILED) | Q(status=Status.CLAIMED, claimed_at__lt=_orphaned(now)),
        subscription__in=[subscription.pk for subscription in due],
    ).update(status=Status.CLAIMED, claim=claim, claimed_at=now)
    claimed = defaultdict(list)
    for subscription_id, key in DigestItem.objects.filter(claim=claim, status=Status.CLAIMED).values_list(
        "subscription_id", "change"
    ):
        claimed[subscription_id].append(key)
    for subscription in due:
        keys = claimed.get(subscription.pk, [])
        items = [found[(subscription.pk, key)] for key in keys if (subscription.pk, key) in found]
        mine = DigestItem.objects.filter(subscription=subscription, claim=claim, status=Status.CLAIMED)
        if len(items) < len(keys):  # a change the log no longer shows (its pledge withdrawn): not news
            mine.exclude(change__in=[change.key for change in items]).delete()
        if items:
            items.sort(key=lambda change: change.at)
            try:
                message = mail.digest(
                    subscription, items, more=subscription.pk in more, connection=connection, site=site
                )
                message.send()
            except Exception as error:
                mine.update(status=Status.FAILED)
                _failed(report, connection, "digest", error)
                continue
            # Recorded straight after the server accepted it, one subscriber at a time.
            mine.update(status=Status.SENT, sent_at=timezone.now())
            report.digests += 1
            report.changes += len(items)
        if items or subscription.frequency == Frequency.WEEKLY:  # a week from now, news or not
            Subscription.objects.filter(pk=subscription.pk).update(last_digest_at=now)


def _failed(report, connection, what, error):
    report.failed += 1
    report.errors.append(f"{what}: {error}")
    logger.warning("Subscription %s failed, to be retried: %s", what, error)
    connection.close()  # a broken connection is reopened for the next e-mail
