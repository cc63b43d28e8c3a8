"""Celery tasks: thin wrappers that call the project's own code."""

import logging

from celery import shared_task

from pledges.reminders import sweep

logger = logging.getLogger(__name__)


@shared_task(name="pledges.send_reminders")
def send_reminders():
    """Beat's periodic reminder sweep (see pledges.reminders.sweep). Idempotent, so it is
    acknowledged late and may safely run again after a crash."""
    return str(sweep())


@shared_task(name="pledges.check_links")
def check_links():
    """Beat's periodic check of the sources' links (see pledges.links.sweep)."""
    from pledges.links import sweep as link_sweep

    return link_sweep()


@shared_task(name="pledges.check_import")
def check_import(job_id):
    """The dry run of a large admin import (pledges.files.jobs)."""
    from pledges.files.jobs import import_job_check

    return import_job_check(job_id)


@shared_task(name="pledges.write_import")
def write_import(job_id):
    """Write a large admin import the editor confirmed (pledges.files.jobs)."""
    from pledges.files.jobs import import_job_write

    return import_job_write(job_id)


@shared_task(name="pledges.send_subscriptions")
def send_subscriptions():
    """Beat's periodic sweep of the readers' subscriptions: confirmations, digests, addresses to
    forget (see pledges.subscriptions.sweep). Idempotent, as the reminders' sweep."""
    from pledges.subscriptions import sweep as subscription_sweep

    return str(subscription_sweep())


def request_subscription_sweep():
    """Ask a worker to send a confirmation now (after a reader asked), without failing the page."""
    _enqueue(send_subscriptions, "subscription sweep")


def request_sweep():
    """Ask a worker to sweep now (after an editor's save), without letting the broker fail the save.

    Called on commit. If the broker is down, the next scheduled sweep sends whatever is due.
    """
    _enqueue(send_reminders, "reminder sweep")


def _enqueue(task, what):
    """Queue `task` now; if the broker is down, say so in the log and leave it to beat's schedule."""
    try:
        # A connection of its own, made now from the current settings, closed straight after.
        with task.app.connection_for_write() as connection:
            task.apply_async(connection=connection, retry=False)
    except Exception as error:  # kombu's OperationalError, a refused connection, a timeout ...
        logger.warning("Could not ask for a %s (%s); the next scheduled sweep will run it.", what, error)
