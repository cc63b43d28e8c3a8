"""What every public page's frame shows: the site's name, read only by a page that uses it, and
what a link to it shows where it is shared."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from pledges.models import SiteText

# Open Graph's names of the site's languages.
OG_LOCALES = {"en": "en_GB", "ru": "ru_RU", "zh-hans": "zh_CN"}


def site_text(request):
    return {
        "site_text": SimpleLazyObject(SiteText.current),
        "site_url": settings.PLEDGES_SITE_URL,
        "og_locale": OG_LOCALES.get(get_language(), "en_GB"),
    }
