"""Celery tasks: thin wrappers that call the project's own code."""

from celery import shared_task

from . import reminders


@shared_task(name="pledges.send_reminders")
def send_reminders():
    """Beat's periodic reminder sweep (see pledges.reminders.sweep). Idempotent, so it is
    acknowledged late and may safely run again after a crash."""
    return str(reminders.sweep())
