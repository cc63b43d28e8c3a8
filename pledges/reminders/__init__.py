"""Reminders: which are due (`sweep`), and the e-mail that tells each editor (`digest`)."""

from pledges.reminders.digest import describe, digest
from pledges.reminders.sweep import Due, SweepReport, due_reminders, next_check_on, recipients_for, sweep

__all__ = ["Due", "SweepReport", "describe", "digest", "due_reminders", "next_check_on", "recipients_for", "sweep"]
