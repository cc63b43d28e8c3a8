"""The seed data: the January 2022 summit's pledges and what happened to them, as sourced."""

from datetime import date
from decimal import Decimal

import pytest

from pledges.models import DeadlineState, Pledge, ProgressUpdate, Target, Verdict

pytestmark = pytest.mark.django_db

# Rechecked against ../shared/seeds/progress-facts.md in December 2026 (seeds/updates.csv,
# "recheck-2026-12"): vaccines, $500 million and 5,000 places unrated, pipelines kept for gas,
# e-commerce kept tentatively.
EXPECTED_VERDICTS = {
    "trade-70-billion-by-2030": Verdict.KEPT,
    "e-commerce-dialogue-mechanism": Verdict.KEPT,
    "industrial-investment-forum": Verdict.KEPT,
    "resume-passenger-flights": Verdict.KEPT,
    "fast-tracks-for-people": Verdict.KEPT,
    "green-lanes-for-goods": Verdict.KEPT,
    "covid-vaccines-50-million-doses": Verdict.NOT_RATED,
    "vaccine-joint-production": Verdict.NOT_RATED,
    "sister-cities-100-pairs": Verdict.KEPT,
    "livelihood-assistance-500-million": Verdict.NOT_RATED,
    "training-5000-places": Verdict.NOT_RATED,
    "china-kyrgyzstan-uzbekistan-railway": Verdict.IN_PROGRESS,
    "transport-corridors": Verdict.IN_PROGRESS,
    "oil-gas-pipelines": Verdict.KEPT,
    "energy-cooperation-low-carbon": Verdict.IN_PROGRESS,
    "ai-big-data-cloud": Verdict.IN_PROGRESS,
}


def test_every_concrete_commitment_of_the_article_is_seeded_with_its_verdict(seeded):
    assert dict(Pledge.objects.values_list("slug", "verdict")) == EXPECTED_VERDICTS


def test_every_seed_pledge_quotes_words_that_are_in_the_article(seeded):
    from tests.conftest import ROOT

    text = (ROOT / "seeds" / "000_b11296bbec3a337b.txt").read_text()
    for quote in Pledge.objects.values_list("quote", flat=True):
        assert quote in text, quote


def test_deadlines_are_computed_from_the_summit_date(seeded):
    windows = {p.slug: (p.deadline_precision, p.deadline_start, p.deadline_end) for p in Pledge.objects.all()}

    assert windows["trade-70-billion-by-2030"] == ("year", None, date(2030, 12, 31))
    assert windows["sister-cities-100-pairs"] == ("range", date(2027, 1, 25), date(2032, 1, 25))
    assert windows["livelihood-assistance-500-million"] == ("duration", None, date(2025, 1, 25))
    assert windows["training-5000-places"] == ("duration", None, date(2025, 1, 25))
    assert windows["industrial-investment-forum"] == ("in_due_course", None, None)


def test_the_trade_target_has_its_baseline_and_yearly_figures(seeded):
    trade = Pledge.objects.get(slug="trade-70-billion-by-2030")
    figures = list(
        trade.updates.filter(measurement_value__isnull=False)
        .order_by("occurred_on")
        .values_list("measurement_value", flat=True)
    )

    target = trade.targets.get()
    assert (target.baseline_value, target.target_value, target.unit.code) == (
        Decimal("50100000000"),
        Decimal("70000000000"),
        "usd",
    )
    assert figures == [Decimal(v) for v in ("70200000000", "89400000000", "94820000000", "106300000000")]
    progress = target.progress(list(trade.updates.all()))
    assert progress.current_value == Decimal("106300000000") and progress.on_track is True


def test_every_update_cites_a_source_and_the_state_matches_the_facts(seeded):
    assert not ProgressUpdate.objects.filter(sources__isnull=True).exists()
    overdue = {p.slug for p in Pledge.objects.all() if p.deadline_state(date(2026, 11, 27)) == DeadlineState.OVERDUE}
    assert overdue == {"livelihood-assistance-500-million", "training-5000-places"}
    sister = Pledge.objects.get(slug="sister-cities-100-pairs")
    assert sister.deadline_state(date(2026, 11, 27)) == DeadlineState.MET


