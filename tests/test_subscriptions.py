"""Readers follow a pledge, an event, a country or everything by e-mail: they ask on the page,
confirm from a link, get each change once in their language, and leave with one click."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from pledges.files.imports import import_updates
from pledges.models import ConfirmationRequest, DigestItem, Subscription
from pledges.subscriptions import sweep
from tests.factories import update_csv

pytestmark = pytest.mark.django_db

TRADE = "trade-70-billion-by-2030"
TRAINING = "training-5000-places"


def ask(client, email, scope="pledge", followed=TRADE, language="en", frequency="at_once"):
    return client.post(
        f"/{language}/subscribe/", {"email": email, "scope": scope, "followed": followed, "frequency": frequency}
    )


def link(message, name):
    """The address of the `name` page (confirm, unsubscribe) in an e-mail's text, as a path."""
    text = message.body
    (found,) = set(re.findall(rf"http://[^/\s]+(/[^\s]*/{name}/)", text))
    return found


def confirmed(client, email, **asked):
    """A subscription asked for, its confirmation sent and followed, as a reader does."""
    ask(client, email, **asked)
    sweep()
    (message,) = [message for message in mail.outbox if message.to == [email]]
    assert client.post(link(message, "confirm")).status_code == 200
    mail.outbox.clear()
    return Subscription.objects.get(email=email)


def new_update(pledge=TRADE, key="customs-2026", **cells):
    import_updates(
        update_csv(
            {
                "pledge": pledge,
                "key": key,
                "occurred_on": "2026-11-30",
                "summary": "Customs data for ten months of 2026 published.",
                "new_verdict": "",
                "ruling": "",
                "measurement_value": "",
                **cells,
            }
        )
    )


@pytest.mark.parametrize(
    "language, heading, button",
    [
        ("en", "Follow by e-mail", "Follow"),
        ("ru", "Следить по почте", "Следить"),
        ("zh-hans", "通过电子邮件关注", "关注"),
    ],
)
def test_the_pledge_event_country_and_changes_pages_offer_the_form(client, seeded, language, heading, button):
    for url, scope, followed in [
        (f"/{language}/pledges/{TRADE}/", "pledge", TRADE),
        (f"/{language}/countries/KZ/", "country", "KZ"),
        (f"/{language}/changes/", "all", ""),
    ]:
        page = client.get(url).content.decode()
        form = page.split('<form class="follow"', 1)[1].split("</form>", 1)[0]
        assert f"<h2>{heading}</h2>" in form and f">{button}</button>" in form
        assert f'name="scope" value="{scope}"' in form and f'action="/{language}/subscribe/"' in form
        assert (f'name="followed" value="{followed}"' if followed else 'name="followed"') in form


def test_a_reader_asks_confirms_and_gets_the_next_update_once(client, seeded):
    page = ask(client, "Reader@Example.org").content.decode()
    assert "Check your inbox" in page and "Reader@Example.org" in page
    assert mail.outbox == []  # sent by the worker, not by the page

    report = sweep()
    (confirmation,) = mail.outbox
    assert report.confirmations == 1 and confirmation.to == ["reader@example.org"]
    assert "the pledge “Raise China–Central Asia trade to $70 billion by 2030”" in confirmation.body
    opened = client.get(link(confirmation, "confirm"))
    assert "Confirm your subscription" in opened.content.decode()
    assert Subscription.objects.get().confirmed_at is None  # a link scanner opening it confirms nothing
    assert "You are subscribed" in client.post(link(confirmation, "confirm")).content.decode()

    mail.outbox.clear()
    assert sweep().digests == 0 and mail.outbox == []  # nothing has changed since
    new_update()
    sweep()
    (digest,) = mail.outbox
    assert "Customs data for ten months of 2026 published." in digest.body and "New update" in digest.body
    assert f"/en/pledges/{TRADE}/" in digest.body
    unsubscribe = link(digest, "unsubscribe")
    assert digest.extra_headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000{unsubscribe}>"
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = digest.alternatives[0][0]
    assert "Customs data for ten months" in html and f'href="http://127.0.0.1:8000{unsubscribe}"' in html

    mail.outbox.clear()
    assert sweep().digests == 0 and mail.outbox == []  # once


def test_a_second_sweep_at_once_sends_nothing_twice(client, seeded):
    confirmed(client, "a@example.org")
    new_update()
    first, second = sweep(), sweep()
    assert (first.changes, second.changes) == (1, 0) and len(mail.outbox) == 1
    assert DigestItem.objects.get().status == DigestItem.Status.SENT


def test_a_verdict_change_and_a_correction_are_sent_with_their_words(client, seeded):
    confirmed(client, "a@example.org", scope="all", followed="")
    new_update(
        pledge="ai-big-data-cloud",
        key="met-2026",
        occurred_on="2026-12-02",  # the day of the seeds' recheck, written after it
        new_verdict="kept",
        ruling="Kept. The mechanism met in Xi'an.",
    )
    sweep()
    (digest,) = mail.outbox
    assert "Verdict changed from “In progress” to “Kept”" in digest.body
    assert "Kept. The mechanism met in Xi'an." in digest.body and "every pledge" in digest.body


def test_what_a_scope_does_not_cover_is_not_sent(client, seeded):
    confirmed(client, "kz@example.org", scope="country", followed="KZ")
    confirmed(client, "trade@example.org")
    new_update(pledge=TRAINING, key="visas-2026")  # made to all five states, Kazakhstan among them
    sweep()
    assert [message.to for message in mail.outbox] == [["kz@example.org"]]


