"""Reminders for real: a Celery worker on a Redis broker sends through an SMTP server this test
starts, and every due reminder arrives exactly once through crashes and outages."""

import logging
from collections import Counter
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from pledges.models import Reminder
from tests.factories import a_pledge, states
from tests.live import RedisServer, redis_answers, send_sweep, wait_until

pytestmark = [
    # The worker reads what the test wrote, so the test's writes are committed.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not redis_answers(), reason="needs Redis on 127.0.0.1:6379 (.ci/run starts it)"),
]


@pytest.fixture
def due(roles):
    """Two editors and three reminders due now: Ann's own pledge, and one nobody owns (for both)."""
    users = {}
    for name in ("ann", "bob"):
        users[name] = get_user_model().objects.create_user(name, email=f"{name}@example.org", is_staff=True)
        users[name].groups.add(Group.objects.get(name="Editors"))
    passed = date.today() - timedelta(days=3)
    recorded = timezone.now() - timedelta(days=30)  # before the deadline passed: its passing is news
    a_pledge(
        title="Ann's railway",
        owner=users["ann"],
        deadline_end=passed,
        last_reviewed_on=date.today(),
        created_at=recorded,
    )
    a_pledge(
        title="Unowned vaccines", owner=None, deadline_end=passed, last_reviewed_on=date.today(), created_at=recorded
    )
    return Counter(
        {
            ("ann@example.org", "Ann's railway"): 1,
            ("ann@example.org", "Unowned vaccines"): 1,
            ("bob@example.org", "Unowned vaccines"): 1,
        }
    )


def all_sent():
    return Reminder.objects.exclude(status=Reminder.Status.SENT).count() == 0 and Reminder.objects.exists()


def test_a_worker_sends_one_digest_per_editor_and_a_second_sweep_sends_nothing(smtp, workers, broker, due):
    worker = workers()

    send_sweep(broker)
    wait_until(lambda: worker.finished() == 1, "the first sweep")
    send_sweep(broker)
    wait_until(lambda: worker.finished() == 2, "the same sweep again")

    assert Counter(smtp.items()) == due
    assert len(smtp.messages) == 2  # one digest each for Ann and Bob
    assert all_sent()


def test_two_sweeps_at_once_send_each_reminder_once(smtp, workers, broker, due):
    first, second = workers("w1"), workers("w2")
    smtp.hold()  # the first sweep to send stalls after claiming its reminders

    send_sweep(broker)
    wait_until(smtp.stalled.is_set, "a sweep to reach the SMTP server")
    send_sweep(broker)
    wait_until(lambda: first.finished() + second.finished() == 1, "the second sweep, while the first is mid-way")
    smtp.release()
    wait_until(lambda: first.finished() + second.finished() == 2, "the first sweep to finish")

    assert Counter(smtp.items()) == due
    assert all_sent()


def test_a_worker_killed_mid_sweep_loses_nothing_and_repeats_nothing(smtp, workers, broker, due):
    # A short time limit lets a test wait out the claim timeout: claims older than it are orphans.
    quick = {"CELERY_TASK_TIME_LIMIT": 2, "CELERY_TASK_SOFT_TIME_LIMIT": 1, "PLEDGES_REMINDER_CLAIM_TIMEOUT_SECONDS": 3}
    doomed = workers("doomed", **quick)
    smtp.hold()
    send_sweep(broker)
    wait_until(smtp.stalled.is_set, "the sweep to claim its reminders and start sending")

    doomed.kill()
    smtp.release()
    assert smtp.items() == []
    assert Reminder.objects.filter(status=Reminder.Status.CLAIMED).count() == 3
    successor = workers("successor", **quick)

    def one_more_sweep():
        before = successor.finished()
        send_sweep(broker)
        wait_until(lambda: successor.finished() > before, "a sweep by the restarted worker")
        return all_sent()

    wait_until(one_more_sweep, "the orphaned claims to be taken over and sent", 40)
    assert Counter(smtp.items()) == due


def test_a_sweep_while_the_smtp_server_is_down_is_retried_by_the_next(smtp, workers, broker, due):
    worker = workers()
    smtp.stop()

    send_sweep(broker)
    wait_until(lambda: worker.finished() == 1, "the sweep with SMTP down")
    failed = list(Reminder.objects.all())
    assert {r.status for r in failed} == {Reminder.Status.FAILED}
    assert all("Connection refused" in r.last_error or "Errno" in r.last_error for r in failed)
    smtp.start()
    send_sweep(broker)
    wait_until(lambda: worker.finished() == 2, "the sweep with SMTP back")

    assert Counter(smtp.items()) == due
    assert all_sent()


def test_an_editor_saves_a_pledge_while_the_broker_is_down(
    client, roles, reference_data, tmp_path, caplog, django_capture_on_commit_callbacks
):
    from config.celery_app import app
    from tests.factories import change_form_data

    editor = get_user_model().objects.create_user("ed", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    pledge = a_pledge(title="Saved during an outage")
    pledge.beneficiaries.set(states("KZ"))
    url = f"/admin/pledges/pledge/{pledge.pk}/change/"
    client.force_login(editor)
    private = RedisServer(tmp_path)
    original = app.conf.broker_url
    app.conf.broker_url = private.url
    try:
        import redis

        with django_capture_on_commit_callbacks(execute=True):
            assert (
                client.post(url, change_form_data(client.get(url), summary="While the broker is up.")).status_code
                == 302
            )
        assert redis.Redis.from_url(private.url).llen("celery") == 1  # the save asked for a sweep
        private.stop()

        with (
            caplog.at_level(logging.WARNING, logger="pledges.tasks"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client.post(url, change_form_data(client.get(url), summary="While the broker is down."))
    finally:
        app.conf.broker_url = original

    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.summary == "While the broker is down."
    assert "the next scheduled sweep will run it" in caplog.text