def test_the_november_2026_facts_are_sourced_updates_and_say_where_no_total_exists(seeded):
    livelihood = Pledge.objects.get(slug="livelihood-assistance-500-million")
    assert livelihood.updates.count() == 6  # one of 2025, four from November 2026, the recheck of December
    assert "no total disbursed" in livelihood.updates.get(key="no-total-2026").summary
    assert ProgressUpdate.objects.filter(pledge__slug="energy-cooperation-low-carbon").count() == 6  # and the recheck
    assert not ProgressUpdate.objects.filter(sources__grade="weak", new_verdict__gt="").exists()


def test_vaccine_doses_are_measured_per_country_and_read_as_a_floor(seeded):
    vaccines = Pledge.objects.get(slug="covid-vaccines-50-million-doses")
    progress = vaccines.targets.get().progress(list(vaccines.updates.all()))

    # Tajikistan's figure is a breakdown of a five-country total nobody has reported.
    assert progress.current_value == Decimal("2543200") and progress.at_least and progress.percent is None


def test_the_targets_say_what_their_numbers_mean(seeded, client):
    kinds = dict(Target.objects.values_list("pledge__slug", "kind"))
    assert kinds == {
        "trade-70-billion-by-2030": "flow",
        "covid-vaccines-50-million-doses": "total",
        "sister-cities-100-pairs": "level",
        "livelihood-assistance-500-million": "total",
        "training-5000-places": "total",
        "china-kyrgyzstan-uzbekistan-railway": "milestones",
    }
    sister = client.get("/en/pledges/sister-cities-100-pairs/").content.decode()
    assert 'class="on-track"' not in sister  # no baseline recorded, so no straight line from a made-up zero
    trade = client.get("/en/pledges/trade-70-billion-by-2030/").content.decode()
    assert trade.count('<rect class="year-bar"') == 4 and 'class="on-track"' in trade
    railway = client.get("/en/pledges/china-kyrgyzstan-uzbekistan-railway/").content.decode()
    assert "3 of 4 steps done" in railway and '<li class="to-do">opening: not yet</li>' in railway
    assert (
        '<li class="done">intergovernmental agreement: done, 6 June 2024 (<a href="#update-agreement-2024">' in railway
    )


def test_the_railway_is_made_to_kyrgyzstan_and_uzbekistan(seeded):
    railway = Pledge.objects.get(slug="china-kyrgyzstan-uzbekistan-railway")
    assert sorted(railway.beneficiaries.values_list("country__code", flat=True)) == ["KG", "UZ"]


def test_the_fact_checks_corrections_reach_a_site_seeded_before_them_each_with_its_note(reference_data, client):
    from pathlib import Path

    from django.conf import settings

    from pledges.files.imports import import_pledges, import_updates

    before = Path(settings.BASE_DIR) / "tests" / "data" / "seeds-2026-11"
    import_pledges((before / "pledges.csv").read_bytes())
    import_updates((before / "updates.csv").read_bytes())
    livelihood = Pledge.objects.get(slug="livelihood-assistance-500-million")
    assert "$255 million" in livelihood.updates.get(key="no-total-2026").summary

    import_pledges((Path(settings.BASE_DIR) / "seeds" / "pledges.csv").read_bytes())
    report = import_updates((Path(settings.BASE_DIR) / "seeds" / "updates.csv").read_bytes())

    corrected = ProgressUpdate.objects.filter(corrected_at__isnull=False)
    assert corrected.count() > 40 and report.count("new") == 4  # the four rechecks
    # Every other update changed only by gaining its Russian and Chinese, which needs no note.
    changed = [row for row in report.rows if row.action == "update"]
    keys = {f"{u.pledge.slug}/{u.key}" for u in corrected.select_related("pledge")}
    assert len(changed) > corrected.count()
    for row in changed:
        assert row.key in keys or all(name.endswith(("_ru", "_zh_hans")) for name, *_ in row.changes), row
    no_total = livelihood.updates.get(key="no-total-2026")
    assert "$255 million" not in no_total.summary and no_total.sources.count() == 3
    page = client.get(livelihood.get_absolute_url()).content.decode()
    assert "Corrected on " in page and "“About $255 million” was removed: no source states it" in page
    log = client.get("/en/changes/?page=1").content.decode()
    assert log.count('<li class="change change-corrected') == 50  # a page of the log: all corrections
