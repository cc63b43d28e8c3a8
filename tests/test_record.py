"""Any summit's pledges as they were made: parties, vocabularies, several targets, measured
periods, follow-ups and events, from a file to the public pages, and the rules the database keeps."""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from pledges.files.errors import ImportRejected
from pledges.files.imports import import_pledges, import_updates
from pledges.models import (
    Country,
    DeadlineState,
    Party,
    Pledge,
    ProgressUpdate,
    Target,
    Topic,
    Unit,
)
from tests.factories import a_pledge, pledge_csv, update_csv
from tests.test_reminders import ann  # noqa: F401 (a fixture: an editor reminders reach)

EXAMPLE = Path(__file__).parent / "data" / "example-summit"
OLD_LAYOUT = Path(__file__).parent / "data" / "layout-2026-11"


@pytest.fixture
def example_summit(seeded):
    """The seed pledges, then a later summit's pledges and progress that follow some of them."""
    import_pledges((EXAMPLE / "pledges.csv").read_bytes())
    import_updates((EXAMPLE / "updates.csv").read_bytes())


def text(response):
    return response.content.decode()


# From a file to the record


def test_a_summits_file_holds_its_pledges_without_bending_them(example_summit):
    joint = Pledge.objects.get(slug="example-joint-corridor")
    assert [p.file_key for p in joint.parties.all()] == ["CN", "KZ", "UZ"]
    assert list(joint.beneficiaries.all()) == list(joint.parties.all())  # a mutual commitment
    assert Party.objects.get(country__code="CN").kind == "state"
    assert joint.deadline_state(date(2026, 12, 1)) == DeadlineState.UNDATED

    two = Pledge.objects.get(slug="example-training-and-scholarships")
    places, scholarships = two.targets.all()
    assert (places.position, places.unit.code, places.target_value) == (1, "places", 5000)
    assert (scholarships.position, scholarships.unit.code, scholarships.target_value) == (2, "scholarships", 3000)
    updates = list(two.updates.all())
    assert places.progress(updates).current_value == 2000 and places.progress(updates).percent == Decimal("40.0")
    assert scholarships.progress(updates).current_value == 1200 and scholarships.progress(updates).share == 40
    trained = two.updates.get(key="trained-2023")
    assert (trained.measured_precision, trained.measured_start, trained.measured_end) == (
        "range",
        date(2023, 1, 1),
        date(2023, 12, 31),
    )

    yuan = Pledge.objects.get(slug="example-financing-26-billion-yuan")
    assert yuan.targets.get().unit.currency == "CNY"
    june = yuan.updates.get()
    assert (june.measured_precision, june.measured_end, june.occurred_on) == (
        "month",
        date(2024, 6, 30),
        date(2024, 8, 1),
    )
    assert yuan.follows.slug == "livelihood-assistance-500-million" and yuan.follow_up == "extends"
    assert Pledge.objects.get(slug="example-medicine-centres").deadline_precision == "ongoing"
    renewed = Pledge.objects.get(slug="example-trade-renewed")
    assert (renewed.deadline_start, renewed.deadline_end) == (date(2025, 1, 1), date(2026, 12, 31))
    # Parties an import names are made once; those that are not states wait for an editor.
    assert set(Party.objects.filter(kind="").values_list("name", flat=True)) == {
        "Xi Jinping",
        "Example Development Agency",
        "Example Health Ministry",
    }


def test_the_files_come_back_out_and_in_unchanged(example_summit):
    from tests.test_export import export, exporters

    pledges, updates = export(exporters.export_pledges), export(exporters.export_updates)
    assert b"example-training-and-scholarships" in pledges and b",scholarships," in pledges
    assert b",2024-06," in updates and b",2023-01-01/2023-12-31," in updates

    assert import_pledges(pledges).count("unchanged") == Pledge.objects.count()
    assert import_updates(updates).count("unchanged") == ProgressUpdate.objects.count()


def cited_as_documents(text):
    """A file of November 2026 cited home pages (https://www.globaltimes.cn/), refused since
    December 2026: the same file with each such address naming a page under it."""
    return re.sub(r'(https?://[^,"\s]*/)(?=[,"\n])', r"\1a-page.html", text)


