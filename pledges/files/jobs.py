"""Big imports in the background: the admin hands the file to a Celery worker.

A job is checked (the dry run: every error, or the plan and its fingerprint), waits for the
editor's confirm, and is then written with that fingerprint, so what is written is what was
previewed. Each step runs the same `import_file` as every other import.
"""

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from pledges.files.errors import ImportRejected
from pledges.files.formats import format_named, rows_over
from pledges.files.imports import import_file
from pledges.files.layouts import PledgeResource, ProgressUpdateResource
from pledges.models import ImportJob
from pledges.queue import enqueue

logger = logging.getLogger(__name__)
RESOURCES = {ImportJob.Layout.PLEDGES: PledgeResource, ImportJob.Layout.UPDATES: ProgressUpdateResource}
LISTED_ROWS = 200  # the preview lists this many new or changed rows; the rest are counted


def goes_to_background(data, file_format):
    """Whether a file is too big to import within a web request (see the settings): by its bytes,
    or by its rows in any format."""
    if len(data) > settings.PLEDGES_IMPORT_BACKGROUND_BYTES:
        return True
    return rows_over(data, file_format, settings.PLEDGES_IMPORT_BACKGROUND_ROWS)


def import_job_start(*, user, layout, file_name, file_format, data):
    """Record a job for the file and ask a worker to check it once the job is committed."""
    job = ImportJob.objects.create(user=user, layout=layout, file_name=file_name, file_format=file_format, data=data)
    transaction.on_commit(lambda: _enqueue("pledges.check_import", job.pk))
    return job


def import_job_confirm(job):
    """The editor confirms a checked job: a worker writes it."""
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CHECKED).update(
        status=ImportJob.Status.CONFIRMED, rows_done=0
    )
    if updated:  # a second click on Confirm queues nothing more
        transaction.on_commit(lambda: _enqueue("pledges.write_import", job.pk))
    return bool(updated)


def _enqueue(task_name, job_id):
    if not enqueue(task_name, job_id, if_down="the job is marked failed."):
        _end(
            ImportJob.objects.filter(pk=job_id),
            ImportJob.Status.FAILED,
            "The task queue could not be reached, so no worker got the file. "
            "Nothing was written; try again in a few minutes.",
        )


def _end(jobs, status, message):
    """End `jobs` with `status` and `message`, deleting their files; how many ended."""
    return jobs.update(status=status, finished_at=timezone.now(), data=b"", outcome={"errors": [message]})


DIED = (
    "The worker reading this file stopped before it finished (it may have run out of memory or been "
    "restarted). Nothing was written; try again, or split the file into smaller ones."
)
EXPIRED = "The check was not confirmed within {hours} and its file was deleted. Nothing was written; import it again."


def _beats_possible():
    """Whether a second connection may write while the import's transaction is open: PostgreSQL
    yes; SQLite takes one writer at a time, so there a job says it is alive only when claimed."""
    return connection.vendor == "postgresql"


def _dead_after():
    """How long a working job may go without a heartbeat before its worker is taken for dead.

    Without heartbeats (SQLite), no job outlives the task's hard time limit, so past it it is dead.
    """
    if _beats_possible():
        return timedelta(seconds=settings.PLEDGES_IMPORT_JOB_DEAD_AFTER_SECONDS)
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + settings.PLEDGES_IMPORT_JOB_DEAD_AFTER_SECONDS)


def _this_worker():
    """This process, by host and process id, so a worker on the same host can tell at once that
    the process holding a job is gone (asked when the job is claimed: a pool's processes fork)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_gone(worker):
    """Whether `worker` (host:pid) is a process of this host that no longer runs."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or worker == _this_worker():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it runs, as another user
        return False
    return False


def end_dead_jobs():
    """Fail the jobs whose worker died (no heartbeat for too long, or its process gone from this
    host) and expire the checked jobs nobody confirmed in time; their files are deleted.

    Called where a dead job would be noticed: its page, a redelivered task, and beat's sweep.
    """
    now = timezone.now()
    working = ImportJob.objects.filter(status__in=ImportJob.WORKING)
    stale = set(working.filter(heartbeat_at__lt=now - _dead_after()).values_list("pk", flat=True))
    stale |= {pk for pk, worker in working.exclude(pk__in=stale).values_list("pk", "worker") if _process_gone(worker)}
    # The status is checked again in the update, so a job that finished meanwhile is left alone.
    failed = _end(working.filter(pk__in=stale), ImportJob.Status.FAILED, DIED) if stale else 0
    lifetime = timedelta(seconds=settings.PLEDGES_IMPORT_CONFIRM_SECONDS)
    expired = _end(
        ImportJob.objects.filter(status=ImportJob.Status.CHECKED, finished_at__lt=now - lifetime),
        ImportJob.Status.EXPIRED,
        EXPIRED.format(hours=f"{lifetime.total_seconds() / 3600:g} h"),
    )
    return failed + expired