@pytest.mark.parametrize(
    "language, subject, words, leave",
    [
        ("ru", "1 изменение в том, за чем вы следите", "Новое обновление", "Отписаться"),
        ("zh-hans", "您关注的内容有 1 项变化", "新的进展", "退订"),
    ],
)
def test_the_e_mails_are_in_the_language_the_reader_asked_in(client, seeded, language, subject, words, leave):
    ask(client, "a@example.org", language=language)
    sweep()
    (confirmation,) = mail.outbox
    assert f"/{language}/subscriptions/" in link(confirmation, "confirm")
    client.post(link(confirmation, "confirm"))
    mail.outbox.clear()
    new_update(summary_ru="Опубликованы таможенные данные.", summary_zh_hans="海关数据已公布。")
    sweep()
    (digest,) = mail.outbox
    assert subject in digest.subject and words in digest.body and leave in digest.body
    assert ("Опубликованы таможенные данные." if language == "ru" else "海关数据已公布。") in digest.body


def test_one_click_unsubscribes_without_a_page_and_deletes_the_address(client, seeded):
    subscription = confirmed(client, "a@example.org")
    new_update()
    sweep()
    (digest,) = mail.outbox
    unsubscribe = link(digest, "unsubscribe")
    assert "Unsubscribe" in client.get(unsubscribe).content.decode()  # a page with a button: GET leaves nothing
    assert Subscription.objects.filter(pk=subscription.pk).exists()

    response = client.post(unsubscribe, {"List-Unsubscribe": "One-Click"})  # RFC 8058, as a mail program sends it
    assert response.status_code == 200
    assert not Subscription.objects.exists() and not DigestItem.objects.exists()
    assert client.get(unsubscribe).status_code == 404  # the link is spent
    assert client.post(unsubscribe).status_code == 200  # leaving twice is no error
    new_update(key="later")
    mail.outbox.clear()
    sweep()
    assert mail.outbox == []


def test_the_form_cannot_flood_an_address(client, seeded, settings):
    for n, (scope, followed) in enumerate([("pledge", TRADE), ("pledge", TRAINING), ("country", "KZ"), ("all", "")]):
        page = ask(client, "Victim@Example.org" if n % 2 else "victim@example.org", scope=scope, followed=followed)
        assert "Check your inbox" in page.content.decode()  # the same answer: nothing is given away
    sweep()
    assert len(mail.outbox) == settings.PLEDGES_SUBSCRIPTION_CONFIRMATIONS_PER_DAY == 3
    assert not Subscription.objects.filter(scope="all").exists()
    assert ConfirmationRequest.objects.count() == 3
    assert "victim" not in ConfirmationRequest.objects.first().address_hash  # kept only as a hash


def test_an_address_never_confirmed_is_deleted_after_a_week(client, seeded):
    ask(client, "a@example.org")
    sweep()
    (confirmation,) = mail.outbox
    assert sweep(now=timezone.now() + timedelta(days=6)).forgotten == 0
    assert sweep(now=timezone.now() + timedelta(days=8)).forgotten == 1
    assert not Subscription.objects.exists()
    assert "no longer works" in client.get(link(confirmation, "confirm")).content.decode()


def test_a_weekly_digest_gathers_the_week(client, seeded):
    confirmed(client, "a@example.org", frequency="weekly")
    new_update(key="first")
    new_update(key="second", summary="A second release.")
    assert sweep().digests == 0  # the week is not over
    week_on = timezone.now() + timedelta(days=7, hours=1)
    report = sweep(now=week_on)
    assert (report.digests, report.changes) == (1, 2)
    (digest,) = mail.outbox
    assert "2 changes" in digest.subject and "once a week" in digest.body
    new_update(key="third", summary="A third release.")
    assert sweep(now=week_on + timedelta(days=6)).digests == 0  # the next week is not over
    assert sweep(now=week_on + timedelta(days=7)).changes == 1


def test_a_forged_or_mistyped_link_finds_nothing(client, seeded):
    subscription = confirmed(client, "a@example.org")
    forged = subscription.token.replace(":", ":x", 1)
    assert client.post(f"/en/subscriptions/{forged}/unsubscribe/").status_code == 200
    assert Subscription.objects.filter(pk=subscription.pk).exists()
    assert client.get(f"/en/subscriptions/{forged}/confirm/").status_code == 404


def test_a_bad_address_or_an_unknown_pledge_is_refused_on_the_form(client, seeded):
    refused = ask(client, "not an address")
    assert refused.status_code == 400 and "Enter a valid email address." in refused.content.decode()
    unknown = ask(client, "a@example.org", followed="no-such-pledge")
    assert (
        unknown.status_code == 400 and "There is nothing public to follow at this address." in unknown.content.decode()
    )
    assert not Subscription.objects.exists()


def test_the_form_and_the_sweep_take_a_bounded_number_of_queries(client, seeded):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def forgotten():  # each ask measured from nothing kept (the site's words are, once read)
        for name in ("default", "near"):
            caches[name].clear()

    forgotten()
    with CaptureQueriesContext(connection) as asked_first:
        ask(client, "first@example.org")
    for n in range(2):
        confirmed(client, f"reader{n}@example.org")
    new_update()
    with CaptureQueriesContext(connection) as few:
        assert sweep().digests == 2
    for n in range(2, 22):
        confirmed(client, f"reader{n}@example.org")
    new_update(key="another")
    with CaptureQueriesContext(connection) as many:
        assert sweep().digests == 22
    forgotten()
    with CaptureQueriesContext(connection) as asked_later:
        ask(client, "later@example.org")
    assert len(asked_first) == len(asked_later) <= 12  # however many subscribe
    # Reading what changed is shared by every subscriber of a pledge; each digest then records
    # what it sent straight after the server took it: two writes a subscriber.
    assert len(many) - len(few) <= 2 * 20
