"""Atom feeds of published progress updates: the whole site's, and one pledge's."""

from datetime import datetime, time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from pledges.models import Shown, SiteText, shown
from pledges.public import changes, selectors

FEED_LENGTH = 50


def _site_name():
    return SiteText.current().name


class UpdatesFeed(Feed):
    """The newest published progress updates across all published pledges."""

    feed_type = Atom1Feed

    def get_object(self, request):
        """The event the feed is narrowed to (`?event=<slug>`), or None for every pledge."""
        slug = request.GET.get("event", "")
        if not slug:
            return None
        event = selectors.public_event(slug)
        if event is None:
            raise Http404("No such event.")
        return event

    def title(self, event):
        if event is not None:
            return _("%(site)s: progress updates on the pledges of %(event)s") % {
                "site": _site_name(),
                "event": shown(event, "name").marked_text(),
            }
        return _("%(site)s: progress updates") % {"site": _site_name()}

    def subtitle(self):
        return _("What has happened since each pledge was made, with sources.")

    def link(self, event):
        return settings.PLEDGES_SITE_URL + (event.get_absolute_url() if event is not None else "/")

    def feed_url(self, event):
        query = urlencode({**({"event": event.slug} if event is not None else {}), "lang": get_language()})
        return settings.PLEDGES_SITE_URL + reverse("files:feed") + "?" + query

    def items(self, event):
        updates = selectors.public_updates(shown=True).select_related("pledge")
        if event is not None:
            updates = updates.filter(pledge__event=event)
        return selectors.with_publication_times(updates)[:FEED_LENGTH]

    def item_title(self, update):
        verdict = f" ({update.get_new_verdict_display()})" if update.new_verdict else ""
        return f"{shown(update.pledge, 'title').marked_text()}: {update.occurred.text()}{verdict}"

    def item_description(self, update):
        """The update as HTML (Atom's type="html"): editors' text escaped, each source a link."""
        sources = format_html_join(
            "; ",
            '<a href="{}">{}</a>, {}',
            ((source.url, source.title, source.publisher) for source in update.sources.all()),
        )
        summary = mark_safe(
            linebreaks(shown(update, "summary").marked_text(), autoescape=True)
        )  # escaped by linebreaks itself
        return format_html("{}<p>{}: {}</p>", summary, _("Sources"), sources)

    def item_link(self, update):
        return f"{settings.PLEDGES_SITE_URL}{update.pledge.get_absolute_url()}#update-{update.key}"

    def item_guid(self, update):
        return f"pledge-update-{update.pledge.slug}-{update.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, update):
        return timezone.make_aware(datetime.combine(update.occurred_on, time(12)))

    def item_updateddate(self, update):
        # When readers last had something new in it: its correction, or its publication (an
        # edit that changed nothing a reader sees, or a bulk import's stamp, is not news).
        return update.corrected_at or update.published_at or update.updated_at


class PledgeUpdatesFeed(UpdatesFeed):
    """One published pledge's published progress updates."""

    def get_object(self, request, slug):
        return get_object_or_404(selectors.public_pledges(), slug=slug)

    def title(self, pledge):
        return f"{_site_name()}: {shown(pledge, 'title').marked_text()}"

    def subtitle(self, pledge):
        return shown(pledge, "summary").marked_text()

    def link(self, pledge):
        return settings.PLEDGES_SITE_URL + pledge.get_absolute_url()

    def feed_url(self, pledge):
        return settings.PLEDGES_SITE_URL + reverse("files:pledge_feed", args=[pledge.slug]) + f"?lang={get_language()}"

    def items(self, pledge):
        updates = selectors.public_updates(shown=True).select_related("pledge").filter(pledge=pledge)
        return selectors.with_publication_times(updates)[:FEED_LENGTH]


class ChangesFeed(Feed):
    """The changes log (verdict changes, newly published pledges, corrections, withdrawals), newest first."""

    feed_type = Atom1Feed

    def get_object(self, request):
        return changes.filters_of(request.GET)

    def title(self, filters):
        return _("%(site)s: changes to the record") % {"site": _site_name()}

    def subtitle(self, filters):
        return _("Every verdict change, newly published pledge, correction and withdrawn update, newest first.")

    def link(self, filters):
        return settings.PLEDGES_SITE_URL + reverse("pledges:changes")

    def feed_url(self, filters):
        return (
            settings.PLEDGES_SITE_URL
            + reverse("files:changes_feed")
            + "?"
            + urlencode({**filters, "lang": get_language()})
        )

    def items(self, filters):
        return changes.changes(filters, size=FEED_LENGTH)[0]

    def item_title(self, change):
        return f"{shown(change.pledge, 'title').marked_text()}: {change.words}"

    def item_description(self, change):
        text = (
            _plain(change.ruling)
            if change.update is None
            else "\n\n".join(filter(None, [shown(change.update, "summary").marked_text(), _plain(change.note)]))
        )
        return mark_safe(linebreaks(text, autoescape=True))  # escaped by linebreaks itself

    def item_link(self, change):
        return settings.PLEDGES_SITE_URL + change.pledge.get_absolute_url()

    def item_guid(self, change):
        return f"change-{change.kind}-{change.pledge.slug}-{change.at.isoformat()}"

    item_guid_is_permalink = False

    def item_pubdate(self, change):
        return change.at

    def item_updateddate(self, change):
        return change.at


def _plain(text):
    return text.marked_text() if isinstance(text, Shown) else text
