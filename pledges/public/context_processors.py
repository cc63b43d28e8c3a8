"""What every public page's frame shows: the site's name, read only by a page that uses it."""

from django.utils.functional import SimpleLazyObject

from pledges.models import SiteText


def site_text(request):
    return {"site_text": SimpleLazyObject(SiteText.current)}