def test_a_file_in_the_november_2026_layout_still_imports(reference_data):
    import_pledges(cited_as_documents((OLD_LAYOUT / "pledges.csv").read_text(encoding="utf-8")))
    old_updates = cited_as_documents((OLD_LAYOUT / "updates.csv").read_text(encoding="utf-8"))
    # Since December 2026 a verdict comes with its ruling: the old file's verdicts are refused,
    # each saying so, and imported once they say why.
    with pytest.raises(ImportRejected) as refused:
        import_updates(old_updates)
    assert {error.column for error in refused.value.errors} == {"ruling"}
    rows = list(csv.DictReader(io.StringIO(old_updates)))
    for row in rows:
        row["ruling"] = row["summary"] if row["new_verdict"] else ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*rows[0].keys()])
    writer.writeheader()
    writer.writerows(rows)
    import_updates(out.getvalue())

    trade = Pledge.objects.get(slug="trade-70-billion-by-2030")
    assert [party.name for party in trade.parties.all()] == ["Xi Jinping"]  # its actor column
    target = trade.targets.get()
    assert (target.unit.code, target.target_value, target.baseline_value) == ("usd", 70_000_000_000, 50_100_000_000)
    assert trade.updates.filter(target=target).count() == 4  # its measurements, of target 1
    assert Pledge.objects.count() == 16 and ProgressUpdate.objects.count() == 50


def test_a_file_never_creates_a_topic_or_a_unit_and_says_which_exist(reference_data):
    with pytest.raises(ImportRejected) as refused:
        import_pledges(pledge_csv({"topic": "culture", "target_unit": "outcomes"}))

    messages = {error.column: error.message for error in refused.value.errors}
    assert messages["topic"].startswith("unknown topic 'culture'; known: aid, digital, education, energy,")
    assert messages["target_unit"].startswith("unknown unit 'outcomes'; known: centres, city_pairs, cny,")
    assert "(an editor adds more in the admin)" in messages["topic"]
    assert not Topic.objects.filter(slug="culture").exists() and not Unit.objects.filter(code="outcomes").exists()
    assert not Pledge.objects.exists()


def test_an_editor_adds_a_unit_and_a_file_may_then_use_it(client, editor, reference_data):
    editor.is_superuser = True  # editors keep units; the Editors group's rights are tested in roles
    editor.save()
    client.force_login(editor)
    response = client.post(
        reverse("admin:pledges_unit_add"),
        {
            "code": "outcomes",
            "kind": "count",
            "currency": "",
            "name_en": "outcomes",
            "name_ru": "результатов",
            "name_zh_hans": "项成果",
            "written_en": "{value} outcomes",
            "written_ru": "{value} результатов",
            "written_zh_hans": "{value} 项成果",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    import_pledges(pledge_csv({"target_unit": "outcomes"}))
    assert Pledge.objects.get().targets.get().unit.code == "outcomes"


def test_editors_keep_the_vocabularies(editor):
    for codename in (
        "add_unit",
        "change_unit",
        "add_topic",
        "change_topic",
        "add_target",
        "change_target",
        "add_party",
        "change_party",
    ):
        assert editor.has_perm(f"pledges.{codename}"), codename


def test_a_measurement_of_a_pledge_with_two_targets_names_one_that_exists(example_summit):
    with pytest.raises(ImportRejected) as refused:
        import_updates(
            update_csv(
                {
                    "pledge": "example-training-and-scholarships",
                    "key": "x",
                    "target": "3",
                    "measurement_value": "7",
                    "measured_period": "2025",
                }
            )
        )
    assert [(e.column, e.message) for e in refused.value.errors] == [
        ("target", "this pledge has no target 3; its targets are 1, 2")
    ]


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2025-13", "'2025-13' is not a month; write YYYY-MM"),
        ("2025-06-30/2025-01-01", "'2025-06-30/2025-01-01' ends before it starts"),
        ("mid 2025", "'mid 2025' is not a period: write a year (2022), a month (2023-05), a day (2023-05-11)"),
    ],
)
def test_a_measured_period_that_is_not_one_is_refused(example_summit, period, message):
    with pytest.raises(ImportRejected) as refused:
        import_updates(
            update_csv(
                {
                    "pledge": "example-financing-26-billion-yuan",
                    "key": "y",
                    "target": "1",
                    "measurement_value": "1",
                    "measured_period": period,
                }
            )
        )
    (error,) = refused.value.errors
    assert error.column == "measured_period" and error.message.startswith(message)


