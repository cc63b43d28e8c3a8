"""The public data version kept in the shared cache: pages served without the database, and a
committed save still shows on the next request."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from pledges.models import Pledge
from pledges.services.public_version import VERSION_KEY

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
