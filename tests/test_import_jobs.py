"""Big admin imports run in the background: checked, confirmed, written, with their progress."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from pledges.files.imports import import_pledges
from pledges.files.jobs import _Progress, import_job_check, import_job_write
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
