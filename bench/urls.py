"""The site's addresses plus a bare view: the baseline every benchmark figure is a ratio to."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site


def bare(request):
    """Django's least: the middleware and a constant response."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *site]
