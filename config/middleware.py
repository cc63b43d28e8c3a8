"""Request plumbing every page shares: a request id for the logs, and refusing NUL bytes."""

import contextvars
import logging
import re
import uuid

from django.core.signals import request_finished
from django.http import HttpResponseBadRequest

# The id of the request being served, for every log line written while serving it.
request_id = contextvars.ContextVar("request_id", default="-")
# An id a proxy in front already gave the request is kept (so its logs and ours match), if sane.
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Give each request an id (a proxy's X-Request-ID, else a new one), in logs and the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        # Not reset on the way out: Django logs a 4xx or 5xx after every middleware has returned.
        # request_finished (below) clears it once the response is done with.
        request_id.set(given if _GIVEN_ID.match(given) else uuid.uuid4().hex)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id.get()
        return response


def _forget_request_id(**kwargs):
    request_id.set("-")


request_finished.connect(_forget_request_id, dispatch_uid="forget-request-id")


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every log record ("-" outside a request: workers, commands)."""

    def filter(self, record):
        record.request_id = request_id.get()
        return True


class RejectNulBytesMiddleware:
    """Answer 400 to a NUL byte in the address or its query string.

    No page, filter or search means anything by one, and PostgreSQL refuses text holding it (a
    DataError, so a 500) wherever a parameter reaches a query: the public filters, the admin's
    search and autocomplete alike. Form fields already refuse it in posted data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest("A NUL byte is not allowed in an address.", content_type="text/plain")
        return self.get_response(request)
