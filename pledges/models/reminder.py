"""The record that an editor is told about a pledge."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .pledge import Pledge


class Reminder(models.Model):
    """A record that an editor is told about a pledge: a deadline near or passed, a window
    opening, a review due.

    The row is the claim: it is written (unique per pledge, recipient, kind and due date) before
    the e-mail is sent, so a sweep that runs twice, late or concurrently sends nothing twice.
    See pledges.reminders.
    """

    class Kind(models.TextChoices):
        DEADLINE_NEAR = "deadline_near", _("Deadline approaching")
        WINDOW_OPENS = "window_opens", _("Window opens")
        DEADLINE_PASSED = "deadline_passed", _("Deadline passed")
        REVIEW_DUE = "review_due", _("Review due")

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Claimed, being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will be retried")

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("pledge"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("recipient")
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    due_on = models.DateField(
        help_text=_("The day it fell due: e.g. 30 days before the deadline."), verbose_name=_("due on")
    )
    lead_days = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("days ahead"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CLAIMED, verbose_name=_("status"))
    claim = models.CharField(max_length=32, help_text=_("The sweep that holds this reminder."), verbose_name=_("claim"))
    claimed_at = models.DateTimeField(default=timezone.now, verbose_name=_("claimed at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "recipient", "kind", "due_on"], name="reminder_once_per_occasion"
            ),
        ]
        indexes = [
            # The sweep's retry query: failed reminders, and claims a killed worker left behind.
            models.Index(fields=["status", "claimed_at"], name="reminder_retry"),
            models.Index(fields=["claim"], name="reminder_claim"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.pledge} → {self.recipient}"
