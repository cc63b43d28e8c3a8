"""Whole open-data files kept on disk, one per data version: the first reader of a version gets
the file streamed as it is generated while a copy is written beside it; later readers get the
copy, sent by the server from disk (no query, no Python per byte).

Django's caches hold values in memory, and a dump of a million pledges is hundreds of megabytes,
hence files. Memory stays flat either way: the generator yields chunks, the copy is appended to.
"""

import contextlib
import os
import re
import time
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse


def _folder():
    folder = Path(settings.PLEDGES_DUMP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(name, token):
    # "@" is in neither a token (made safe below) nor a name, so one name's versions never match
    # another's (deadlines-en-summit@… and deadlines-en-summit-2023@…).
    safe = re.sub(r"[^0-9A-Za-z.]", "_", token)
    stem, suffix = name.rsplit(".", 1)
    return _folder() / f"{stem}@{safe}.{suffix}"


def response(name, token, make_chunks, content_type, *, filename=None):
    """The file `name` of data version `token`: from disk if written already, else streamed from
    `make_chunks()` and written as it goes (or, while another request writes it, followed)."""
    path = _path(name, token)
    if path.exists():
        answer = FileResponse(path.open("rb"), content_type=content_type)
    else:
        answer = StreamingHttpResponse(_kept(make_chunks, path, name), content_type=content_type)
    answer["Content-Disposition"] = f'inline; filename="{filename or name}"'
    return answer


# A file being written that has not grown for this long belongs to a writer that died (a killed
# worker): it is taken over.
STALLED_SECONDS = 20
FOLLOW_POLL_SECONDS = 0.05
READ_SIZE = 256 * 1024


def _kept(make_chunks, path, name):
    """Yield the file's chunks, one request writing `path` as it goes.

    Only one request makes a version's file: the others that come meanwhile follow the file as it
    grows, so a burst of readers after an editor's save costs one render, not one each (six at
    once timed out every web worker). A copy is put in place only whole; a writer whose reader
    leaves finishes the file for its followers.
    """
    partial = path.with_suffix(path.suffix + ".part")
    for _attempt in range(2):
        if path.exists():  # made meanwhile, by the request we would have followed
            yield from _followed(partial, path)
            return
        try:
            handle = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), "wb")
        except FileExistsError:
            if _stalled(partial):
                with contextlib.suppress(FileNotFoundError):
                    partial.unlink()
                continue
            followed = yield from _followed(partial, path)
            if not followed:  # the writer died before a byte reached us: make it ourselves
                yield from make_chunks()
            return
        if path.exists():  # put in place between our look and our claim
            handle.close()
            partial.unlink()
            continue
        yield from _written(make_chunks(), handle, partial, path, name)
        return
    yield from make_chunks()


def _stalled(partial):
    try:
        return time.time() - partial.stat().st_mtime > STALLED_SECONDS
    except FileNotFoundError:
        return False


def _written(chunks, handle, partial, path, name):
    whole = False
    try:
        with handle:
            try:
                for chunk in chunks:
                    handle.write(chunk)
                    yield chunk
            except GeneratorExit:
                # Our reader left; others may be following this file, so it is finished for them.
                for chunk in chunks:
                    handle.write(chunk)
            whole = True
    finally:
        if whole:
            os.replace(partial, path)
            _forget_older(path, name)
        else:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()


def _followed(partial, path):
    """Yield the file another request is writing, as it grows, until it is put in place whole.

    Returns whether anything was sent: False when the writer stalled first (then the caller
    makes the file itself). The writer renames the file it writes into place, so the handle
    opened here reads on to the whole file's end.
    """
    try:
        handle = partial.open("rb")
    except FileNotFoundError:
        try:
            handle = path.open("rb")  # finished between our look and now
        except FileNotFoundError:
            return False
    sent = 0
    grown_at = time.monotonic()
    with handle:
        while True:
            chunk = handle.read(READ_SIZE)
            if chunk:
                sent += len(chunk)
                grown_at = time.monotonic()
                yield chunk
                continue
            if not partial.exists():  # put in place (a writer finishes even if its reader left)
                rest = handle.read()
                if rest:
                    yield rest
                return True
            if time.monotonic() - grown_at > STALLED_SECONDS:
                return sent > 0
            time.sleep(FOLLOW_POLL_SECONDS)


def _forget_older(kept, name):
    stem, suffix = name.rsplit(".", 1)
    for old in kept.parent.glob(f"{stem}@*.{suffix}"):
        if old != kept:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()