def test_one_measurement_per_target_and_period(example_summit):
    with pytest.raises(ImportRejected) as refused:
        import_updates(
            update_csv(
                {
                    "pledge": "example-training-and-scholarships",
                    "key": "again",
                    "target": "2",
                    "measurement_value": "1300",
                    "measured_period": "2024",
                    "occurred_on": "2025-06-01",
                }
            )
        )
    assert refused.value.errors[0].message.startswith(
        "This target already has a measurement for 2024-12-31: one per period"
    )
    # The same period of the other target is a different measurement.
    import_updates(
        update_csv(
            {
                "pledge": "example-training-and-scholarships",
                "key": "places-2024",
                "target": "1",
                "measurement_value": "3100",
                "measured_period": "2024",
                "occurred_on": "2025-06-01",
            }
        )
    )


# What readers see


def test_a_joint_two_target_pledge_page_words_it_naturally(client, example_summit):
    joint = text(client.get("/en/pledges/example-joint-corridor/"))
    assert "Pledged jointly by" in joint and "China, Kazakhstan and Uzbekistan" in joint
    assert "as soon as possible" in joint

    page = text(client.get("/en/pledges/example-training-and-scholarships/"))
    assert '<th scope="row">Target 1</th>' in page and '<th scope="row">Target 2</th>' in page
    assert "professionals trained: 5,000 places" in page and "government scholarships: 3,000 scholarships" in page
    assert page.count('<svg class="chart"') == 2
    assert (
        'aria-labelledby="chart-title-1 chart-desc-1"' in page
        and 'aria-labelledby="chart-title-2 chart-desc-2"' in page
    )
    assert "1,200 scholarships in 2024 (reported 1 March 2025)" in page
    assert "Measured (government scholarships), 2024: 1,200 scholarships" in page


def test_the_trade_figures_are_plotted_at_the_year_they_measure(client, seeded):
    page = text(client.get("/en/pledges/trade-70-billion-by-2030/"))

    assert "$106.3 billion in 2025 (reported 18 January 2026)" in page
    assert "<td>in 2022</td><td>$70.2 billion</td>" in page
    assert "Measured (annual trade), 2022: $70.2 billion" in page


def test_a_yuan_target_and_its_month_read_in_each_language(client, example_summit):
    assert "9.5 billion Chinese yuan in June 2024 (reported 1 August 2024)" in text(
        client.get("/en/pledges/example-financing-26-billion-yuan/")
    )
    russian = text(client.get("/ru/pledges/example-financing-26-billion-yuan/"))
    assert "юаней" in russian and "Помощь в целях развития" in russian  # the unit's and topic's own Russian
    assert "元人民币" in text(client.get("/zh-hans/pledges/example-financing-26-billion-yuan/"))


def test_the_overview_shows_the_first_target_and_says_there_are_more(client, example_summit):
    page = text(client.get("/en/?q=scholarships"))
    assert "professionals trained: 40% of the target" in page and "(and 1 more target)" in page


def test_the_overview_filters_by_party(client, example_summit):
    agency = Party.objects.get(name="Example Development Agency")
    page = text(client.get(f"/en/?party={agency.pk}"))

    assert f'<option value="{agency.pk}" selected>Example Development Agency</option>' in page
    assert page.count('<article class="pledge">') == 1 and "Train 5,000 professionals" in page
    assert text(client.get("/en/?q=Example+Health")).count('<article class="pledge">') == 1  # search finds parties


def test_the_filters_offer_no_party_or_country_that_only_a_draft_names(client, seeded):
    secret = Party.objects.create(name="Secret Ministry")
    niue = Country.objects.get(code="NU")  # named by no seed pledge
    receiver = Party.objects.create(name="Niue", kind="state", country=niue)
    draft = a_pledge(parties=[secret], beneficiaries=[receiver], is_published=False)

    overview = text(client.get("/en/"))
    assert "Secret Ministry" not in overview and "Niue" not in overview

    draft.is_published = True
    draft.save()
    published = text(client.get("/en/"))
    assert f'<option value="{secret.pk}">Secret Ministry</option>' in published
    assert '<option value="NU">Niue</option>' in published


def test_follow_ups_link_both_ways_and_the_event_page_counts_its_pledges(client, example_summit):
    earlier = text(client.get("/en/pledges/livelihood-assistance-500-million/"))
    assert "Extended at Example Regional Summit on 19 May 2023" in earlier
    later = text(client.get("/en/pledges/example-financing-26-billion-yuan/"))
    assert "Extends an earlier pledge" in later and "/en/pledges/livelihood-assistance-500-million/" in later

    event = text(client.get("/en/events/example-regional-summit/"))
    assert event.count('<article class="pledge">') == 5
    assert "Example Regional Summit" in event and "19 May 2023" in event