class _Heartbeat(threading.Thread):
    """Says a job's worker is alive while its import runs: the time, every few seconds, written
    through a connection of its own (the import is one open transaction)."""

    def __init__(self, job_id):
        super().__init__(name=f"import-job-{job_id}-heartbeat", daemon=True)
        self.job_id = job_id
        self.stopped = threading.Event()

    def run(self):
        beat = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            while not self.stopped.wait(settings.PLEDGES_IMPORT_JOB_HEARTBEAT_SECONDS):
                with beat.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {ImportJob._meta.db_table} SET heartbeat_at = %s WHERE id = %s",
                        [timezone.now(), self.job_id],
                    )
        finally:
            beat.close()

    def __enter__(self):
        if _beats_possible():
            self.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        if self.is_alive():
            self.join()


class _Progress:
    """Writes a job's progress while its import runs.

    The import is one transaction, so the progress goes through a connection of its own,
    which commits each figure at once and the job's page can show it. SQLite takes one writer
    at a time, so there the bar fills only at the end.
    """

    def __init__(self, job_id):
        self.job_id = job_id
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS) if _beats_possible() else None

    def __call__(self, done, total):
        if self.connection is None:
            return
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET rows_done = %s, rows_total = %s WHERE id = %s",
                [done, total, self.job_id],
            )

    def close(self):
        if self.connection is not None:
            self.connection.close()


def _run(job_id, *, claimed_from, running, dry_run):
    # The claim makes a redelivered task (a worker that died, a broker that redelivered) a no-op,
    # except that it notices a job whose worker died.
    claimed = ImportJob.objects.filter(pk=job_id, status=claimed_from).update(
        status=running, worker=_this_worker(), heartbeat_at=timezone.now()
    )
    if not claimed:
        end_dead_jobs()
        return None
    job = ImportJob.objects.get(pk=job_id)
    progress = _Progress(job.pk)
    try:
        with _Heartbeat(job.pk):
            report = import_file(
                RESOURCES[job.layout],
                bytes(job.data),
                file_format=format_named(job.file_format),
                user=job.user,
                dry_run=dry_run,
                reason=f"Imported from {job.file_name}",
                file_name=job.file_name,
                expected_fingerprint=None if dry_run else job.fingerprint,
                progress=progress,
            )
    except ImportRejected as rejected:
        job.status = ImportJob.Status.REJECTED
        job.outcome = {
            "errors": [str(error) for error in rejected.errors],
            "more": rejected.more,
            "total": rejected.total,
        }
    except Exception:  # a fault in the code or the database: said on the page, logged in full
        logger.exception("Import job %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        # Said without the error's own words, which may hold server paths or SQL.
        job.outcome = {
            "errors": ["The import failed on the server. Nothing was written; what went wrong is in the worker's log."]
        }
    else:
        job.status = ImportJob.Status.CHECKED if dry_run else ImportJob.Status.DONE
        job.rows_total = job.rows_done = len(report.rows)
        job.fingerprint = report.fingerprint
        job.outcome = {
            "summary": report.summary,
            "warnings": [str(warning) for warning in report.warnings],
            "rows": [
                {"row": row.row, "key": row.key, "action": row.action, "changes": row.changes}
                for row in report.changed_rows[:LISTED_ROWS]
            ],
            "more_rows": max(0, len(report.changed_rows) - LISTED_ROWS),
            "unchanged": report.count_unchanged,
        }
    finally:
        progress.close()
    job.finished_at = timezone.now()
    if job.status in ImportJob.ENDED:
        job.data = b""  # the file is not kept once it is written or refused
    # Only while this worker still holds the job: one taken for dead meanwhile stays failed.
    ended = ("status", "outcome", "fingerprint", "rows_total", "rows_done", "finished_at", "data")
    ImportJob.objects.filter(pk=job.pk, status=running, worker=job.worker).update(
        **{field: getattr(job, field) for field in ended}
    )
    return job.status


def import_job_check(job_id):
    """The dry run of a queued job: its plan and fingerprint, or every error."""
    return _run(job_id, claimed_from=ImportJob.Status.QUEUED, running=ImportJob.Status.CHECKING, dry_run=True)


def import_job_write(job_id):
    """Write a confirmed job, refused if the rows it changes changed since it was checked."""
    return _run(job_id, claimed_from=ImportJob.Status.CONFIRMED, running=ImportJob.Status.IMPORTING, dry_run=False)
