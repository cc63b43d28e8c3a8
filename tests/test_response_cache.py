"""Repeat requests for public pages answered whole from the process's memory, and only those."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pledges.models import Pledge
from pledges.public import views

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """How many times the overview was rendered (not answered from memory)."""
    count = {"n": 0}
    original = views.render

    def counting(*args, **kwargs):
        count["n"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(views, "render", counting)
    return count


def test_a_repeat_request_is_the_same_response_without_the_view(client, seeded, renders):
    first = client.get("/en/")
    assert renders["n"] == 1
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/en/")
    assert renders["n"] == 1 and len(queries) == 1  # the version only (in a test's transaction)
    assert again.content == first.content
    for header in ("ETag", "Last-Modified", "Content-Security-Policy", "X-Frame-Options", "Vary", "Cache-Control"):
        assert again[header] == first[header], header
    assert again["X-Request-ID"] != first["X-Request-ID"]  # each request its own id
    assert client.get("/en/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_save_is_shown_at_once(client, seeded, renders):
    client.get("/en/")
    pledge = Pledge.objects.filter(is_published=True).order_by("deadline_end", "title").first()
    pledge.title = "Retitled just now"
    pledge.save()
    assert "Retitled just now" in client.get("/en/").content.decode() and renders["n"] == 2


def test_the_admin_errors_and_cookies_are_never_kept(client, seeded, editor):
    from django.core.cache import caches

    client.force_login(editor)
    client.get("/admin/pledges/pledge/")
    client.get("/en/pledges/no-such-pledge/")
    client.get("/")  # a redirect, by the browser's language
    near = caches["near"]
    assert not [key for key in near._cache if "response:" in key]
    client.get("/en/about/")
    assert len([key for key in near._cache if "response:" in key]) == 1
