"""Big admin imports run in the background: checked, confirmed, written, with their progress."""

import re
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.utils import timezone

from pledges.files.imports import import_pledges
from pledges.files.jobs import _Heartbeat, _Progress, import_job_check, import_job_write
from pledges.models import ImportJob, Pledge
from tests.factories import pledge_csv
from tests.test_admin_import import FORMAT, IMPORT_URL

pytestmark = pytest.mark.django_db


def many_pledges(count):
    return pledge_csv(*[{"slug": f"bridge-{n}", "title": f"Bridge {n}"} for n in range(count)])


@pytest.fixture
def small_threshold(settings):
    settings.PLEDGES_IMPORT_BACKGROUND_ROWS = 10


def upload(client, data, name="many.csv"):
    return client.post(IMPORT_URL, {"import_file": SimpleUploadedFile(name, data), "format": FORMAT["csv"]})


def test_a_file_over_the_threshold_is_checked_then_written_by_a_worker(
    client, reference_data, editor, small_threshold, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    with django_capture_on_commit_callbacks() as enqueued:
        response = upload(client, many_pledges(30))

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/import/jobs/{job.pk}/")
    assert len(enqueued) == 1  # the check is asked for once the job is committed
    waiting = client.get(response["Location"]).content.decode()
    assert "Waiting for a worker" in waiting and 'http-equiv="refresh"' in waiting and "<progress" in waiting
    assert not Pledge.objects.exists()

    assert import_job_check(job.pk) == ImportJob.Status.CHECKED
    checked = client.get(response["Location"]).content.decode()
    assert "pledges: 30 new, 0 updated, 0 unchanged would be imported" in checked
    assert 'name="confirm"' in checked and 'http-equiv="refresh"' not in checked
    assert not Pledge.objects.exists()

    with django_capture_on_commit_callbacks() as enqueued:
        client.post(response["Location"], {"confirm": "Confirm import"})
        client.post(response["Location"], {"confirm": "Confirm import"})  # a second click
    assert len(enqueued) == 1
    assert import_job_write(job.pk) == ImportJob.Status.DONE
    assert import_job_write(job.pk) is None  # a task delivered twice writes once

    done = client.get(response["Location"]).content.decode()
    assert "pledges: 30 new, 0 updated, 0 unchanged were imported" in done
    first = Pledge.objects.get(slug="bridge-0")
    assert f'href="/admin/pledges/pledge/{first.pk}/history/"' in done
    assert Pledge.objects.count() == 30
    assert first.history.get().history_user == editor
    job.refresh_from_db()
    assert job.data == b"" and job.rows_total == job.rows_done == 30


def test_a_background_import_whose_rows_changed_meanwhile_is_refused(client, reference_data, editor, small_threshold):
    import_pledges(many_pledges(30))
    client.force_login(editor)
    response = upload(client, many_pledges(30).replace(b"Bridge 3,", b"Bridge three,"))
    job = ImportJob.objects.get()
    import_job_check(job.pk)
    Pledge.objects.filter(slug="bridge-3").update(title="An editor's title")
    client.post(response["Location"], {"confirm": "Confirm import"})

    assert import_job_write(job.pk) == ImportJob.Status.REJECTED

    page = client.get(response["Location"]).content.decode()
    assert "the pledges changed since the preview; review the file again" in page
    assert Pledge.objects.get(slug="bridge-3").title == "An editor's title"


def test_a_bad_big_file_lists_its_errors_and_writes_nothing(client, reference_data, editor, small_threshold):
    client.force_login(editor)
    response = upload(client, many_pledges(30).replace(b"2022-01-25", b"someday"))
    job = ImportJob.objects.get()

    assert import_job_check(job.pk) == ImportJob.Status.REJECTED

    page = client.get(response["Location"]).content.decode()
    assert "Row 2, column &#x27;announced_on&#x27;: &#x27;someday&#x27; is not a date" in page
    assert 'name="confirm"' not in page
    assert not Pledge.objects.exists()


def test_an_editor_sees_only_their_own_import_jobs(client, reference_data, editor, small_threshold, roles):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    client.force_login(editor)
    location = upload(client, many_pledges(30))["Location"]
    other = get_user_model().objects.create_user("other", is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))
    client.force_login(other)

    assert client.get(location).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="progress is written as it goes on PostgreSQL only")
