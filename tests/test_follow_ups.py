"""A pledge may renew, extend, replace or restate an earlier one; both pages show the link."""

import pytest

from pledges.files import exports as exporters
from pledges.files.errors import ImportRejected
from pledges.files.imports import import_pledges
from pledges.models import Pledge
from tests.factories import pledge_csv
from tests.test_export import export
from tests.test_import import rejected
from tests.test_public_site import text

pytestmark = pytest.mark.django_db
EARLIER = {"slug": "bridges-2022", "title": "Build 10 bridges", "announced_on": "2022-01-25", "event": "Summit 2022"}
LATER = {
    "slug": "bridges-2023",
    "title": "Build 20 bridges",
    "announced_on": "2023-05-19",
    "event": "Summit 2023",
    "follows": "bridges-2022",
    "follow_up": "renews",
}


def errors_of(data):
    with pytest.raises(ImportRejected) as caught:
        import_pledges(data)
    return [str(error) for error in caught.value.errors]


def test_a_renewed_pledge_and_its_renewal_link_to_each_other(client, reference_data):
    import_pledges(pledge_csv(EARLIER))
    import_pledges(pledge_csv(LATER))

    later = Pledge.objects.get(slug="bridges-2023")
    assert later.follows.slug == "bridges-2022" and later.follow_up == "renews"
    earlier_page = client.get("/en/pledges/bridges-2022/").content.decode()
    later_page = client.get("/en/pledges/bridges-2023/").content.decode()
    assert (
        'Renewed at Summit 2023 on 19 May 2023: <a href="/en/pledges/bridges-2023/">Build 20 bridges</a>'
        in earlier_page
    )
    assert (
        'Renews an earlier pledge: <a href="/en/pledges/bridges-2022/">Build 10 bridges</a> (25 January 2022)'
        in later_page
    )
    assert Pledge.objects.get(slug="bridges-2022").verdict == later.verdict == "not_rated"  # verdicts stay per pledge


def test_a_link_to_a_draft_is_not_shown(client, reference_data):
    import_pledges(pledge_csv({**EARLIER, "published": "no"}))
    import_pledges(pledge_csv(LATER))

    page = client.get("/en/pledges/bridges-2023/").content.decode()

    assert "an earlier pledge" not in page and "bridges-2022" not in page
    assert b"bridges-2022" not in b"".join(client.get("/pledges.csv").streaming_content)


@pytest.mark.parametrize(
    ("row", "error"),
    [
        (
            {**LATER, "follow_up": ""},
            "Row 2, column 'follow_up': Say how this pledge follows the earlier one "
            "(renews, extends, replaces or restates).",
        ),
        ({**LATER, "follows": ""}, "Row 2, column 'follows': Name the earlier pledge this one renews."),
        ({**LATER, "follows": "nowhere"}, "Row 2, column 'follows': unknown pledge slug 'nowhere'"),
        (
            {**LATER, "announced_on": "2021-01-01"},
            "Row 2, column 'follows': The earlier pledge was announced on 2022-01-25, after this one.",
        ),
        (
            {**EARLIER, "follows": "bridges-2022", "follow_up": "restates"},
            "Row 2, column 'follows': A pledge cannot follow itself.",
        ),
    ],
)
def test_a_follow_up_link_that_makes_no_sense_is_refused(reference_data, row, error):
    import_pledges(pledge_csv(EARLIER))

    assert errors_of(pledge_csv(row)) == [error]


def test_the_admin_links_a_follow_up_with_the_same_rules(client, reference_data, editor):
    from tests.factories import change_form_data

    import_pledges(pledge_csv(EARLIER, {**LATER, "follows": "", "follow_up": ""}))
    earlier, later = Pledge.objects.get(slug="bridges-2022"), Pledge.objects.get(slug="bridges-2023")
    url = f"/admin/pledges/pledge/{later.pk}/change/"
    client.force_login(editor)

    refused = client.post(url, change_form_data(client.get(url), follows=str(earlier.pk)))
    assert "Say how this pledge follows the earlier one" in refused.content.decode()
    saved = client.post(url, change_form_data(client.get(url), follows=str(earlier.pk), follow_up="extends"))

    assert saved.status_code == 302
    later.refresh_from_db()
    assert (later.follows, later.follow_up) == (earlier, "extends")
    assert later.history.first().follows_id == earlier.pk


def test_a_file_may_follow_a_pledge_defined_on_an_earlier_row(client, reference_data):
    import_pledges(
        pledge_csv(
            {"slug": "first-pledge", "follows": "", "follow_up": ""},
            {"slug": "renewed", "announced_on": "2023-05-19", "follows": "first-pledge", "follow_up": "renews"},
        )
    )

    renewed = Pledge.objects.get(slug="renewed")
    assert renewed.follows.slug == "first-pledge" and renewed.follow_up == "renews"