def test_the_reminder_sweep_reviews_as_soon_as_possible_and_ongoing_pledges_on_the_review_interval(example_summit, ann):
    from pledges.models import Reminder
    from pledges.reminders import sweep

    Pledge.objects.filter(slug__startswith="example-").update(last_reviewed_on=date(2026, 1, 1))
    sweep(today=date(2026, 12, 1))

    kinds = dict(
        Reminder.objects.filter(pledge__slug__in=["example-joint-corridor", "example-medicine-centres"])
        .values_list("pledge__slug", "kind")
        .distinct()
    )
    assert kinds == {"example-joint-corridor": "review_due", "example-medicine-centres": "review_due"}
    assert (
        not Reminder.objects.filter(pledge__slug__in=["example-joint-corridor", "example-medicine-centres"])
        .exclude(kind="review_due")
        .exists()
    )


# The rules the database keeps, whatever writes


def test_only_a_state_has_a_country_and_only_a_person_speaks_for_one(reference_data):
    kazakhstan = Country.objects.get(code="KZ")
    with pytest.raises(IntegrityError), transaction.atomic():
        Party.objects.create(name="Astana Forum", kind="organisation", country=kazakhstan)
    state = Party.objects.create(name="Kazakhstan", kind="state", country=kazakhstan)
    with pytest.raises(IntegrityError), transaction.atomic():
        Party.objects.create(name="A ministry", kind="organisation", speaks_for=state)
    Party.objects.create(name="The President of Kazakhstan", kind="person", speaks_for=state)
    with pytest.raises(IntegrityError), transaction.atomic():
        Party.objects.create(name="Kazakhstan again", kind="state", country=kazakhstan)  # one state a country


def test_money_has_a_currency_and_nothing_else_does(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code="eur", kind="currency", currency="", name="euros", written="€{value}")
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code="seats", kind="count", currency="USD", name="seats", written="{value} seats")
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code="bad", kind="count", name="bad", written="seats")  # no {value}
    Unit.objects.create(code="eur", kind="currency", currency="EUR", name="euros", written="€{value}")


