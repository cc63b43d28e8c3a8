"""Readers who follow the record by e-mail: what they follow, and each change sent to them once.

A subscription is kept only while it is wanted: it is written unconfirmed when a reader asks,
confirmed from the link e-mailed to the address (double opt-in), and deleted when the reader
unsubscribes or never confirms. Nothing else about the reader is stored: no name, no opening or
click tracking. The links in its e-mails carry a token signed with the site's secret key, so the
worker that sends them can write them and nobody can guess another's. See pledges.subscriptions.
"""

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .languages import shown
from .pledge import Pledge
from .reference import Country, Event


def address_hash(email):
    """The hash an address is counted under (the confirmation e-mails' daily limit), case folded."""
    return hashlib.sha256(email.strip().casefold().encode()).hexdigest()


TOKENS = signing.Signer(salt="pledges.subscription")


def new_secret():
    return secrets.token_urlsafe(16)


class SubscriptionQuerySet(models.QuerySet):
    def by_token(self, token):
        """The subscription a link's token names (or None: a token forged, or of one deleted)."""
        try:
            pk, secret = TOKENS.unsign(token).split(".", 1)
        except (signing.BadSignature, ValueError):
            return None
        return self.filter(pk=int(pk), secret=secret).first() if pk.isdigit() else None


class Subscription(models.Model):
    """A reader's address following a pledge, an event, a country or everything."""

    class Scope(models.TextChoices):
        EVERYTHING = "all", _("every pledge")
        PLEDGE = "pledge", _("a pledge")
        EVENT = "event", _("an event's pledges")
        COUNTRY = "country", _("a country's pledges")

    class Frequency(models.TextChoices):
        AT_ONCE = "at_once", _("as it happens")
        WEEKLY = "weekly", _("once a week")

    email = models.EmailField(verbose_name=_("e-mail address"))
    scope = models.CharField(max_length=10, choices=Scope.choices, verbose_name=_("follows"))
    pledge = models.ForeignKey(
        Pledge, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("pledge")
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("event")
    )
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("country")
    )
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, verbose_name=_("language"))
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.AT_ONCE, verbose_name=_("how often")
    )
    secret = models.CharField(max_length=32, default=new_secret, editable=False, verbose_name=_("link secret"))
    created_at = models.DateTimeField(default=timezone.now, editable=False, verbose_name=_("asked at"))
    confirmation_claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmation claimed at"))
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmation sent at"))
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))
    last_digest_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last digest at"))

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="all", pledge=None, event=None, country=None)
                    | Q(scope="pledge", pledge__isnull=False, event=None, country=None)
                    | Q(scope="event", event__isnull=False, pledge=None, country=None)
                    | Q(scope="country", country__isnull=False, pledge=None, event=None)
                ),
                name="subscription_follows_one_thing",
            ),
            # One subscription per address and thing followed: asking again changes it.
            models.UniqueConstraint(fields=["email"], condition=Q(scope="all"), name="subscription_once_all"),
            models.UniqueConstraint(fields=["email", "pledge"], name="subscription_once_pledge"),
            models.UniqueConstraint(fields=["email", "event"], name="subscription_once_event"),
            models.UniqueConstraint(fields=["email", "country"], name="subscription_once_country"),
        ]
        indexes = [models.Index(fields=["confirmed_at", "frequency"], name="subscription_due")]

    def __str__(self):
        return f"{self.email}: {self.get_scope_display()}"

    @property
    def token(self):
        """What its e-mails' links carry: its key and secret, signed."""
        return TOKENS.sign(f"{self.pk}.{self.secret}")

    @property
    def followed(self):
        """The pledge, event or country followed (None for everything)."""
        return self.pledge or self.event or self.country

    def followed_words(self):
        """What it follows, in a phrase, in the active language (pages and e-mails say it alike)."""
        if self.scope == self.Scope.PLEDGE:
            return _("the pledge “%(title)s”") % {"title": shown(self.pledge, "title").marked_text()}
        if self.scope == self.Scope.EVENT:
            return _("the pledges made at %(event)s") % {"event": shown(self.event, "name").marked_text()}
        if self.scope == self.Scope.COUNTRY:
            return _("the pledges made to or by %(country)s") % {"country": self.country.name}
        return _("every pledge")

    def followed_url(self):
        """The page of what it follows (the changes log for everything)."""
        if self.scope == self.Scope.COUNTRY:
            return reverse("pledges:country", args=[self.country.code])
        return self.followed.get_absolute_url() if self.followed else reverse("pledges:changes")


class ConfirmationRequest(models.Model):
    """A confirmation e-mail asked for an address, counted for the daily limit and deleted a day
    later. The address is kept only as its hash."""

    address_hash = models.CharField(max_length=64, verbose_name=_("address (hash)"))
    requested_at = models.DateTimeField(default=timezone.now, verbose_name=_("requested at"))

    class Meta:
        verbose_name = _("confirmation request")
        verbose_name_plural = _("confirmation requests")
        indexes = [models.Index(fields=["address_hash", "requested_at"], name="confirmation_request_count")]

    def __str__(self):
        return f"{self.address_hash[:8]}… {self.requested_at:%Y-%m-%d %H:%M}"


class DigestItem(models.Model):
    """One change sent (or being sent) to one subscription. The row is the claim, as for the
    reminders: unique per subscription and change, written before the e-mail is sent."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Claimed, being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will be retried")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="items", verbose_name=_("subscription")
    )
    change = models.CharField(
        max_length=40, help_text=_("The change log's entry: its kind and history row."), verbose_name=_("change")
    )
    changed_at = models.DateTimeField(verbose_name=_("changed at"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CLAIMED, verbose_name=_("status"))
    claim = models.CharField(max_length=32, verbose_name=_("claim"))
    claimed_at = models.DateTimeField(default=timezone.now, verbose_name=_("claimed at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("digest item")
        verbose_name_plural = _("digest items")
        constraints = [models.UniqueConstraint(fields=["subscription", "change"], name="digest_item_once")]
        indexes = [
            models.Index(fields=["status", "claimed_at"], name="digest_item_retry"),
            models.Index(fields=["claim"], name="digest_item_claim"),
            models.Index(fields=["changed_at"], name="digest_item_age"),
        ]

    def __str__(self):
        return f"{self.change} → {self.subscription}"
