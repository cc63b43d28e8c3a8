"""The public data version kept in the shared cache: pages served without the database, and a
committed save still shows on the next request."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from pledges.models import Country, Party, Pledge
from pledges.services.public_version import VERSION_KEY
from tests.factories import states

# Commits for real: what another process would see is what matters here.
pytestmark = pytest.mark.django_db(transaction=True)


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, len(captured)


def test_a_page_read_again_and_a_current_etag_touch_no_table(client, seeded):
    first, _ = queries(client, "/en/")
    assert cache.get(VERSION_KEY) is not None
    again, count = queries(client, "/en/")
    assert again.status_code == 200 and count == 0
    unchanged, count = queries(client, "/en/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304 and count == 0


def test_a_committed_save_shows_on_the_next_request(client, seeded):
    first, _ = queries(client, "/en/")
    pledge = Pledge.objects.filter(is_published=True).order_by("deadline_end", "title").first()
    pledge.title = "A title changed a moment ago"
    pledge.save()
    page, _ = queries(client, "/en/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert page.status_code == 200 and "A title changed a moment ago" in page.content.decode()


def test_a_write_rolled_back_leaves_the_version_as_it_was(client, seeded):
    first, _ = queries(client, "/en/")
    with pytest.raises(RuntimeError), transaction.atomic():
        pledge = Pledge.objects.filter(is_published=True).first()
        pledge.title = "Never committed"
        pledge.save()
        raise RuntimeError
    again, _ = queries(client, "/en/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_renaming_the_country_a_speaker_is_for_shows_at_once_and_ends_the_old_etag(client, seeded):
    (china,) = states("CN")
    xi = Party.objects.get(name="Xi Jinping")
    xi.kind, xi.speaks_for = "person", china
    xi.save()
    pledge = Pledge.objects.filter(parties=xi, is_published=True).first()
    url = f"/en/pledges/{pledge.slug}/"
    first, _ = queries(client, url)
    assert "for China" in first.content.decode()

    country = Country.objects.get(code="CN")
    country.name = "People's Republic of China"
    country.save()

    page, _ = queries(client, url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert page.status_code == 200
    assert "for People&#x27;s Republic of China" in page.content.decode()


def test_a_reader_who_read_the_old_version_as_a_save_committed_cannot_keep_it(client, seeded, monkeypatch):
    """The audit's race: a reader reads the version from the database just before a save commits
    and puts it in the cache just after; the next request must still see the save."""
    import threading

    from django.core.cache import caches

    from pledges.services import public_version

    cache.delete(VERSION_KEY)
    read, committed = threading.Event(), threading.Event()
    backend = type(caches["default"])
    original_add = backend.add

    def add_after_the_commit(self, key, *args, **kwargs):  # the reader's add, held past the commit
        if key.endswith(VERSION_KEY) and threading.current_thread() is not threading.main_thread():
            read.set()
            committed.wait(10)
        return original_add(self, key, *args, **kwargs)

    monkeypatch.setattr(backend, "add", add_after_the_commit)
    before = public_version._read([public_version.LIST])[public_version.LIST]
    reader = threading.Thread(target=public_version.current)
    with transaction.atomic():
        pledge = Pledge.objects.filter(is_published=True).first()
        pledge.title = "Saved as a reader read"
        pledge.save()
        reader.start()
        assert read.wait(10)  # the reader has read the old version and is about to keep it
    committed.set()
    reader.join(10)

    assert public_version.current() != before
    assert "Saved as a reader read" in client.get(f"/en/pledges/{pledge.slug}/").content.decode()
