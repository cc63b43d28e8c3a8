"""The e-mails a subscriber gets, in the language they subscribed in: the confirmation, and the
digest of changes. Each carries a link to leave, and the headers for one-click unsubscribing
(RFC 8058) that mail programs show as an "Unsubscribe" button."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pledges.models import Shown, SiteText, shown


def address(name, *args):
    """A page's full address, in the active language."""
    return settings.PLEDGES_SITE_URL + reverse(f"pledges:{name}", args=args)


def _message(subscription, subject, template, context, connection):
    """One e-mail (plain text and HTML) to the subscriber, with the ways to leave."""
    unsubscribe = address("unsubscribe", subscription.token)
    context = {
        **context,
        "subscription": subscription,
        "followed": subscription.followed_words(),
        "followed_url": settings.PLEDGES_SITE_URL + subscription.followed_url(),
        "unsubscribe_url": unsubscribe,
        "site_name": (context.get("site") or SiteText.current()).name,
        "site_url": settings.PLEDGES_SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=subject % {"site": context["site_name"]},
        body=render_to_string(f"pledges/email/{template}.txt", context),
        to=[subscription.email],
        connection=connection,
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string(f"pledges/email/{template}.html", context), "text/html")
    return message


def confirmation(subscription, connection=None, site=None):
    """The e-mail that asks the reader to confirm (double opt-in)."""
    with translation.override(subscription.language):
        days = settings.PLEDGES_SUBSCRIPTION_CONFIRM_DAYS
        context = {"confirm_url": address("subscription_confirm", subscription.token), "days": days, "site": site}
        return _message(subscription, _("%(site)s: confirm your subscription"), "confirmation", context, connection)


def digest(subscription, changes, more=False, connection=None, site=None):
    """The e-mail of `changes` (the change log's entries, in the subscriber's language)."""
    with translation.override(subscription.language):
        items = []
        for change in changes:
            detail = _detail(change)
            items.append(
                {
                    "change": change,
                    "words": change.words,
                    "title": shown(change.pledge, "title"),
                    "detail": detail,
                    # Plain text marks a text in English as the page does, in words.
                    "title_text": shown(change.pledge, "title").marked_text(),
                    "detail_text": detail.marked_text() if isinstance(detail, Shown) else detail,
                    "url": address("detail", change.pledge.slug),
                }
            )
        subject = ngettext(
            "%%(site)s: %(count)d change to what you follow",
            "%%(site)s: %(count)d changes to what you follow",
            len(items),
        ) % {"count": len(items)}
        context = {"items": items, "more": more, "changes_url": address("changes"), "site": site}
        return _message(subscription, subject, "subscription_digest", context, connection)


def _detail(change):
    """The words that say what it changed: the ruling, the correction's note, the update."""
    if change.kind == "added":
        return shown(change.update, "summary")
    return change.note or change.ruling