def test_progress_is_seen_outside_the_imports_transaction(reference_data, editor):
    job = ImportJob.objects.create(user=editor, layout="pledges", file_name="x.csv", file_format="csv", data=b"")
    writer, observer, seen = _Progress(job.pk), connections.create_connection("default"), []

    def progress(done, total):
        writer(done, total)
        with observer.cursor() as cursor:
            cursor.execute("SELECT rows_done, rows_total FROM pledges_importjob WHERE id = %s", [job.pk])
            seen.append(cursor.fetchone())

    try:
        import_pledges(many_pledges(1200), progress=progress)
    finally:
        writer.close()
        observer.close()

    assert seen == [(500, 1200), (1000, 1200), (1200, 1200)]


def test_a_job_the_broker_cannot_take_says_so(
    client, reference_data, editor, small_threshold, tmp_path, django_capture_on_commit_callbacks
):
    from config.celery_app import app
    from tests.live import free_port

    client.force_login(editor)
    original, app.conf.broker_url = app.conf.broker_url, f"redis://127.0.0.1:{free_port()}/0"  # nothing listens
    try:
        with django_capture_on_commit_callbacks(execute=True):
            location = upload(client, many_pledges(30))["Location"]
    finally:
        app.conf.broker_url = original

    page = client.get(location).content.decode()
    assert "The task queue could not be reached" in page and 'http-equiv="refresh"' not in page
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_a_big_import_in_the_browser_runs_on_a_worker_behind_a_progress_bar(
    live_server, new_page, screenshot, reference_data, editor, small_threshold, tmp_path
):
    import redis

    from config.celery_app import app
    from tests.live import Worker, broker_url, redis_answers
    from tests.test_browser_admin import expect, log_in

    if not redis_answers():
        pytest.skip("needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
    broker = broker_url()  # a database of its own on the machine's Redis
    redis.Redis.from_url(broker).flushdb()
    csv_file = tmp_path / "many.csv"
    csv_file.write_bytes(many_pledges(1500))
    worker = Worker(broker, 1, tmp_path, "imports")  # no mail is sent: any SMTP port will do
    original, app.conf.broker_url = app.conf.broker_url, broker
    try:
        page = new_page()
        log_in(page, live_server, "ed")
        page.goto(f"{live_server.url}/admin/pledges/pledge/import/")
        page.set_input_files("input[type=file]", str(csv_file))
        page.click("input[type=submit]")

        expect()(page).to_have_url(re.compile(r"/import/jobs/\d+/$"))
        expect()(page.locator("#content")).to_contain_text("1500 new, 0 updated", timeout=60_000)
        screenshot(page, "admin-import-job-checked")
        assert not Pledge.objects.exists()
        page.click("input[name=confirm]")
        expect()(page.locator(".import-job-status")).to_have_text("Imported", timeout=60_000)
        expect()(page.locator("#import-preview a").first).to_have_attribute("href", re.compile(r"/history/$"))
    finally:
        app.conf.broker_url = original
        worker.stop()

    assert Pledge.objects.count() == 1500
    assert worker.output().count("succeeded in") == 2  # the check, then the write


def working_job(editor, *, worker, heartbeat_at, status=ImportJob.Status.CHECKING):
    return ImportJob.objects.create(
        user=editor,
        layout="pledges",
        file_name="big.csv",
        file_format="csv",
        data=many_pledges(3),
        status=status,
        worker=worker,
        heartbeat_at=heartbeat_at,
    )


def job_page(client, job):
    return client.get(f"/admin/pledges/pledge/import/jobs/{job.pk}/").content.decode()


def gone_process():
    """The process id of a process of this host that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return f"{socket.gethostname()}:{process.pid}"


def test_a_job_whose_worker_fell_silent_says_it_failed_and_its_file_is_deleted(client, reference_data, editor):
    client.force_login(editor)
    now = timezone.now()
    silent = working_job(editor, worker="worker-2:41", heartbeat_at=now - timedelta(hours=1))
    alive = working_job(editor, worker="worker-2:42", heartbeat_at=now)

    page = job_page(client, silent)

    assert "Failed: nothing was written" in page and 'http-equiv="refresh"' not in page
    assert "The worker reading this file stopped before it finished" in page
    silent.refresh_from_db()
    assert silent.data == b"" and silent.status == ImportJob.Status.FAILED
    assert "Checking the file" in job_page(client, alive)  # another host's worker still beating
    alive.refresh_from_db()
    assert alive.status == ImportJob.Status.CHECKING and alive.data


def test_a_job_whose_process_on_this_host_is_gone_fails_at_once(client, reference_data, editor):
    client.force_login(editor)
    job = working_job(editor, worker=gone_process(), heartbeat_at=timezone.now())

    assert "Failed: nothing was written" in job_page(client, job)


def test_a_task_redelivered_after_its_worker_died_ends_the_job(reference_data, editor):
    job = working_job(editor, worker=gone_process(), heartbeat_at=timezone.now())

    assert import_job_check(job.pk) is None  # it does not read the file again
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.data == b""


def test_a_check_nobody_confirms_expires_and_its_file_is_deleted(client, reference_data, editor, settings):
    from pledges.tasks import end_dead_import_jobs

    client.force_login(editor)
    job = working_job(editor, worker="", heartbeat_at=None, status=ImportJob.Status.QUEUED)
    assert import_job_check(job.pk) == ImportJob.Status.CHECKED
    fresh = working_job(editor, worker="", heartbeat_at=None, status=ImportJob.Status.QUEUED)
    assert import_job_check(fresh.pk) == ImportJob.Status.CHECKED
    ImportJob.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - timedelta(seconds=settings.PLEDGES_IMPORT_CONFIRM_SECONDS + 1)
    )

    assert end_dead_import_jobs() == 1  # beat's sweep

    page = job_page(client, job)
    assert "Not confirmed in time: nothing was written" in page and 'name="confirm"' not in page
    assert "The check was not confirmed within 1 h and its file was deleted" in page
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.data == b"" and fresh.status == ImportJob.Status.CHECKED and fresh.data


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes no second writer: no heartbeat there")
def test_a_working_job_beats_while_its_transaction_is_open(reference_data, editor, settings):
    from django.db import transaction

    settings.PLEDGES_IMPORT_JOB_HEARTBEAT_SECONDS = 0.05
    started = timezone.now() - timedelta(minutes=5)
    job = working_job(editor, worker="worker-2:41", heartbeat_at=started)
    observer = connections.create_connection("default")
    try:
        with transaction.atomic(), _Heartbeat(job.pk):  # as the import's one transaction
            Pledge.objects.exists()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with observer.cursor() as cursor:
                    cursor.execute("SELECT heartbeat_at FROM pledges_importjob WHERE id = %s", [job.pk])
                    if cursor.fetchone()[0] > started:
                        break
                time.sleep(0.05)
            else:
                raise AssertionError("no heartbeat within 10 s")
    finally:
        observer.close()


def in_format(csv_data, file_format):
    """The same rows in another format, as a spreadsheet program would save them."""
    import tablib

    dataset = tablib.Dataset().load(csv_data.decode(), format="csv")
    if file_format == "cr-csv":  # an old Mac spreadsheet's line endings: a lone CR
        return dataset.export("csv").replace("\r\n", "\r").encode()
    exported = dataset.export(file_format)
    return exported.encode() if isinstance(exported, str) else exported


@pytest.mark.parametrize("file_format", ["cr-csv", "xlsx", "ods", "json"])
def test_rows_in_every_format_count_toward_the_background_threshold(
    client, reference_data, editor, small_threshold, file_format
):
    client.force_login(editor)
    chosen = "csv" if file_format == "cr-csv" else file_format
    name = f"pledges.{chosen}"

    small = client.post(
        IMPORT_URL,
        {"import_file": SimpleUploadedFile(name, in_format(many_pledges(5), file_format)), "format": FORMAT[chosen]},
    )
    big = client.post(
        IMPORT_URL,
        {"import_file": SimpleUploadedFile(name, in_format(many_pledges(30), file_format)), "format": FORMAT[chosen]},
    )

    assert small.status_code == 200 and "5 new, 0 updated" in small.content.decode()  # read in the request
    assert big.status_code == 302 and "/import/jobs/" in big["Location"]  # 30 rows: a worker's
    assert ImportJob.objects.get().file_format == chosen
