"""Big imports in the background: the admin hands the file to a Celery worker.

A job is checked (the dry run: every error, or the plan and its fingerprint), waits for the
editor's confirm, and is then written with that fingerprint, so what is written is what was
previewed. Each step runs the same `import_file` as every other import.
"""

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from pledges.files.errors import ImportRejected
from pledges.files.formats import format_named
from pledges.files.imports import import_file
from pledges.files.layouts import PledgeResource, ProgressUpdateResource
from pledges.models import ImportJob

logger = logging.getLogger(__name__)
RESOURCES = {ImportJob.Layout.PLEDGES: PledgeResource, ImportJob.Layout.UPDATES: ProgressUpdateResource}
LISTED_ROWS = 200  # the preview lists this many new or changed rows; the rest are counted


def goes_to_background(data, file_format):
    """Whether a file is too big to import within a web request (see the settings)."""
    if len(data) > settings.PLEDGES_IMPORT_BACKGROUND_BYTES:
        return True
    return file_format in ("csv", "tsv") and data.count(b"\n") > settings.PLEDGES_IMPORT_BACKGROUND_ROWS


def import_job_start(*, user, layout, file_name, file_format, data):
    """Record a job for the file and ask a worker to check it once the job is committed."""
    job = ImportJob.objects.create(user=user, layout=layout, file_name=file_name, file_format=file_format, data=data)
    transaction.on_commit(lambda: _enqueue("check", job.pk))
    return job


def import_job_confirm(job):
    """The editor confirms a checked job: a worker writes it."""
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CHECKED).update(
        status=ImportJob.Status.CONFIRMED, rows_done=0
    )
    if updated:  # a second click on Confirm queues nothing more
        transaction.on_commit(lambda: _enqueue("write", job.pk))
    return bool(updated)


def _enqueue(step, job_id):
    from pledges import tasks

    task = tasks.check_import if step == "check" else tasks.write_import
    try:
        # A connection of its own, made now from the current settings (as reminders.request_sweep).
        with task.app.connection_for_write() as broker:
            task.apply_async((job_id,), connection=broker, retry=False)
    except Exception as error:  # kombu's OperationalError, a refused connection, a timeout ...
        logger.warning("Could not queue import job %s (%s)", job_id, error)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            outcome={
                "errors": [
                    "The task queue could not be reached, so no worker got the file. "
                    "Nothing was written; try again in a few minutes."
                ]
            },
        )


class _Progress:
    """Writes a job's progress while its import runs.

    The import is one transaction, so the progress goes through a connection of its own,
    which commits each figure at once and the job's page can show it. SQLite takes one writer
    at a time, so there the bar fills only at the end.
    """

    def __init__(self, job_id):
        self.job_id = job_id
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS) if connection.vendor == "postgresql" else None

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
    # The claim makes a redelivered task (a worker that died, a broker that redelivered) a no-op.
    if not ImportJob.objects.filter(pk=job_id, status=claimed_from).update(status=running):
        return None
    job = ImportJob.objects.get(pk=job_id)
    progress = _Progress(job.pk)
    try:
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
    except Exception as error:  # a fault in the code or the database: said on the page, logged in full
        logger.exception("Import job %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.outcome = {"errors": [f"The import failed: {error}. Nothing was written."]}
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
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.REJECTED, ImportJob.Status.FAILED):
        job.data = b""  # the file is not kept once it is written or refused
    job.save()
    return job.status


def import_job_check(job_id):
    """The dry run of a queued job: its plan and fingerprint, or every error."""
    return _run(job_id, claimed_from=ImportJob.Status.QUEUED, running=ImportJob.Status.CHECKING, dry_run=True)


def import_job_write(job_id):
    """Write a confirmed job, refused if the rows it changes changed since it was checked."""
    return _run(job_id, claimed_from=ImportJob.Status.CONFIRMED, running=ImportJob.Status.IMPORTING, dry_run=False)