def test_a_targets_number_is_unique_in_its_pledge_and_a_used_one_cannot_go(reference_data):
    pledge = a_pledge(target_unit="projects", target_value=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(pledge=pledge, position=1, unit=Unit.objects.get(code="usd"), target_value=5)
    target = pledge.targets.get()
    ProgressUpdate.objects.create(
        pledge=pledge, key="m", occurred_on=date(2024, 1, 1), summary="s", measurement_value=3, target=target
    )
    with pytest.raises(Exception, match="protected"):
        target.delete()


@pytest.mark.parametrize(
    "bad",
    [
        {"measurement_value": 3},  # a measurement names its target
        {"measured_precision": "year", "measured_end": date(2023, 12, 31)},  # a period without a value
        {"measurement_value": 3, "target": True, "measured_precision": "range", "measured_end": date(2023, 12, 31)},
        {"measurement_value": 3, "target": True, "measured_precision": "year"},  # a period needs its end
        {
            "measurement_value": 3,
            "target": True,
            "measured_precision": "range",
            "measured_start": date(2024, 1, 1),
            "measured_end": date(2023, 1, 1),
        },
    ],
)
def test_the_database_refuses_a_measurement_that_is_not_whole(reference_data, bad):
    pledge = a_pledge(target_unit="projects", target_value=10)
    fields = {**bad, **({"target": pledge.targets.get()} if bad.get("target") else {})}
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressUpdate.objects.create(pledge=pledge, key="m", occurred_on=date(2024, 1, 1), summary="s", **fields)


def test_the_admin_says_what_a_measurement_lacks(reference_data):
    from django.core.exceptions import ValidationError

    pledge = a_pledge(target_unit="projects", target_value=10)
    Target.objects.create(pledge=pledge, position=2, unit=Unit.objects.get(code="usd"), target_value=5)
    update = ProgressUpdate(
        pledge=pledge,
        occurred_on=date(2024, 1, 1),
        summary="s",
        measurement_value=3,
        measured_precision="range",
        measured_end=date(2024, 6, 30),
    )
    with pytest.raises(ValidationError) as refused:
        update.clean()
    assert refused.value.message_dict == {
        "measurement_value": ["Say which of the pledge's targets this measures."],
        "measured_start": ["A range needs a start date."],
    }


# Editors


def test_an_editor_measures_the_second_target_of_a_year_on_the_pledge_page(client, example_summit, editor):
    from tests.factories import change_form_data
    from tests.test_admin_editing import change_url, with_new_update

    pledge = Pledge.objects.get(slug="example-training-and-scholarships")
    scholarships = pledge.targets.get(position=2)
    client.force_login(editor)
    page = client.get(change_url(pledge))
    assert {str(t.pk) for t in page.context["inline_admin_formsets"][0].formset.forms[0].fields["target"].queryset} == {
        str(t.pk) for t in pledge.targets.all()
    }  # only this pledge's targets are offered
    index = page.context["inline_admin_formsets"][0].formset.initial_form_count()

    response = client.post(
        change_url(pledge),
        change_form_data(
            page,
            **with_new_update(
                page,
                index,
                measurement_value="2500",
                target=str(scholarships.pk),
                measured_precision="year",
                measured_end="2025-12-31",
                summary="2,500 scholarships were awarded for 2025.",
                new_verdict="",
            ),
        ),
    )

    assert response.status_code == 302
    update = pledge.updates.get(measurement_value=2500)
    assert (update.target, update.measured_precision, update.measured_on) == (scholarships, "year", date(2025, 12, 31))
    assert scholarships.progress(list(pledge.updates.all())).current_value == 2500


def test_country_and_state_names_read_in_each_language(client, example_summit):
    russian = text(client.get("/ru/pledges/example-joint-corridor/"))
    assert "Китай, Казахстан и Узбекистан" in russian
    chinese = text(client.get("/zh-hans/pledges/example-joint-corridor/"))
    assert "中国、哈萨克斯坦和乌兹别克斯坦" in chinese
    overview = text(client.get("/ru/"))
    assert '<option value="KZ">Казахстан</option>' in overview
    made_to = text(client.get("/ru/pledges/example-training-and-scholarships/")).split(">Кому<", 1)[1][:400]
    names = re.sub(r"<a [^>]*>|</a>", "", made_to)  # each state links to its country's page
    assert "Казахстан, Кыргызстан, Таджикистан, Туркменистан и Узбекистан" in names
    assert '<a href="/ru/countries/KZ/">Казахстан</a>' in made_to


def test_feeds_and_calendars_speak_the_language_of_the_page_that_links_them(client, example_summit):
    import feedparser
    from icalendar import Calendar

    page = text(client.get("/ru/events/example-regional-summit/"))
    assert "/feed/?event=example-regional-summit&amp;lang=ru" in page
    assert "/deadlines.ics?event=example-regional-summit&amp;lang=ru" in page

    feed = feedparser.parse(client.get("/feed/?event=example-regional-summit&lang=ru").content)
    english = feedparser.parse(client.get("/feed/?event=example-regional-summit").content)
    assert english.feed.title == "Pledge tracker: progress updates on the pledges of Example Regional Summit"
    assert feed.feed.title != english.feed.title and "Example Regional Summit" in feed.feed.title  # in Russian
    assert all("/ru/pledges/" in entry.link for entry in feed.entries)
    assert any(link.href.endswith("lang=ru") for link in feed.feed.links)  # its own address keeps the language

    calendar = Calendar.from_ical(client.get("/deadlines.ics?lang=zh-hans").getvalue())
    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert summaries and not any(s.startswith("Deadline") for s in summaries)
    assert "/zh-hans/pledges/" in str(next(iter(calendar.walk("VEVENT")))["url"])


def test_a_person_is_shown_with_the_state_they_speak_for(client, example_summit):
    xi = Party.objects.get(name="Xi Jinping")
    xi.kind, xi.speaks_for = "person", Party.objects.get(country__code="CN")
    xi.name_ru = ""  # not yet written in Russian
    xi.save()

    assert "<td>Xi Jinping (for China)</td>" in text(client.get("/en/pledges/example-trade-renewed/"))
    # A name not yet written in Russian is shown in English, marked as such; once written, in Russian.
    marked = '<span lang="en">Xi Jinping</span> <span class="in-language">(на английском)</span> (от имени: Китай)'
    assert marked in text(client.get("/ru/pledges/example-trade-renewed/"))
    xi.name_ru = "Си Цзиньпин"
    xi.save()
    assert "<td>Си Цзиньпин (от имени: Китай)</td>" in text(client.get("/ru/pledges/example-trade-renewed/"))
