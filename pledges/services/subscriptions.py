"""A reader's subscriptions: asking to follow, confirming, leaving. The e-mails themselves are
sent by pledges.subscriptions (a worker), which reads what these write."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from pledges.models import ConfirmationRequest, Subscription, address_hash


def subscription_request(*, email, scope, followed=None, language, frequency, now=None):
    """A reader asks that `email` follow `followed` (a pledge, event or country; None for
    everything). Returns the subscription whose confirmation e-mail is now to be sent, or None
    when none is: the address follows it already, or has been sent its day's share of
    confirmations (PLEDGES_SUBSCRIPTION_CONFIRMATIONS_PER_DAY), so the form cannot flood it.
    The reader is told the same either way: whether an address subscribes is nobody's business.
    """
    now = now or timezone.now()
    email = email.strip().lower()
    counted = address_hash(email)
    with transaction.atomic():
        asked = ConfirmationRequest.objects.filter(address_hash=counted, requested_at__gt=now - timedelta(days=1))
        if asked.count() >= settings.PLEDGES_SUBSCRIPTION_CONFIRMATIONS_PER_DAY:
            return None
        follows = {scope: followed} if followed is not None else {}  # the scope names its field
        subscription = Subscription.objects.select_for_update().filter(email=email, scope=scope, **follows).first()
        if subscription is not None and subscription.confirmed_at is not None:
            return None
        if subscription is None:
            subscription = Subscription(email=email, scope=scope, **follows)
        # Asked again before confirming: the choices of the latest asking, and a new e-mail.
        subscription.language, subscription.frequency, subscription.created_at = language, frequency, now
        subscription.confirmation_claimed_at = subscription.confirmation_sent_at = None
        try:
            with transaction.atomic():
                subscription.save()
        except IntegrityError:  # the same asking, twice at once: the other one sends it
            return None
        ConfirmationRequest.objects.create(address_hash=counted, requested_at=now)
    return subscription


def subscription_confirm(*, subscription, now=None):
    """The reader followed the confirmation link: digests start with what changes from now on."""
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now or timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return subscription


def subscription_delete(*, subscription):
    """The reader unsubscribed: the address and everything sent to it are deleted."""
    subscription.delete()
