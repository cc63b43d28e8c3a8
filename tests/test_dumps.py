"""Whole open-data files: streamed to the first reader of a data version, then sent from disk."""

import json
import os
import threading
import time

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


def counted(chunks, calls):
    """A make_chunks for dumps._kept that counts how often the file was made."""

    def make():
        calls.append(1)
        return iter(chunks)

    return make


def test_a_writer_whose_reader_leaves_finishes_the_file_for_the_others(client, seeded, settings):
    calls = []
    path = dumps._path("pledges.csv", "7.1")
    streamed = dumps._kept(counted([b"slug,title\n", b"a,A\n"], calls), path, "pledges.csv")
    assert next(streamed) == b"slug,title\n"
    streamed.close()  # what the server does with the response's generator when the reader goes
    assert path.read_bytes() == b"slug,title\na,A\n" and calls == [1]


def test_readers_who_come_while_a_file_is_written_follow_it_instead_of_making_it_again(settings):
    # After a save, six readers of the calendar at once made it six times and timed every web
    # worker out. The first makes it; the others read what it writes, as it is written.
    calls, followed = [], {}
    path = dumps._path("deadlines-en-all.ics", "8.1")
    chunks = [b"BEGIN:VCALENDAR\r\n", b"BEGIN:VEVENT\r\n", b"END:VEVENT\r\n", b"END:VCALENDAR\r\n"]
    writer = dumps._kept(counted(chunks, calls), path, "deadlines-en-all.ics")
    assert next(writer) == chunks[0]

    def follow(number):
        followed[number] = b"".join(dumps._kept(counted(chunks, calls), path, "deadlines-en-all.ics"))

    followers = [threading.Thread(target=follow, args=(number,)) for number in range(5)]
    for thread in followers:
        thread.start()
    assert b"".join(writer) == b"".join(chunks[1:])
    for thread in followers:
        thread.join(timeout=30)
    assert calls == [1]  # made once
    assert list(followed.values()) == [b"".join(chunks)] * 5
    assert path.read_bytes() == b"".join(chunks)


def test_a_file_left_half_written_by_a_dead_worker_is_taken_over(settings, monkeypatch):
    path = dumps._path("pledges.csv", "9.1")
    partial = path.with_suffix(".csv.part")
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"slug,ti")
    stale = time.time() - dumps.STALLED_SECONDS - 1
    os.utime(partial, (stale, stale))
    assert b"".join(dumps._kept(counted([b"slug,title\n"], []), path, "pledges.csv")) == b"slug,title\n"
    assert path.read_bytes() == b"slug,title\n" and not partial.exists()
