"""Deadline and review reminders: what is due, and the sweep that sends each one exactly once.

The sweep is state-based: it asks which reminders are due now (not "which fall due today"), so
a sweep that runs late catches up and one that runs twice finds nothing new. It

1. reads the pledges whose `remind_after` has come (an indexed query),
2. claims every due reminder by inserting a Reminder row: a unique constraint per pledge,
   recipient, kind and due date makes a second claim impossible, whoever makes it,
3. takes over reminders that failed before, or that a dead sweep claimed and never sent,
4. sends one digest per recipient and records each outcome at once, and
5. stores, per pledge, the next day something will fall due.

Beat's periodic task (pledges.tasks) and `manage.py send_reminders` both call `sweep()`.
"""

import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from pledges.models import SETTLED_VERDICTS, Pledge, Reminder, SiteText
from pledges.reminders.digest import digest
from pledges.roles import EDITORS

logger = logging.getLogger(__name__)
Kind = Reminder.Kind
# Reminders of a moment that happened, as against "approaching", a state that holds until the end.
EVENT_KINDS = frozenset({Kind.WINDOW_OPENS, Kind.DEADLINE_PASSED})
# Due pledges are read this many at a time.
SWEEP_BATCH_SIZE = 2000
# A pledge written this recently may have been read by the sweep before the write committed;
# its next check is left to the following sweep rather than computed from what may be stale.
RECENT_WRITE = timedelta(minutes=5)


@dataclass(frozen=True)
class Due:
    """One reminder a pledge needs now: what kind, and the day it fell due."""

    kind: str
    due_on: date
    lead_days: int | None = None


def due_reminders(pledge, today):
    """The reminders `pledge` needs on `today`, whoever gets them.

    - A dated deadline not yet settled (Kept, Partially kept, Broken): "approaching" once the
      nearest lead time has been crossed (at 25 days left, the 30-day one; a lead time crossed
      earlier and missed is not sent late, the nearer one says more), and "passed" once the
      window's end is behind.
    - A window with a start ("in 5 to 10 years"): "opens" while the window is open.
    - Any pledge: "review due" once it has not been reviewed (or, never reviewed, since it was
      created) for PLEDGES_REVIEW_INTERVAL_DAYS, and again each interval after.

    "Opens" and "passed" are not sent for a moment before the pledge was recorded, or more than
    PLEDGES_REMINDER_STALE_DAYS before `today`.
    """
    due = []
    end, start = pledge.deadline_end, pledge.deadline_start
    if end is not None and pledge.verdict not in SETTLED_VERDICTS:
        if today > end:
            due.append(Due(Kind.DEADLINE_PASSED, end + timedelta(days=1)))
        else:
            crossed = [lead for lead in settings.PLEDGES_REMINDER_LEAD_DAYS if today >= end - timedelta(days=lead)]
            if crossed:
                lead = min(crossed)
                due.append(Due(Kind.DEADLINE_NEAR, end - timedelta(days=lead), lead))
            if start is not None and start <= today:
                due.append(Due(Kind.WINDOW_OPENS, start))
    # An event (a window opening, a deadline passing) already past when the pledge was recorded
    # is not news (a pledge imported long after); nor is one long past when first seen (a date an
    # edit moved back), though a sweep after a short outage still catches up. "Approaching" is
    # not an event but a state, true while the deadline is ahead, so it is always news.
    recorded = timezone.localdate(pledge.created_at)
    stale_before = today - timedelta(days=settings.PLEDGES_REMINDER_STALE_DAYS)
    due = [
        item
        for item in due
        if item.kind not in EVENT_KINDS or (item.due_on >= recorded and item.due_on >= stale_before)
    ]
    review_due = _review_due_on(pledge, today)
    if review_due <= today:
        due.append(Due(Kind.REVIEW_DUE, review_due))
    return due


def _review_base(pledge):
    return pledge.last_reviewed_on or timezone.localdate(pledge.created_at)


