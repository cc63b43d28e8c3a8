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


def request_sweep():
    """Ask a worker to sweep now (after an editor's save), without letting the broker fail the save.

    Called on commit. If the broker is down, the next scheduled sweep sends whatever is due.
    """
    try:
        # A connection of its own, made now from the current settings, closed straight after.
        with send_reminders.app.connection_for_write() as connection:
            send_reminders.apply_async(connection=connection, retry=False)
    except Exception as error:  # kombu's OperationalError, a refused connection, a timeout ...
        logger.warning("Could not ask for a reminder sweep (%s); the next scheduled sweep will run it.", error)
