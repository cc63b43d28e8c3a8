"""The e-mail an editor gets: every reminder due for them, in their language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pledges.models import Reminder, SiteText, language_of, shown

Kind = Reminder.Kind


def describe(reminder, today):
    """What is due and why, in a sentence an editor acts on (in the active language)."""
    pledge = reminder.pledge
    said = _("“%(words)s”, ") % {"words": shown(pledge, "deadline_text").marked_text()} if pledge.deadline_text else ""
    deadline = said + date_format(pledge.deadline_end, "DATE_FORMAT") if pledge.deadline_end else said
    if reminder.kind == Kind.DEADLINE_NEAR:
        days = (pledge.deadline_end - today).days
        return ngettext(
            "The deadline (%(deadline)s) is %(days)d day away. Is there news to record?",
            "The deadline (%(deadline)s) is %(days)d days away. Is there news to record?",
            days,
        ) % {"deadline": deadline, "days": days}
    if reminder.kind == Kind.DEADLINE_PASSED:
        return _(
            "The deadline (%(deadline)s) has passed with the verdict “%(verdict)s”. "
            "Record what happened and rate it: Kept, Partially kept or Broken."
        ) % {"deadline": deadline, "verdict": pledge.get_verdict_display()}
    if reminder.kind == Kind.WINDOW_OPENS:
        return _("The window (%(words)s%(start)s to %(end)s) opened on %(start)s.") % {
            "words": said,
            "start": date_format(pledge.deadline_start, "DATE_FORMAT"),
            "end": date_format(pledge.deadline_end, "DATE_FORMAT"),
        }
    if pledge.last_reviewed_on:
        return _("Not reviewed since %(date)s: check the record is still right, then mark it reviewed.") % {
            "date": date_format(pledge.last_reviewed_on, "DATE_FORMAT")
        }
    return _("Not reviewed since it was added: check the record is still right, then mark it reviewed.")


def digest(recipient, reminders, today, connection=None, site=None):
    """One e-mail (plain text and HTML) with every reminder for one recipient, in their language."""
    with translation.override(language_of(recipient)):
        items = [
            {
                "pledge": reminder.pledge,
                "kind": reminder.get_kind_display(),
                "why": describe(reminder, today),
                "url": settings.PLEDGES_SITE_URL + reverse("admin:pledges_pledge_change", args=[reminder.pledge_id]),
            }
            for reminder in reminders
        ]
        count = len(items)
        context = {
            "recipient": recipient,
            "items": items,
            "site_url": settings.PLEDGES_SITE_URL,
            "site_name": (site or SiteText.current()).name,
        }
        subject = ngettext(
            "%(site)s: %(count)d reminder for %(date)s", "%(site)s: %(count)d reminders for %(date)s", count
        ) % {"site": context["site_name"], "count": count, "date": date_format(today, "DATE_FORMAT")}
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("pledges/email/reminder_digest.txt", context),
            to=[recipient.email],
            connection=connection,
        )
        message.attach_alternative(render_to_string("pledges/email/reminder_digest.html", context), "text/html")
    return message
