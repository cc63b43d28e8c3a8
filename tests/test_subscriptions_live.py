"""Subscriptions for real: a reader asks on the page, a Celery worker on a Redis broker sends the
confirmation and then the digest through an SMTP server the test starts, each once, through two
sweeps at once and an SMTP outage."""

import re

import pytest

from pledges.models import DigestItem, Subscription
from tests.live import redis_answers, send_sweep, wait_until
from tests.test_subscriptions import TRADE, new_update

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the worker reads what the test wrote
    pytest.mark.skipif(not redis_answers(), reason="needs Redis on 127.0.0.1:6379 (.ci/run starts it)"),
]
SWEEP = "pledges.send_subscriptions"


def path_of(message, name):
    text = message.get_body(preferencelist=("plain",)).get_content()
    (found,) = set(re.findall(rf"http://[^/\s]+(/[^\s]*/{name}/)", text))
    return found


def test_a_reader_follows_a_pledge_and_a_worker_sends_each_e_mail_once(
    client, seeded, smtp, workers, broker, django_capture_on_commit_callbacks
):
    from config.celery_app import app

    first, second = workers("w1"), workers("w2")
    original, app.conf.broker_url = app.conf.broker_url, broker
    try:
        with django_capture_on_commit_callbacks(execute=True):  # the page asks a worker at once
            asked = client.post(
                "/ru/subscribe/",
                {"email": "reader@example.org", "scope": "pledge", "followed": TRADE, "frequency": "at_once"},
            )
            # Someone posts the form for another's address, again and again: 3 e-mails a day at most.
            for scope, followed in [("pledge", TRADE), ("country", "KZ"), ("country", "UZ"), ("all", "")]:
                data = {"email": "victim@example.org", "scope": scope, "followed": followed, "frequency": "weekly"}
                assert "Проверьте почту" in client.post("/ru/subscribe/", data).content.decode()
    finally:
        app.conf.broker_url = original
    assert "Проверьте почту" in asked.content.decode()
    wait_until(lambda: len(smtp.messages) == 4, "the confirmation e-mails")
    wait_until(lambda: first.finished() + second.finished() == 4, "the sweeps the page asked for")
    assert sorted(message["To"] for message in smtp.messages) == ["reader@example.org"] + ["victim@example.org"] * 3
    smtp.messages[:] = [message for message in smtp.messages if message["To"] == "reader@example.org"]
    (confirmation,) = smtp.messages
    assert confirmation["Subject"].endswith("подтвердите подписку") and confirmation["To"] == "reader@example.org"
    assert client.post(path_of(confirmation, "confirm")).status_code == 200

    new_update()
    send_sweep(broker, SWEEP)
    send_sweep(broker, SWEEP)  # two sweeps at once, on two workers
    wait_until(lambda: first.finished() + second.finished() == 6, "both sweeps")
    assert len(smtp.messages) == 2  # the confirmation, and one digest
    digest = smtp.messages[1]
    assert "Customs data for ten months of 2026 published." in digest.get_body(preferencelist=("plain",)).get_content()
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest["List-Unsubscribe"].strip() == f"<http://127.0.0.1:8000{path_of(digest, 'unsubscribe')}>"

    smtp.stop()  # the mail server goes down: the next change is not lost
    new_update(key="november", summary="November's figures.")
    send_sweep(broker, SWEEP)
    wait_until(lambda: first.finished() + second.finished() == 7, "a sweep while SMTP is down")
    assert DigestItem.objects.filter(status=DigestItem.Status.FAILED).count() == 1
    smtp.start()
    send_sweep(broker, SWEEP)
    send_sweep(broker, SWEEP)
    wait_until(lambda: first.finished() + second.finished() == 9, "the sweeps after the outage")
    assert (
        len(smtp.messages) == 3
        and "November's figures." in smtp.messages[2].get_body(preferencelist=("plain",)).get_content()
    )

    assert client.post(path_of(digest, "unsubscribe"), {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Subscription.objects.filter(email="reader@example.org").exists()
