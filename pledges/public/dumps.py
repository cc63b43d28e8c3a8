"""Whole open-data files kept on disk, one per data version: the first reader of a version gets
the file streamed as it is generated while a copy is written beside it; later readers get the
copy, sent by the server from disk (no query, no Python per byte).

Django's caches hold values in memory, and a dump of a million pledges is hundreds of megabytes,
hence files. Memory stays flat either way: the generator yields chunks, the copy is appended to.
"""

import contextlib
import os
import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse


def _folder():
    folder = Path(settings.PLEDGES_DUMP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(name, token):
    safe = re.sub(r"[^0-9A-Za-z.]", "_", token)
    stem, suffix = name.rsplit(".", 1)
    return _folder() / f"{stem}-{safe}.{suffix}"


def response(name, token, make_chunks, content_type):
    """The file `name` of data version `token`: from disk if written already, else streamed from
    `make_chunks()` and written as it goes."""
    path = _path(name, token)
    if path.exists():
        answer = FileResponse(path.open("rb"), content_type=content_type)
    else:
        answer = StreamingHttpResponse(_kept(make_chunks(), path, name), content_type=content_type)
    answer["Content-Disposition"] = f'inline; filename="{name}"'
    return answer


def _kept(chunks, path, name):
    """Yield `chunks`, writing them to `path` too; only one request writes a version's file (the
    others just stream), and a copy is put in place only whole (a reader who leaves stops it)."""
    partial = path.with_suffix(path.suffix + ".part")
    try:
        handle = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), "wb")
    except FileExistsError:  # another request is writing it
        yield from chunks
        return
    whole = False
    try:
        with handle:
            for chunk in chunks:
                handle.write(chunk)
                yield chunk
        whole = True
    finally:
        if whole:
            os.replace(partial, path)
            _forget_older(path, name)
        else:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()


def _forget_older(kept, name):
    stem, suffix = name.rsplit(".", 1)
    for old in kept.parent.glob(f"{stem}-*.{suffix}"):
        if old != kept:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()
