"""Whole public responses answered from this process's memory before the rest of Django runs.

The views keep rendered pages in the shared cache under the data version (pledges.public.views.cached);
a request for one still passes every middleware, the language's URL resolution and the view,
which cost three times a bare Django view (bench/RESULTS.md). This middleware, near the top of
the stack, keeps the finished response (its body and headers: CSP, ETag, Vary ...) in the
per-process "near" cache, keyed by the view's own canonical key, and answers a repeat request
with it, a conditional one with 304.

Only what the site itself marked public is kept (`Cache-Control: public`, set by the public
views' decorator), complete (200, not streamed) and without a cookie: never the admin, a file
stream, an error or anything personal. Django's own cache middleware does not fit: it keeps
nothing marked `max-age=0` (ours is, so browsers revalidate), and its keys know no data version.
"""

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from pledges.public import selectors
from pledges.public.scopes import scopes_for

# The public addresses (pledges.public.urls): only these pay for the version's look-up.
LANGUAGE_PREFIXES = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
PUBLIC_PREFIXES = (*LANGUAGE_PREFIXES, "/feed/", "/pledges/", "/deadlines.ics")


class PublicResponseCache:
    """Answers a repeat public request from this process's memory.

    Responses are kept under the key the view itself gave what it rendered (`canonical_key`:
    the version, the day, the language from the URL or `?lang=`, the filters as the filter set
    read them), never under a header or a raw query string, so `?utm=1`, `?utm=2` ... and every
    Accept-Language share one copy. The address a request came by is only an alias to that key
    (a few dozen bytes), and the cache holding both is bounded in bytes (config.cache).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or not request.path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        request.get_host()  # an unknown Host is refused (400) before any kept answer is given
        # What this address shows depends on (the views read it from here too).
        request._data_version = selectors.data_version(scopes_for(request.path))
        alias = f"address:{request._data_version[0]}:{timezone.localdate().isoformat()}:{request.get_full_path()}"
        near = caches["near"]
        canonical = near.get(alias)
        kept = near.get(canonical) if canonical else None
        if kept is not None:
            return self._answer(request, *kept)
        response = self.get_response(request)
        canonical = getattr(request, "canonical_key", None)
        if canonical and self._keepable(response):
            near.set(canonical, (response.status_code, list(response.items()), response.content), None)
            near.set(alias, canonical, None)
        return response

    @staticmethod
    def _keepable(response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "public" in response.get("Cache-Control", "")
        )

    @staticmethod
    def _answer(request, status, headers, content):
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        return get_conditional_response(
            request, etag=response.get("ETag"), last_modified=last_modified, response=response
        )
