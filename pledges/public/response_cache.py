"""Whole public responses answered from this process's memory before the rest of Django runs.

The views keep rendered pages in the shared cache under the data version (pledges.public.views.cached);
a request for one still passes every middleware, the language's URL resolution and the view,
which cost three times a bare Django view (bench/RESULTS.md). This middleware, near the top of
the stack, keeps the finished response (its body and headers: CSP, ETag, Vary ...) in the
per-process "near" cache, keyed by the data version, the day and the address, and answers a
repeat request with it, a conditional one with 304.

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

from pledges.services import public_version

# Pages under a language prefix are the same whatever the browser's languages; other public
# addresses (feeds, the calendar) are kept per Accept-Language value as well, as they vary on it.
LANGUAGE_PREFIXES = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
# The public addresses (pledges.public.urls): only these pay for the version's look-up.
PUBLIC_PREFIXES = (*LANGUAGE_PREFIXES, "/feed/", "/pledges/", "/deadlines.ics")
KEEP_SECONDS = 60 * 60


class PublicResponseCache:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or not request.path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        request._data_version = public_version.current()  # the views read it from here too
        key = self._key(request, request._data_version[0])
        near = caches["near"]
        kept = near.get(key)
        if kept is not None:
            return self._answer(request, *kept)
        response = self.get_response(request)
        if self._keepable(response):
            near.set(key, (response.status_code, list(response.items()), response.content), KEEP_SECONDS)
        return response

    @staticmethod
    def _key(request, token):
        path = request.get_full_path()
        languages = "" if path.startswith(LANGUAGE_PREFIXES) else request.headers.get("Accept-Language", "")
        return f"response:{token}:{timezone.localdate().isoformat()}:{languages}:{path}"

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
