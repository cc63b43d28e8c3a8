"""A ruling moves with its verdict: the update that gives a verdict says why, the pledge shows the
newest ruling, and the page shows how the rating changed, step by step."""

from datetime import date, timedelta

import pytest

from pledges.files.errors import ImportRejected
from pledges.files.imports import import_pledges, import_updates
from pledges.models import Pledge, ProgressUpdate, Verdict
from pledges.services import update_verdict_errors
from tests.factories import PLEDGE_ROW, pledge_csv, update_csv

pytestmark = pytest.mark.django_db


def update_csv_without_measurement(*rows):
    return update_csv(*({"measurement_value": "", **row} for row in rows))


def test_a_file_giving_a_verdict_without_its_ruling_is_refused_whole(seeded):
    with pytest.raises(ImportRejected) as refused:
        import_updates(
            update_csv_without_measurement(
                {"pledge": "ai-big-data-cloud", "key": "met-2026", "new_verdict": "kept", "ruling": ""},
                {"pledge": "ai-big-data-cloud", "key": "ai-2026", "new_verdict": "", "ruling": ""},
            )
        )
    (error,) = refused.value.errors
    assert (error.row, error.column) == (2, "ruling")
    assert (
        error.message == "A new verdict comes with its ruling: say in a short paragraph why the pledge is now “Kept”."
    )
    assert not ProgressUpdate.objects.filter(key__in=["met-2026", "ai-2026"]).exists()
    assert Pledge.objects.get(slug="ai-big-data-cloud").verdict == Verdict.IN_PROGRESS


def test_the_newest_ruling_stands_under_the_newest_verdict(seeded, client):
    pledge = Pledge.objects.get(slug="ai-big-data-cloud")
    assert pledge.ruling.startswith("In progress.")
    import_updates(
        update_csv(
            {
                "pledge": pledge.slug,
                "key": "met-2026",
                "occurred_on": "2026-12-02",  # the day of the seeds' recheck, written after it
                "new_verdict": "kept",
                "ruling": "Kept. The dialogue mechanism met in Xi'an in 2026, its minutes published.",
                "measurement_value": "",
            }
        )
    )
    pledge.refresh_from_db()
    assert (pledge.verdict, pledge.ruling) == (
        Verdict.KEPT,
        "Kept. The dialogue mechanism met in Xi'an in 2026, its minutes published.",
    )
    page = client.get(pledge.get_absolute_url()).content.decode()
    ruling = page.split('<div class="ruling">', 1)[1].split("</div>", 1)[0]
    assert "met in Xi&#x27;an in 2026" in ruling and "In progress." not in ruling
    # The rating's history, oldest first: each verdict with its ruling and a link to its evidence.
    history = page.split('<ol class="rating-history">', 1)[1].split("</ol>", 1)[0]
    assert history.index("In progress.") < history.index("met in Xi&#x27;an in 2026")
    assert '<span class="verdict verdict-kept">Kept</span>' in history and 'href="#update-met-2026"' in history


def test_the_rating_history_reads_in_each_language(seeded, client):
    for language, still in (("en", "In progress"), ("ru", "Выполняется"), ("zh-hans", "进行中")):
        page = client.get(f"/{language}/pledges/sister-cities-100-pairs/").content.decode()
        history = page.split('<ol class="rating-history">', 1)[1].split("</ol>", 1)[0]
        assert still in history
    heading = {"en": "How the rating changed", "ru": "Как менялась оценка", "zh-hans": "评级的变化"}
    for language, words in heading.items():
        assert words in client.get(f"/{language}/pledges/sister-cities-100-pairs/").content.decode()


def test_a_pledges_file_cannot_set_a_ruling_and_says_so(reference_data):
    report = import_pledges(pledge_csv({"ruling": "Broken, says a file."}, columns=[*PLEDGE_ROW, "ruling"]))
    assert Pledge.objects.get().ruling == ""
    assert [str(w) for w in report.warnings] == [
        "Row 2, column 'ruling': not applied: a ruling comes with the progress update that gives the verdict "
        "(the updates file's ruling column)"
    ]


def test_the_service_refuses_a_verdict_dated_before_the_newest_ruling_and_takes_a_later_one(seeded):
    pledge = Pledge.objects.get(slug="ai-big-data-cloud")
    newest = pledge.updates.filter(is_published=True).exclude(ruling="").order_by("-occurred_on").first()
    asked = {"pledge": pledge, "update_id": None, "new_verdict": "kept", "is_published": True}

    assert "occurred_on" in update_verdict_errors(**asked, occurred_on=newest.occurred_on - timedelta(days=1))
    assert update_verdict_errors(**asked, occurred_on=newest.occurred_on) == {}
    assert update_verdict_errors(**{**asked, "is_published": False}, occurred_on=date(2022, 2, 1)) == {}  # a draft
    # The newest ruling itself, saved again, is not older than itself.
    assert update_verdict_errors(**{**asked, "update_id": newest.pk}, occurred_on=newest.occurred_on) == {}


def test_the_database_itself_refuses_a_verdict_without_a_ruling(seeded):
    from django.db import IntegrityError, transaction

    update = ProgressUpdate.objects.exclude(new_verdict="").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressUpdate.objects.filter(pk=update.pk).update(ruling="")


@pytest.mark.parametrize(
    "language, words",
    [
        ("en", "Past its deadline, a pledge is no longer In progress"),
        ("ru", "После срока обещание уже не «Выполняется»"),
        ("zh-hans", "期限过后，承诺不再是“进行中”"),
    ],
)
def test_the_about_page_says_how_a_pledge_past_its_deadline_is_rated(client, db, language, words):
    assert words in client.get(f"/{language}/about/").content.decode()


def test_the_seed_verdicts_were_rechecked_each_change_with_its_ruling(seeded, client):
    # The facts gathered in 2026 do not carry "In progress" for a 2022 vaccine pledge.
    vaccines = Pledge.objects.get(slug="covid-vaccines-50-million-doses")
    assert vaccines.verdict == Verdict.NOT_RATED
    assert vaccines.ruling.startswith("Not yet rated. The pledge was for 50 million doses in 2022.")
    page = client.get(vaccines.get_absolute_url()).content.decode()
    history = page.split('<ol class="rating-history">', 1)[1].split("</ol>", 1)[0]
    assert history.index("verdict-in_progress") < history.index("verdict-not_rated")
    assert 'href="#update-recheck-2026-12"' in history
