"""Celery tasks: thin wrappers that call the project's own code."""

from celery import shared_task

from . import reminders


@shared_task(name="pledges.send_reminders")
def send_reminders():
    """Beat's periodic reminder sweep (see pledges.reminders.sweep). Idempotent, so it is
    acknowledged late and may safely run again after a crash."""
    return str(reminders.sweep())


@shared_task(name="pledges.check_import")
def check_import(job_id):
    """The dry run of a large admin import (pledges.files.jobs)."""
    from .files.jobs import import_job_check

    return import_job_check(job_id)


@shared_task(name="pledges.write_import")
def write_import(job_id):
    """Write a large admin import the editor confirmed (pledges.files.jobs)."""
    from .files.jobs import import_job_write

    return import_job_write(job_id)
