"""E-mail for readers who follow the record: the confirmation of a subscription and the digests
of what changed (`sweep`), each change sent to each subscription once. Beat's periodic task and
`manage.py send_subscriptions` both call `sweep()`; a reader's asking asks a worker for one too."""

from pledges.subscriptions.sweep import SubscriptionReport, sweep

__all__ = ["SubscriptionReport", "sweep"]
