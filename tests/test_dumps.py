"""Whole open-data files: streamed to the first reader of a data version, then sent from disk."""

import json

import pytest
from django.http import FileResponse

from pledges.models import Pledge
from pledges.public import dumps

pytestmark = pytest.mark.django_db


def body(response):
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("url", ["/pledges.csv", "/pledges.json"])
def test_a_versions_file_is_made_once_then_sent_from_disk(client, seeded, settings, url):
    first = client.get(url)
    assert not isinstance(first, FileResponse)
    made = body(first)
    kept = list(settings.PLEDGES_DUMP_DIR.iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == made

    again = client.get(url)
    assert isinstance(again, FileResponse) and body(again) == made
    assert again["Content-Disposition"] == f'inline; filename="{url[1:]}"'


def test_a_save_makes_a_new_file_and_the_old_one_goes(client, seeded, settings):
    old = body(client.get("/pledges.json"))
    pledge = Pledge.objects.filter(is_published=True).first()
    pledge.title = "A title changed since the last file"
    pledge.save()
    new = body(client.get("/pledges.json"))
    assert new != old and "A title changed since the last file" in {p["title"] for p in json.loads(new)["pledges"]}
    assert [path.read_bytes() for path in settings.PLEDGES_DUMP_DIR.iterdir()] == [new]


def test_a_reader_who_leaves_halfway_leaves_no_file(client, seeded, settings):
    streamed = dumps._kept(iter([b"slug,title\n", b"a,A\n"]), dumps._path("pledges.csv", "7.1"), "pledges.csv")
    assert next(streamed) == b"slug,title\n"
    streamed.close()  # what the server does with the response's generator when the reader goes
    assert list(settings.PLEDGES_DUMP_DIR.iterdir()) == []
    assert not isinstance(client.get("/pledges.csv"), FileResponse)  # made afresh, whole


def test_while_one_request_writes_a_file_another_streams_without_writing(client, seeded, settings):
    path = dumps._path("pledges.csv", "8.1")
    first = dumps._kept(iter([b"x\n", b"y\n"]), path, "pledges.csv")
    next(first)
    assert list(dumps._kept(iter([b"x\n", b"y\n"]), path, "pledges.csv")) == [b"x\n", b"y\n"]
    list(first)
    assert path.read_bytes() == b"x\ny\n"
