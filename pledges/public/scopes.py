"""Which versions a public address depends on (pledges.services.public_version): a pledge's pages
(its page, card, embed, feed and API record) on its own and the site's text; an event's or a
country's page on its own (its pledges and figures move it) and the site's; every other page,
feed and file on the list's, which every public write moves. The response cache and the views ask here, so both key a page
alike."""

import re

from django.conf import settings

from pledges.services.public_version import LIST, SITE, country_scope, event_scope, pledge_scope

_LANGUAGE = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
_SLUG = r"([-a-zA-Z0-9_]+)"
_PLEDGE = re.compile(
    rf"^/(?:{_LANGUAGE})/(?:embed/)?pledges/{_SLUG}/(?:card\.png)?$|^/pledges/{_SLUG}/feed/$|^/api/pledges/{_SLUG}$"
)
_EVENT = re.compile(rf"^/(?:{_LANGUAGE})/events/{_SLUG}/$")
_COUNTRY = re.compile(rf"^/(?:{_LANGUAGE})/countries/([a-zA-Z]+)/$")


def scopes_for(path):
    """The scopes the page at `path` depends on, in the order its version token names them."""
    if match := _PLEDGE.match(path):
        return (SITE, pledge_scope(next(slug for slug in match.groups() if slug)))
    if match := _EVENT.match(path):
        return (SITE, event_scope(match.group(1)))
    if match := _COUNTRY.match(path):
        return (SITE, country_scope(match.group(1)))
    return (LIST,)
