"""Atom feeds of published progress updates: the whole site's, and one pledge's."""

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from . import selectors

FEED_LENGTH = 50


class UpdatesFeed(Feed):
    """The newest published progress updates across all published pledges."""

    feed_type = Atom1Feed

    def title(self):
        return _("Pledge tracker: progress updates")

    def subtitle(self):
        return _("What has happened since each pledge was made, with sources.")

    def link(self):
        return "/"

    def items(self):
        return selectors.published_updates().select_related("pledge")[:FEED_LENGTH]

    def item_title(self, update):
        verdict = f" ({update.get_new_verdict_display()})" if update.new_verdict else ""
        return f"{update.pledge.title}: {update.occurred_on.isoformat()}{verdict}"

    def item_description(self, update):
        sources = "; ".join(f"{source.title}, {source.publisher} <{source.url}>" for source in update.sources.all())
        return f"{update.summary}\n\n{_('Sources')}: {sources}"

    def item_link(self, update):
        return f"{update.pledge.get_absolute_url()}#update-{update.key}"

    def item_guid(self, update):
        return f"pledge-update-{update.pledge.slug}-{update.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, update):
        return timezone.make_aware(datetime.combine(update.occurred_on, time(12)))

    def item_updateddate(self, update):
        return update.updated_at


class PledgeUpdatesFeed(UpdatesFeed):
    """One published pledge's published progress updates."""

    def get_object(self, request, slug):
        return get_object_or_404(selectors.public_pledges(), slug=slug)

    def title(self, pledge):
        return _("Pledge tracker: %(title)s") % {"title": pledge.title}

    def subtitle(self, pledge):
        return pledge.summary

    def link(self, pledge):
        return pledge.get_absolute_url()

    def items(self, pledge):
        return selectors.published_updates().select_related("pledge").filter(pledge=pledge)[:FEED_LENGTH]
