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

    client.force_login(editor)
    client.get("/admin/pledges/pledge/")
    client.get("/en/pledges/no-such-pledge/")
    client.get("/")  # a redirect, by the browser's language
    assert not kept_responses()
    client.get("/en/about/")
    assert len(kept_responses()) == 1


def kept_responses():
    """The whole responses the process keeps (beside them: the addresses that lead to them)."""
    import pickle

    from django.core.cache import caches

    near = caches["near"]
    return [key for key, pickled in list(near._cache.items()) if isinstance(pickle.loads(pickled), tuple)]


def test_junk_parameters_and_browser_languages_share_one_kept_copy(client, seeded, renders, settings):
    # The audit's flood: distinct Accept-Language values and query strings made a copy each (a
    # 6.8 MB calendar 500 times in every worker). Each is now an alias of one kept page, and the
    # calendar one file on disk per version and language.
    for number in range(40):
        assert client.get("/deadlines.ics", HTTP_ACCEPT_LANGUAGE=f"x-{number}").getvalue().startswith(b"BEGIN")
        assert client.get(f"/deadlines.ics?utm={number}").getvalue().startswith(b"BEGIN")
        assert client.get(f"/en/?utm={number}", HTTP_ACCEPT_LANGUAGE=f"x-{number}").status_code == 200
    assert len(kept_responses()) == 1  # the overview, once
    assert renders["n"] == 1
    assert [path.name.split("@")[0] for path in settings.PLEDGES_DUMP_DIR.iterdir()] == ["deadlines-en-all"]
    russian = client.get("/deadlines.ics?lang=ru")
    assert russian["Content-Language"] == "ru" and russian.getvalue().startswith(b"BEGIN")
    assert sorted(path.name.split("@")[0] for path in settings.PLEDGES_DUMP_DIR.iterdir()) == [
        "deadlines-en-all",
        "deadlines-ru-all",
    ]


def test_the_first_readers_query_string_is_not_in_everyones_links(client, seeded):
    poisoned = client.get("/ru/about/?utm_source=POISONED").content.decode()
    assert "POISONED" not in poisoned
    page = client.get("/ru/about/").content.decode()
    assert 'href="/en/about/"' in page and "POISONED" not in page
    # The overview's links keep the filters it shows, and only those.
    overview = client.get("/ru/?verdict=kept&utm_source=POISONED").content.decode()
    assert 'href="/en/?verdict=kept"' in overview and "POISONED" not in overview


def test_an_unknown_host_is_refused_even_for_a_kept_page(client, seeded):
    assert client.get("/en/about/").status_code == 200
    assert client.get("/en/about/", HTTP_HOST="evil.example").status_code == 400


def test_the_in_process_caches_are_bounded_in_bytes_not_entries():
    from config.cache import BoundedMemoryCache

    cache = BoundedMemoryCache("bounded-test", {"OPTIONS": {"MAX_BYTES": 1024 * 1024}})
    for number in range(400):
        cache.set(f"page-{number}", b"x" * 100_000)
    assert cache.bytes_held <= 1024 * 1024
    assert cache.get("page-399") is not None and cache.get("page-0") is None  # the least recent went first
    cache.set("too-big", b"x" * 300_000)  # over a quarter of the whole: never kept
    assert cache.get("too-big") is None and cache.get("page-399") is not None
    cache.clear()
    assert cache.bytes_held == 0


def test_a_cache_key_is_short_and_plain_whatever_the_reader_asks(client, seeded, monkeypatch):
    from django.core.cache.backends.base import memcache_key_warnings

    keys, original = [], views._key
    monkeypatch.setattr(views, "_key", lambda *args: keys.append(original(*args)) or keys[-1])

    client.get("/ru/", {"q": "Казахстан  и\tвизы " * 40})
    client.get("/feed/", {"event": "a closed meeting"})

    assert len(keys) >= 2 and all(len(key) < 120 and not list(memcache_key_warnings(key)) for key in keys)