def _review_due_on(pledge, today):
    """The latest review date on or before `today` (or the first one, if that is still ahead)."""
    base, interval = _review_base(pledge), settings.PLEDGES_REVIEW_INTERVAL_DAYS
    periods = max((today - base).days // interval, 1)
    return base + timedelta(days=interval * periods)


def next_check_on(pledge, today):
    """The first day after `today` on which `pledge` may need a reminder it does not need today."""
    # The review date after today's: the one due on or before a day one interval on.
    moments = [_review_due_on(pledge, today + timedelta(days=settings.PLEDGES_REVIEW_INTERVAL_DAYS))]
    end, start = pledge.deadline_end, pledge.deadline_start
    if end is not None and pledge.verdict not in SETTLED_VERDICTS:
        moments += [end - timedelta(days=lead) for lead in settings.PLEDGES_REMINDER_LEAD_DAYS]
        moments += [end + timedelta(days=1)] + ([start] if start else [])
    return min(moment for moment in moments if moment > today)


UNSCHEDULED_SHOWN = 200


def upcoming(today, limit=20):
    """The next reminders the sweep will send, soonest first: (pledge, the day, what falls due
    that day), for at most `limit` pledges. A pledge's day is the sweep's own next check
    (`remind_after`), or, for one written since the last sweep, worked out as the sweep would."""
    scheduled = list(
        Pledge.objects.filter(remind_after__gt=today).select_related("owner").order_by("remind_after", "pk")[:limit]
    )
    unscheduled = Pledge.objects.filter(Q(remind_after__isnull=True) | Q(remind_after__lte=today))
    days = {pledge.pk: pledge.remind_after for pledge in scheduled}
    # Pledges written since the last sweep have no next check yet; the sweep gives them one within
    # the minute, so a few hundred of them are enough to show.
    for pledge in unscheduled.select_related("owner").order_by("pk")[:UNSCHEDULED_SHOWN]:
        due_now = due_reminders(pledge, today)
        days[pledge.pk] = today if due_now else next_check_on(pledge, today)
        scheduled.append(pledge)
    soonest = sorted({pledge.pk: pledge for pledge in scheduled}.values(), key=lambda p: (days[p.pk], p.pk))[:limit]
    rows = []
    for pledge in soonest:
        due = due_reminders(pledge, days[pledge.pk])
        rows.append((pledge, days[pledge.pk], [item for item in due if item.due_on == days[pledge.pk]] or due))
    return rows


@dataclass
class SweepReport:
    """What one sweep did, for logs, the command line and tests."""

    pledges_checked: int = 0
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    digests: int = 0
    errors: list = field(default_factory=list)
    stopped_early: bool = False  # the time budget ran out; the next sweep goes on from here

    def __str__(self):
        return (
            f"{self.pledges_checked} pledges checked, {self.claimed} reminders claimed, "
            f"{self.sent} sent in {self.digests} digests, {self.failed} failed"
            + ("; stopped at the time budget, the next sweep goes on" if self.stopped_early else "")
        )


def recipients_for(pledge, editors):
    """Who hears about `pledge`: its owner, or, when it has none, every editor."""
    if pledge.owner_id and pledge.owner.is_active and pledge.owner.email:
        return [pledge.owner]
    return editors


def sweep(today=None, *, batch_size=SWEEP_BATCH_SIZE, time_budget=None):
    """Find, claim, send and record every reminder due now. Safe to run at any time, twice, or
    concurrently.

    Due pledges are read `batch_size` at a time, in key order, and each batch is claimed and
    given its next check day before the next is read, so memory stays flat however many are due.
    Past `time_budget` seconds (PLEDGES_REMINDER_SWEEP_BUDGET_SECONDS) of reading, the sweep
    stops reading and sends what it claimed: a backlog (the first sweep after a large import)
    is worked through by successive sweeps, each within the task's time limit, each going on
    where the last stopped (the pledges it examined are no longer due). The queries grow with
    the number of batches and recipients, not with the number of pledges.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    report = SweepReport()
    claim = uuid.uuid4().hex
    budget = settings.PLEDGES_REMINDER_SWEEP_BUDGET_SECONDS if time_budget is None else time_budget
    stop_reading_at = time.monotonic() + budget

    editors = list(
        get_user_model().objects.filter(groups__name=EDITORS, is_active=True).exclude(email="").order_by("pk")
    )
    due = (
        Pledge.objects.filter(Q(remind_after__isnull=True) | Q(remind_after__lte=today))
        .select_related("owner")
        .order_by("pk")
    )
    last_pk = 0
    while batch := list(due.filter(pk__gt=last_pk)[:batch_size]):
        report.pledges_checked += len(batch)
        _claim_and_schedule(batch, editors, claim, today, now, report)
        last_pk = batch[-1].pk
        if time.monotonic() >= stop_reading_at:
            report.stopped_early = True
            break
    # Take over what failed before, and claims whose sweep died (older than any live sweep).
    orphaned = now - timedelta(seconds=settings.PLEDGES_REMINDER_CLAIM_TIMEOUT_SECONDS)
    Reminder.objects.filter(
        Q(status=Reminder.Status.FAILED) | Q(status=Reminder.Status.CLAIMED, claimed_at__lt=orphaned)
    ).update(status=Reminder.Status.CLAIMED, claim=claim, claimed_at=now)
    mine = list(
        Reminder.objects.filter(claim=claim, status=Reminder.Status.CLAIMED)
        .select_related("pledge", "recipient__editor_settings")
        .order_by("recipient_id", "pledge__deadline_end", "pledge_id", "kind")
    )
    report.claimed = len(mine)
    _send_digests(mine, claim, today, report)
    logger.info("Reminder sweep: %s", report)
    return report


def _claim_and_schedule(pledges, editors, claim, today, now, report):
    """Claim every reminder these pledges need today, and store when each needs looking at next."""
    wanted, next_checks = [], {}
    for pledge in pledges:
        try:
            due_now, next_checks[pledge.pk] = due_reminders(pledge, today), next_check_on(pledge, today)
        except Exception:  # one pledge's bad data must not stop everyone else's reminders
            logger.exception("Reminder sweep: skipped pledge %s (%s); looking again tomorrow", pledge.pk, pledge.slug)
            report.errors.append(f"pledge {pledge.slug}: could not compute its reminders")
            next_checks[pledge.pk] = today + timedelta(days=1)
            continue
        wanted += [
            Reminder(
                pledge=pledge,
                recipient=recipient,
                kind=due.kind,
                due_on=due.due_on,
                lead_days=due.lead_days,
                claim=claim,
                claimed_at=now,
            )
            for due in due_now
            for recipient in recipients_for(pledge, editors)
        ]
    # The claim: rows another sweep already holds (sent or not) are skipped by the database.
    Reminder.objects.bulk_create(wanted, ignore_conflicts=True)
    # Scheduled now, not after sending: a claimed reminder is sent by this sweep or, if it dies,
    # taken over by a later one, so the pledge need not be looked at again for it.
    _schedule_next_checks(next_checks, now)


def _send_digests(reminders, claim, today, report):
    by_recipient = defaultdict(list)
    for reminder in reminders:
        by_recipient[reminder.recipient].append(reminder)
    if not by_recipient:
        return
    connection = get_connection(fail_silently=False)
    site = SiteText.current()  # read once; each digest takes the name in its recipient's language
    for recipient, items in by_recipient.items():
        ids = [item.pk for item in items]
        try:
            digest(recipient, items, today, connection=connection, site=site).send()
        except Exception as error:  # SMTP refused, server down, time limit ...: retried next sweep
            Reminder.objects.filter(pk__in=ids, claim=claim).update(
                status=Reminder.Status.FAILED,
                last_error=f"{type(error).__name__}: {error}"[:2000],
                attempts=F("attempts") + 1,
            )
            report.failed += len(ids)
            report.errors.append(str(error))
            logger.warning("Reminder digest to %s failed, to be retried: %s", recipient.email, error)
            connection.close()  # a broken connection is reopened for the next recipient
            continue
        # Recorded straight after the server accepted the digest, one recipient at a time.
        Reminder.objects.filter(pk__in=ids, claim=claim).update(
            status=Reminder.Status.SENT, sent_at=timezone.now(), last_error="", attempts=F("attempts") + 1
        )
        report.sent += len(ids)
        report.digests += 1
    connection.close()


def _schedule_next_checks(next_checks, now):
    """Store each pledge's next check day ({pk: day})."""
    if not next_checks:
        return
    next_on = Case(*[When(pk=pk, then=Value(day)) for pk, day in next_checks.items()])
    # A pledge written since we read it keeps remind_after empty: the next sweep reads it afresh.
    Pledge.objects.filter(pk__in=list(next_checks), updated_at__lt=now - RECENT_WRITE).update(remind_after=next_on)
