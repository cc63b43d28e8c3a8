"""What every public page's frame shows: the site's name, read only by a page that uses it, and
what a link to it shows where it is shared."""

from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from pledges.models import SiteText
from pledges.services import public_version

# Open Graph's names of the site's languages.
OG_LOCALES = {"en": "en_GB", "ru": "ru_RU", "zh-hans": "zh_CN"}


def _site_text():
    """The site's words, kept in the shared cache under the site's version (which their save
    moves): a page drawn anew reads them from there, not from the database."""
    token, _changed_at = public_version.current([public_version.SITE])
    return cache.get_or_set(f"site-text:{token}", SiteText.current, 60 * 60)


def site_text(request):
    return {
        "site_text": SimpleLazyObject(_site_text),
        "site_url": settings.PLEDGES_SITE_URL,
        "og_locale": OG_LOCALES.get(get_language(), "en_GB"),
    }