def test_a_row_may_not_follow_one_later_in_the_file(reference_data):
    errors = rejected(
        lambda: import_pledges(
            pledge_csv(
                {"slug": "renewed", "follows": "later-pledge", "follow_up": "renews"},
                {"slug": "later-pledge", "follows": "", "follow_up": ""},
            )
        )
    )

    assert errors == [(2, "follows", "unknown pledge slug 'later-pledge'")]
    assert not Pledge.objects.exists()


def test_a_pledge_may_name_no_one_it_was_made_to(client, reference_data):
    import_pledges(pledge_csv({"beneficiaries": ""}))

    page = client.get("/en/pledges/test-pledge/").content.decode()
    assert "Made to" not in page and Pledge.objects.get().beneficiaries.count() == 0
    overview = client.get("/en/").content.decode()
    assert "Build 10 bridges" in overview and "→" not in overview and "made to" not in overview


def test_parties_keep_the_order_they_were_named_in(client, reference_data):
    route = "TM|UZ|TJ|KG"  # a railway's route, west to east, not the alphabet's order
    import_pledges(pledge_csv({"parties": route, "beneficiaries": route}))

    page = client.get("/en/pledges/test-pledge/").content.decode()
    assert "Turkmenistan, Uzbekistan, Tajikistan and Kyrgyzstan" in page
    exported = text(client.get("/pledges.csv"))
    assert f",{route},{route}," in exported
    assert import_pledges(exported.encode(), dry_run=True).summary.endswith(
        "0 new, 0 updated, 1 unchanged would be imported"
    )

    reordered = import_pledges(pledge_csv({"parties": "KG|TJ|UZ|TM", "beneficiaries": route}))
    assert reordered.summary.endswith("0 new, 1 updated, 0 unchanged were imported")
    assert (
        "Kyrgyzstan, Tajikistan, Uzbekistan and Turkmenistan" in client.get("/en/pledges/test-pledge/").content.decode()
    )


def test_a_pledge_may_be_on_several_topics_and_each_finds_it(client, reference_data):
    import_pledges(pledge_csv({"topic": "transport", "more_topics": "people|education"}))

    page = client.get("/en/pledges/test-pledge/").content.decode()
    assert "Topics</th><td>Transport and connectivity, People-to-people exchange, Education and training</td>" in page
    russian = client.get("/ru/pledges/test-pledge/").content.decode()
    assert "Темы</th>" in russian
    for topic in ("transport", "people", "education"):
        assert "Build 10 bridges" in client.get(f"/en/?topic={topic}").content.decode(), topic
    assert "Build 10 bridges" not in client.get("/en/?topic=health").content.decode()
    exported = text(client.get("/pledges.csv"))
    assert ",transport,people|education," in exported
    assert import_pledges(exported.encode(), dry_run=True).summary.endswith("1 unchanged would be imported")

    errors = rejected(lambda: import_pledges(pledge_csv({"more_topics": "people|astrology"})))
    assert errors[0][:2] == (2, "more_topics") and "unknown topic 'astrology'" in errors[0][2]


def test_a_pledge_may_restate_several_earlier_ones_and_each_links_to_it(client, reference_data):
    import_pledges(
        pledge_csv(
            {"slug": "trade", "title": "Trade pledge", "follows": "", "follow_up": "", "also_follows": ""},
            {"slug": "transit", "title": "Transit pledge", "follows": "", "follow_up": "", "also_follows": ""},
            {
                "slug": "both",
                "title": "Both restated",
                "announced_on": "2023-05-19",
                "follows": "trade",
                "follow_up": "restates",
                "also_follows": "transit",
            },
        )
    )

    page = client.get("/en/pledges/both/").content.decode()
    assert page.count("Restates an earlier pledge") == 2
    assert page.index('href="/en/pledges/trade/"') < page.index('href="/en/pledges/transit/"')
    for earlier in ("trade", "transit"):
        assert "Restated at A summit on 19 May 2023" in client.get(f"/en/pledges/{earlier}/").content.decode(), earlier
    exported = export(exporters.export_pledges).decode("utf-8-sig")
    assert ",trade,transit,restates," in exported
    assert import_pledges(exported.encode(), dry_run=True).summary.endswith("3 unchanged would be imported")
    assert "also_follows" not in text(client.get("/pledges.csv"))  # it may name a draft, as follows may
    assert Pledge.history.filter(slug="both").first().also_follows.count() == 1


def test_other_earlier_pledges_need_a_first_one_and_must_come_before(reference_data):
    import_pledges(pledge_csv({"slug": "later-one", "announced_on": "2030-01-01", "follows": "", "follow_up": ""}))

    errors = rejected(
        lambda: import_pledges(
            pledge_csv(
                {"slug": "a", "follows": "", "follow_up": "", "also_follows": "later-one"},
                {"slug": "b", "follows": "a", "follow_up": "restates", "also_follows": "later-one"},
            )
        )
    )

    assert (2, "also_follows", "Name the first earlier pledge in “follows”, and the others here.") in errors
    assert (3, "also_follows", "“later-one” was announced on 2030-01-01, after this one.") in errors
