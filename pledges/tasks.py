"""Celery tasks: thin wrappers that call the project's own code."""

from celery import shared_task

from pledges.queue import enqueue
from pledges.reminders import sweep


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


@shared_task(name="pledges.end_dead_import_jobs")
def end_dead_import_jobs():
    """Beat's sweep of background imports whose worker died or whose check waited too long
    (pledges.files.jobs.end_dead_jobs, also run by a job's page and a redelivered task)."""
    from pledges.files.jobs import end_dead_jobs

    return end_dead_jobs()


@shared_task(name="pledges.send_subscriptions")
def send_subscriptions():
    """Beat's periodic sweep of the readers' subscriptions: confirmations, digests, addresses to
    forget (see pledges.subscriptions.sweep). Idempotent, as the reminders' sweep."""
    from pledges.subscriptions import sweep as subscription_sweep

    return str(subscription_sweep())


def request_subscription_sweep():
    """Ask a worker to send a confirmation now (after a reader asked), without failing the page;
    if the broker is down, the next scheduled sweep sends it."""
    enqueue(send_subscriptions.name, if_down="the next scheduled sweep will send it.")


def request_sweep():
    """Ask a worker to sweep now (after an editor's save), without letting the broker fail the save.

    Called on commit. If the broker is down, the next scheduled sweep sends whatever is due.
    """
    enqueue(send_reminders.name, if_down="the next scheduled sweep will run it.")
