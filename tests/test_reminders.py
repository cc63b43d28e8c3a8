"""Which reminders go out, to whom, and when: the sweep's rules, with time frozen."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pledges.models import Pledge, Reminder, Verdict
from pledges.reminders import sweep
from tests.factories import a_pledge

pytestmark = pytest.mark.django_db
Kind = Reminder.Kind


def at(day):
    """Freeze time at noon UTC on `day`."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=False)


def editor_named(name, roles):
    user = get_user_model().objects.create_user(name, email=f"{name}@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def ann(roles):
    return editor_named("ann", roles)


@pytest.fixture
def bob(roles):
    return editor_named("bob", roles)


def reviewed_pledge(**fields):
    """A pledge reviewed recently, so only deadline reminders concern it."""
    with at(date(2030, 1, 1)):
        return a_pledge(last_reviewed_on=fields.pop("last_reviewed_on", date(2030, 12, 1)), **fields)


def kinds_sent(to=None):
    return [
        (r.kind, r.lead_days)
        for r in Reminder.objects.filter(status="sent").order_by("due_on")
        if to is None or r.recipient == to
    ]


@pytest.mark.parametrize(
    "today, expected",
    [
        (date(2030, 10, 1), []),  # 91 days before the end of 2030
        (date(2030, 10, 2), [(Kind.DEADLINE_NEAR, 90)]),
        (date(2030, 12, 1), [(Kind.DEADLINE_NEAR, 30)]),
        (date(2030, 12, 24), [(Kind.DEADLINE_NEAR, 7)]),
        (date(2031, 1, 1), [(Kind.DEADLINE_PASSED, None)]),
    ],
)
def test_a_reminder_goes_out_at_each_lead_time_and_when_the_deadline_passes(ann, today, expected):
    reviewed_pledge(owner=ann, last_reviewed_on=today)
    with at(today):
        sweep()
    assert kinds_sent() == expected


def test_each_lead_time_is_sent_once_as_the_deadline_comes_closer(ann):
    reviewed_pledge(owner=ann, last_reviewed_on=date(2030, 12, 31))
    for day in [
        date(2030, 10, 2),
        date(2030, 10, 3),
        date(2030, 12, 1),
        date(2030, 12, 2),
        date(2030, 12, 24),
        date(2030, 12, 31),
        date(2031, 1, 1),
        date(2031, 1, 5),
    ]:
        with at(day):
            sweep()
    assert kinds_sent() == [
        (Kind.DEADLINE_NEAR, 90),
        (Kind.DEADLINE_NEAR, 30),
        (Kind.DEADLINE_NEAR, 7),
        (Kind.DEADLINE_PASSED, None),
    ]
    assert len(mail.outbox) == 4


def test_a_sweep_after_a_week_down_catches_up_once(ann):
    reviewed_pledge(owner=ann, last_reviewed_on=date(2030, 12, 28))
    with at(date(2031, 1, 7)):  # beat was down from before the 7-day mark until after the end
        sweep()
        sweep()
    assert kinds_sent() == [(Kind.DEADLINE_PASSED, None)]
    assert len(mail.outbox) == 1


def test_the_deadline_passing_is_not_news_once_the_pledge_is_settled(ann):
    for verdict in (Verdict.KEPT, Verdict.PARTIALLY_KEPT, Verdict.BROKEN):
        reviewed_pledge(owner=ann, verdict=verdict, last_reviewed_on=date(2031, 1, 1))
    reviewed_pledge(owner=ann, verdict=Verdict.STALLED, last_reviewed_on=date(2031, 1, 1))
    with at(date(2031, 1, 2)):
        sweep()
    assert kinds_sent() == [(Kind.DEADLINE_PASSED, None)]


def test_a_window_with_a_start_reminds_when_it_opens(ann):
    with at(date(2026, 12, 1)):  # recorded before the window opens
        a_pledge(
            owner=ann,
            deadline_precision="range",
            deadline_start=date(2027, 1, 25),
            deadline_end=date(2032, 1, 25),
            last_reviewed_on=date(2027, 1, 20),
        )
    with at(date(2027, 1, 24)):
        sweep()
    assert kinds_sent() == []
    with at(date(2027, 1, 25)):
        sweep()
    assert kinds_sent() == [(Kind.WINDOW_OPENS, None)]


def test_a_pledge_not_reviewed_for_the_interval_gets_a_review_reminder_each_interval(ann, settings):
    settings.PLEDGES_REVIEW_INTERVAL_DAYS = 30
    with at(date(2026, 1, 1)):
        a_pledge(owner=ann, deadline_precision="none", deadline_end=None, last_reviewed_on=date(2026, 1, 1))
    for day, expected in [
        (date(2026, 1, 30), 0),
        (date(2026, 1, 31), 1),
        (date(2026, 2, 15), 1),
        (date(2026, 3, 2), 2),
    ]:
        with at(day):
            sweep()
        assert len(kinds_sent()) == expected, day
    assert {kind for kind, _ in kinds_sent()} == {Kind.REVIEW_DUE}


def test_reminders_go_to_the_owner_or_else_to_every_editor(ann, bob):
    reviewed_pledge(owner=ann, title="Owned by Ann")
    reviewed_pledge(owner=None, title="Nobody's")
    with at(date(2031, 1, 2)):
        sweep()
    ann_mail = [m for m in mail.outbox if m.to == ["ann@example.org"]]
    bob_mail = [m for m in mail.outbox if m.to == ["bob@example.org"]]
    assert len(ann_mail) == len(bob_mail) == 1
    assert "Owned by Ann" in ann_mail[0].body and "Nobody's" in ann_mail[0].body
    assert "Owned by Ann" not in bob_mail[0].body and "Nobody's" in bob_mail[0].body


def test_one_digest_per_recipient_in_text_and_html_with_links_and_reasons(ann, settings):
    settings.PLEDGES_SITE_URL = "https://pledges.example.org"
    first = reviewed_pledge(owner=ann, title="Trade to $70 billion", deadline_text="by 2030")
    second = reviewed_pledge(owner=ann, title="A railway", deadline_end=date(2031, 1, 20))
    with at(date(2031, 1, 2)):
        report = sweep()

    assert report.digests == 1 and report.sent == 2
    message = mail.outbox[0]
    assert message.subject == "Pledge tracker: 2 reminders for 2 January 2031"
    assert f"https://pledges.example.org/admin/pledges/pledge/{first.pk}/change/" in message.body
    assert "The deadline (“by 2030”, 31 December 2030) has passed with the verdict “Not yet rated”" in message.body
    assert "The deadline (“by 2030”, 20 January 2031) is 18 days away." in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'<a href="https://pledges.example.org/admin/pledges/pledge/{second.pk}/change/">A railway</a>' in html


def test_a_changed_deadline_is_seen_by_the_next_sweep(ann):
    pledge = reviewed_pledge(owner=ann, last_reviewed_on=date(2030, 1, 1))
    with at(date(2030, 1, 2)):
        sweep()
        # Nothing is due; the next thing is the review, 90 days after the last one.
        assert Pledge.objects.get(pk=pledge.pk).remind_after == date(2030, 4, 1)
    with at(date(2030, 1, 3)):
        pledge.deadline_end = date(2030, 1, 20)
        pledge.save()
    with at(date(2030, 1, 10)):  # an editor's save clears remind_after: the pledge is looked at again
        sweep()
    assert kinds_sent() == [(Kind.DEADLINE_NEAR, 30)]


def test_a_sweep_takes_the_same_queries_for_200_pledges_as_for_5(ann, bob):
    def run_with(count):
        Reminder.objects.all().delete()
        Pledge.objects.all().delete()
        for n in range(count):
            reviewed_pledge(owner=ann if n % 2 else None)
        with at(date(2031, 1, 2)), CaptureQueriesContext(connection) as queries:
            report = sweep()
        owned = count // 2
        assert report.sent == owned + 2 * (count - owned)  # owned ones to Ann; the others to both editors
        statements = [q["sql"][:60] for q in queries.captured_queries]
        if connection.vendor == "sqlite":
            # SQLite caps the parameters of one statement, so Django splits a large insert into
            # consecutive batches of the same statement; PostgreSQL takes it in one.
            statements = [s for n, s in enumerate(statements) if n == 0 or s != statements[n - 1]]
        return statements

    big, small = run_with(200), run_with(5)
    assert big == small
    assert len(big) <= 11  # one of them reads the site's name for the digests


def test_the_command_runs_the_same_sweep(ann, capsys):
    reviewed_pledge(owner=ann)
    with at(date(2031, 1, 2)):
        call_command("send_reminders")
    assert "1 sent in 1 digests" in capsys.readouterr().out
    assert kinds_sent() == [(Kind.DEADLINE_PASSED, None)]


def test_the_reminder_log_is_in_the_admin_for_editors(client, ann):
    reviewed_pledge(owner=ann, title="Logged pledge")
    with at(date(2031, 1, 2)):
        sweep()
    client.force_login(ann)
    page = client.get("/admin/pledges/reminder/")
    assert page.status_code == 200
    # The list's own rows (the status filter's labels say "Sent" on any page): one reminder, sent once.
    rows = page.context["cl"].result_list
    assert [(r.pledge.title, r.get_status_display(), r.attempts) for r in rows] == [("Logged pledge", "Sent", 1)]
    row_html = page.content.decode().split('id="result_list"', 1)[1]
    assert "Logged pledge" in row_html and '<td class="field-status">Sent</td>' in row_html


def test_a_backlog_is_swept_in_batches_each_going_on_where_the_last_stopped(ann):
    with at(date(2030, 1, 1)):
        pledges = [reviewed_pledge(owner=ann, last_reviewed_on=date(2031, 1, 1)) for _ in range(5)]
    with at(date(2031, 1, 5)):  # every deadline has passed; reading stops after each batch of two
        reports = [sweep(batch_size=2, time_budget=0) for _ in range(4)]

    assert [(r.pledges_checked, r.claimed, r.stopped_early) for r in reports] == [
        (2, 2, True),
        (2, 2, True),
        (1, 1, True),
        (0, 0, False),
    ]
    sent = Reminder.objects.filter(status="sent", kind=Kind.DEADLINE_PASSED)
    assert sorted(sent.values_list("pledge_id", flat=True)) == [p.pk for p in pledges]  # each once
    assert "stopped at the time budget, the next sweep goes on" in str(reports[0])


def test_each_send_counts_an_attempt_and_a_failure_keeps_its_error(ann, settings):
    reviewed_pledge(owner=ann, last_reviewed_on=date(2031, 1, 1))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nobody listens
    with at(date(2031, 1, 5)):
        sweep()
        (failed,) = Reminder.objects.all()
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        sweep()  # the next sweep retries it

    assert (failed.status, failed.attempts) == ("failed", 1) and "Connection refused" in failed.last_error
    (reminder,) = Reminder.objects.all()
    assert (reminder.status, reminder.attempts, reminder.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


def test_each_recipient_is_written_to_in_the_language_they_chose(ann, bob, settings):
    from pledges.models import EditorSettings

    EditorSettings.objects.create(user=ann, language="ru")
    EditorSettings.objects.create(user=bob, language="zh-hans")
    reviewed_pledge(owner=None, title="Trade to $70 billion", deadline_text="by 2030")
    with at(date(2031, 1, 2)):
        sweep()

    to = {m.to[0]: m for m in mail.outbox}
    russian, chinese = to["ann@example.org"], to["bob@example.org"]
    assert russian.subject == "Трекер обещаний: 1 напоминание на 2 января 2031 г."
    assert "Здравствуйте, ann!" in russian.body and "Срок прошёл: Trade to $70 billion" in russian.body
    # The pledge's words not yet written in Russian are given in English, and say so.
    assert "Срок («by 2030 (на английском)», 31 декабря 2030 г.) прошёл, оценка — «Ещё не оценено»" in russian.body
    assert '<html lang="ru">' in russian.alternatives[0][0]
    assert chinese.subject.startswith("承诺追踪：") and "您好" in chinese.body
    # Nobody's choice leaks into the next message or the thread.
    from django.utils.translation import get_language

    assert get_language() == settings.LANGUAGE_CODE
