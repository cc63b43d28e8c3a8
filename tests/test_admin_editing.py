"""Editors at work in the admin: finding pledges, recording progress, history, roles, conflicts."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Case, F, Q, When
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pledges.admin.forms import PreciseDateField
from pledges.admin.pagination import EstimatedCountPaginator
from pledges.models import Pledge, ProgressUpdate, Verdict
from pledges.services.history import version_token
from tests.factories import change_form_data
from tests.volume import add_pledges

pytestmark = pytest.mark.django_db
LIST_URL = "/admin/pledges/pledge/"


def change_url(pledge):
    return reverse("admin:pledges_pledge_change", args=[pledge.pk])


def titles(response):
    return [pledge.title for pledge in response.context["cl"].result_list]


def new_update(**fields):
    """The inline's empty row on a pledge page, filled in as an editor would."""
    values = {
        "occurred_on": "2026-11-20",
        "summary": "Deliveries confirmed by the ministry.",
        "is_published": "on",
        "measurement_value": "",
        "measurement_country": "",
        "new_verdict": "",
        "source_url": "https://example.org/report",
        "source_title": "Ministry report",
        "source_publisher": "Ministry",
        "source_published_on": "2026-11-21",
    }
    values.update(fields)
    return values


def with_new_update(page, index, **fields):
    """A pledge page's post with a new progress update in the inline's row `index`."""
    return {f"updates-{index}-{name}": value for name, value in new_update(**fields).items()}


@pytest.fixture
def owned(my_pledge_due_soon, editor):
    """Two seed pledges owned by the editor: one due within weeks, one years away."""
    soon = my_pledge_due_soon
    later = Pledge.objects.get(slug="trade-70-billion-by-2030")
    later.owner = editor
    later.save()
    return soon, later


# Finding what needs attention


def test_the_list_filters_to_mine_and_due_soon(client, owned, editor):
    soon, later = owned
    client.force_login(editor)

    response = client.get(LIST_URL, {"owner": "mine", "deadline": "due_soon"})

    assert titles(response) == [soon.title]
    page = response.content.decode()
    assert 'class="deadline deadline-due_soon"' in page
    assert "Due soon" in page


def test_mine_comes_first_among_the_owner_choices(client, owned, editor, admin_user):
    Pledge.objects.filter(slug="sister-cities-100-pairs").update(owner=admin_user)
    client.force_login(editor)

    owner_filter = next(spec for spec in client.get(LIST_URL).context["cl"].filter_specs if spec.title == "owner")

    assert [title for _, title in owner_filter.lookup_choices][:3] == ["Mine", "Nobody", "admin"]


def test_open_deadlines_come_first_nearest_first(client, owned, editor):
    client.force_login(editor)

    listed = list(client.get(LIST_URL).context["cl"].result_list)

    open_ones = [
        p
        for p in listed
        if p.deadline_end and p.deadline_end >= date.today() and p.verdict not in ("kept", "broken", "partially_kept")
    ]
    assert listed[: len(open_ones)] == open_ones
    assert [p.deadline_end for p in open_ones] == sorted(p.deadline_end for p in open_ones)
    assert listed[0] == owned[0]


def test_needs_review_lists_pledges_not_reviewed_within_the_interval(client, seeded, editor, settings):
    settings.PLEDGES_REVIEW_INTERVAL_DAYS = 30
    Pledge.objects.update(last_reviewed_on=date.today() - timedelta(days=5))
    Pledge.objects.filter(slug="oil-gas-pipelines").update(last_reviewed_on=date.today() - timedelta(days=31))
    Pledge.objects.filter(slug="ai-big-data-cloud").update(last_reviewed_on=None)
    client.force_login(editor)

    response = client.get(LIST_URL, {"review": "needed"})

    assert sorted(titles(response)) == sorted(
        Pledge.objects.filter(slug__in=["oil-gas-pipelines", "ai-big-data-cloud"]).values_list("title", flat=True)
    )


def test_search_finds_a_pledge_by_the_title_of_an_updates_source(client, seeded, editor):
    update = ProgressUpdate.objects.filter(pledge__slug="sister-cities-100-pairs").first()
    update.sources.update(title="Friendship towns counted in a yearbook")
    client.force_login(editor)

    response = client.get(LIST_URL, {"q": "yearbook"})

    assert titles(response) == [update.pledge.title]


def test_the_list_shows_progress_and_the_last_update(client, seeded, editor):
    client.force_login(editor)

    response = client.get(LIST_URL, {"q": "sister cities"})

    pledge = response.context["cl"].result_list[0]
    progress = pledge.first_target.progress(pledge.updates.all())
    page = response.content.decode()
    assert f"{progress.percent}%" in page
    newest = pledge.updates.order_by("-occurred_on").first().occurred_on
    assert pledge.last_update_on == newest


def test_owners_are_found_by_autocomplete(client, seeded, editor):
    client.force_login(editor)

    response = client.get(
        "/admin/autocomplete/", {"app_label": "pledges", "model_name": "pledge", "field_name": "owner", "term": "e"}
    )

    assert response.status_code == 200
    assert "ed" in [result["text"] for result in response.json()["results"]]


def test_the_list_takes_the_same_few_queries_for_1000_pledges_as_for_16(client, seeded, editor):
    client.force_login(editor)
    client.get(LIST_URL)  # The first request of a session also loads content types.
    with CaptureQueriesContext(connection) as for_16:
        client.get(LIST_URL)
    add_pledges(1000 - Pledge.objects.count(), updates_each=2)

    with CaptureQueriesContext(connection) as for_1000:
        response = client.get(LIST_URL)

    # (Targets are read in one more query since a pledge may have several, one more reads the
    # language the editor chose, and one the events the event filter offers.) A list longer than a
    # page reads the page's ids first, from the open pledges and, past their end, from the others
    # (OpenFirstPaginator): two reads at most.
    assert len(for_16) <= 15, [q["sql"] for q in for_16.captured_queries]
    assert len(for_1000) <= len(for_16) + 2, [q["sql"] for q in for_1000.captured_queries]
    assert response.context["cl"].result_count == 1000
    assert len(response.context["cl"].result_list) == 50
    assert "%" in response.content.decode()  # progress is shown without a query per row


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL keeps the row estimate this uses")
def test_a_very_large_list_is_counted_from_the_planners_estimate(client, seeded, editor, monkeypatch):
    add_pledges(1000 - Pledge.objects.count())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pledges_pledge")
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 500)
    client.force_login(editor)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL)

    assert 900 <= response.context["cl"].result_count <= 1100
    assert not [q for q in queries.captured_queries if "COUNT(*)" in q["sql"] and "pledges_pledge" in q["sql"]]
    filtered = client.get(LIST_URL, {"is_published__exact": "1"})
    assert filtered.context["cl"].result_count == Pledge.objects.filter(is_published=True).count()


# Recording progress


def test_an_update_with_a_source_and_a_measurement_is_added_on_the_pledge_page(client, seeded, editor):
    pledge = Pledge.objects.get(slug="covid-vaccines-50-million-doses")
    client.force_login(editor)
    page = client.get(change_url(pledge))
    index = int(page.context["inline_admin_formsets"][0].formset.management_form["INITIAL_FORMS"].value())
    kz = pledge.beneficiaries.get(country__code="KZ").country

    response = client.post(
        change_url(pledge),
        change_form_data(
            page,
            **with_new_update(page, index, measurement_value="1000000", measurement_country=str(kz.pk)),
        ),
    )

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    update = pledge.updates.get(occurred_on=date(2026, 11, 20))
    assert update.measurement_value == 1000000 and update.measurement_country == kz
    assert [(s.url, s.title, s.publisher) for s in update.sources.all()] == [
        ("https://example.org/report", "Ministry report", "Ministry")
    ]
    assert update.history.get().history_user == editor


def test_a_new_update_without_a_source_is_refused(client, seeded, editor):
    pledge = Pledge.objects.get(slug="covid-vaccines-50-million-doses")
    client.force_login(editor)
    page = client.get(change_url(pledge))
    index = page.context["inline_admin_formsets"][0].formset.initial_form_count()

    response = client.post(change_url(pledge), change_form_data(page, **with_new_update(page, index, source_url="")))

    assert response.status_code == 200
    assert "A progress update needs a source" in response.content.decode()
    assert not pledge.updates.filter(occurred_on=date(2026, 11, 20)).exists()


def test_the_verdict_is_read_only_and_does_not_change_without_a_new_sourced_update(client, seeded, editor):
    pledge = Pledge.objects.get(slug="vaccine-joint-production")
    client.force_login(editor)
    page = client.get(change_url(pledge))
    html = page.content.decode()
    assert 'name="verdict"' not in html  # shown, not a field to type into
    assert "The verdict and its ruling follow the newest published progress update that gives a verdict." in html

    response = client.post(change_url(pledge), {**change_form_data(page), "verdict": "kept"})  # a forged field

    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.verdict == Verdict.NOT_RATED
    from pledges.models import EditorSettings

    EditorSettings.objects.create(user=editor, language="ru")
    assert "Оценка и её обоснование следуют за последним опубликованным обновлением" in (
        client.get(change_url(pledge)).content.decode()
    )


def test_the_verdict_changes_with_a_published_sourced_update_and_is_in_the_history(client, seeded, editor):
    pledge = Pledge.objects.get(slug="vaccine-joint-production")
    client.force_login(editor)
    page = client.get(change_url(pledge))
    index = page.context["inline_admin_formsets"][0].formset.initial_form_count()

    ruled = with_new_update(page, index, new_verdict="kept", ruling="Kept: the ministry confirmed joint production.")
    response = client.post(change_url(pledge), change_form_data(page, **ruled))

    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.verdict == Verdict.KEPT
    assert pledge.ruling == "Kept: the ministry confirmed joint production."  # the new ruling, not the old
    assert pledge.updates.get(occurred_on=date(2026, 11, 20)).new_verdict == Verdict.KEPT
    history = client.get(reverse("admin:pledges_pledge_history", args=[pledge.pk])).content.decode()
    # The history row shows the verdict's change, from what it was to what the update made it.
    assert re.search(r"Verdict:</strong>\s*Not yet rated\s*&nbsp;&rarr;&nbsp;&nbsp;Kept", history), history


def test_a_new_verdict_without_its_ruling_is_refused_and_nothing_is_saved(client, seeded, editor):
    # An update giving Kept once left the old "In progress. ... no meeting has been found" ruling
    # under the Kept badge. The verdict and the reason for it are now one act.
    pledge = Pledge.objects.get(slug="ai-big-data-cloud")
    old_ruling = pledge.ruling
    client.force_login(editor)
    page = client.get(change_url(pledge))
    index = page.context["inline_admin_formsets"][0].formset.initial_form_count()

    response = client.post(
        change_url(pledge), change_form_data(page, **with_new_update(page, index, new_verdict="kept"))
    )

    assert response.status_code == 200
    assert "A new verdict comes with its ruling: say in a short paragraph why the pledge is now “Kept”." in (
        response.content.decode()
    )
    pledge.refresh_from_db()
    assert (pledge.verdict, pledge.ruling) == (Verdict.IN_PROGRESS, old_ruling)
    assert not pledge.updates.filter(occurred_on=date(2026, 11, 20)).exists()


def test_reverting_the_verdict_withdraws_the_update_that_gave_it(client, seeded, editor):
    pledge = Pledge.objects.get(slug="vaccine-joint-production")
    client.force_login(editor)
    before = pledge.history.first()
    page = client.get(change_url(pledge))
    index = page.context["inline_admin_formsets"][0].formset.initial_form_count()
    ruled = with_new_update(page, index, new_verdict="kept", ruling="Kept: the ministry confirmed joint production.")
    client.post(change_url(pledge), change_form_data(page, **ruled))
    assert Pledge.objects.get(pk=pledge.pk).verdict == Verdict.KEPT
    revert_url = reverse("admin:pledges_pledge_simple_history", args=[pledge.pk, before.history_id])
    revert_page = client.get(revert_url)

    response = client.post(revert_url, change_form_data(revert_page))

    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.verdict == Verdict.NOT_RATED
    withdrawn = pledge.updates.get(occurred_on=date(2026, 11, 20))
    assert not withdrawn.is_published
    assert pledge.history.filter(history_change_reason__startswith="Reverted to the version of").exists()
    assert withdrawn.history.first().history_change_reason == "Withdrawn: the pledge's verdict was reverted"


def test_a_field_revert_restores_the_old_value_and_is_recorded(client, seeded, editor):
    pledge = Pledge.objects.get(slug="sister-cities-100-pairs")
    client.force_login(editor)
    original_title = pledge.title
    before = pledge.history.first()
    page = client.get(change_url(pledge))
    client.post(change_url(pledge), change_form_data(page, title="A mistaken title"))
    revert_url = reverse("admin:pledges_pledge_simple_history", args=[pledge.pk, before.history_id])

    response = client.post(revert_url, change_form_data(client.get(revert_url)))

    assert response.status_code == 302, response.context["errors"]
    pledge.refresh_from_db()
    assert pledge.title == original_title
    history = client.get(reverse("admin:pledges_pledge_history", args=[pledge.pk])).content.decode()
    assert "A mistaken title" in history
    assert (
        pledge.history.count() == Pledge.history.filter(id=pledge.pk, history_date__lte=before.history_date).count() + 2
    )


def test_the_history_shows_a_change_of_beneficiaries_by_name(client, seeded, editor, reference_data):
    from pledges.models import Party

    pledge = Pledge.objects.get(slug="sister-cities-100-pairs")
    client.force_login(editor)
    page = client.get(change_url(pledge))
    kazakhstan = Party.objects.get(country__code="KZ")
    client.post(change_url(pledge), change_form_data(page, beneficiaries=[str(kazakhstan.pk)]))

    history = client.get(reverse("admin:pledges_pledge_history", args=[pledge.pk])).content.decode()

    change = history.split("<strong>Beneficiaries:</strong>", 1)[1].split("</li>", 1)[0]
    assert [part.replace("&nbsp;", "").strip() for part in change.split("&rarr;")] == [
        "Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan, Uzbekistan",
        "Kazakhstan",
    ]


# No lost work


def test_a_second_editor_saving_an_old_version_is_refused_and_told_what_changed(client, seeded, editor):
    pledge = Pledge.objects.get(slug="sister-cities-100-pairs")
    other = get_user_model().objects.create_user("alice", password="pw", is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    second_editors_page = client.get(change_url(pledge))
    client.force_login(other)
    client.post(change_url(pledge), change_form_data(client.get(change_url(pledge)), title="Alice's title"))
    client.force_login(editor)

    response = client.post(change_url(pledge), change_form_data(second_editors_page, summary="Ed's summary"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "was saved by alice" in page
    assert "Title: “" in page and "Alice&#x27;s title”" in page
    assert "Your changes were not saved" in page
    pledge.refresh_from_db()
    assert pledge.title == "Alice's title"
    assert pledge.summary != "Ed's summary"


def test_an_inline_update_edited_meanwhile_is_not_overwritten(client, seeded, editor):
    pledge = Pledge.objects.get(slug="sister-cities-100-pairs")
    update = pledge.updates.order_by("-occurred_on", "-id").first()
    # A draft: published updates are not edited on the pledge page (they are corrected on their own).
    ProgressUpdate.objects.filter(pk=update.pk).update(is_published=False)
    update.refresh_from_db()
    client.force_login(editor)
    page = client.get(change_url(pledge))
    form_index = [f.instance.pk for f in page.context["inline_admin_formsets"][0].formset.forms].index(update.pk)
    # Someone else corrects the update on its own page.
    update_url = reverse("admin:pledges_progressupdate_change", args=[update.pk])
    client.post(update_url, change_form_data(client.get(update_url), summary="Corrected by someone else."))

    response = client.post(
        change_url(pledge), change_form_data(page, **{f"updates-{form_index}-summary": "My stale edit."})
    )

    assert response.status_code == 200
    assert "after you opened it" in response.content.decode()
    update.refresh_from_db()
    assert update.summary == "Corrected by someone else."


def test_an_update_saved_meanwhile_as_this_page_shows_it_is_no_conflict(client, seeded, editor):
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    update = pledge.updates.get(key="trade-2023")  # gives no verdict: drafting it leaves the verdict
    # A draft: published updates are not edited on the pledge page (they are corrected on their own).
    ProgressUpdate.objects.filter(pk=update.pk).update(is_published=False)
    update.refresh_from_db()
    client.force_login(editor)
    page = client.get(change_url(pledge))
    # Someone else edits the update on its own page, then thinks better of it and puts it back.
    update_url = reverse("admin:pledges_progressupdate_change", args=[update.pk])
    for summary in ("A second thought.", update.summary):
        client.post(update_url, change_form_data(client.get(update_url), summary=summary))
    assert ProgressUpdate.objects.get(pk=update.pk).updated_at > update.updated_at

    response = client.post(change_url(pledge), change_form_data(page, summary="A clearer summary of the pledge."))

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    pledge.refresh_from_db()
    assert pledge.summary == "A clearer summary of the pledge."


def test_a_pledge_page_opens_in_the_same_queries_for_any_number_of_updates_and_saves_in_two_more_each(
    client, seeded, editor
):
    from pledges.models import Source

    pledge = Pledge.objects.get(slug="covid-vaccines-50-million-doses")
    client.force_login(editor)

    def queries():
        with CaptureQueriesContext(connection) as opening:
            page = client.get(change_url(pledge))
        with CaptureQueriesContext(connection) as saving:
            response = client.post(change_url(pledge), change_form_data(page))
        assert response.status_code == 302, response.context["errors"] if response.context else ""
        return len(opening), len(saving)

    before = queries()
    for day in range(1, 21):
        update = ProgressUpdate.objects.create(
            pledge=pledge, occurred_on=date(2023, 3, day), summary=f"Delivery {day}.", is_published=True
        )
        Source.objects.create(update=update, url=f"https://example.org/{day}", title="Report", publisher="Ministry")
    after = queries()

    assert after[0] == before[0]
    assert after[1] <= before[1] + 2 * 20  # the model's own rules per row; no constraint re-checked


# Bulk actions


def bulk(client, action, pledges, versions=None, **extra):
    versions = versions or {p.pk: version_token(p.updated_at) for p in pledges}
    data = {"action": action, "_selected_action": [p.pk for p in pledges], "index": "0", **extra}
    data.update({f"version-{pk}": token for pk, token in versions.items()})
    return client.post(LIST_URL, data, follow=True)


@pytest.mark.parametrize(
    "action, field, value",
    [
        ("publish", "is_published", True),
        ("unpublish", "is_published", False),
        ("mark_reviewed", "last_reviewed_on", date.today()),
    ],
)
def test_a_bulk_action_changes_the_selected_pledges_and_records_it(client, seeded, editor, action, field, value):
    Pledge.objects.update(is_published=not value if isinstance(value, bool) else True, last_reviewed_on=None)
    chosen = list(Pledge.objects.order_by("pk")[:3])
    client.force_login(editor)

    bulk(client, action, chosen)

    for pledge in chosen:
        pledge.refresh_from_db()
        assert getattr(pledge, field) == value
        assert pledge.history.first().history_user == editor
    assert Pledge.objects.exclude(pk__in=[p.pk for p in chosen]).filter(**{field: value}).count() == 0


def test_assigning_an_owner_goes_through_a_confirmation_page(client, seeded, editor):
    chosen = list(Pledge.objects.order_by("pk")[:2])
    client.force_login(editor)

    confirm = bulk(client, "assign_owner", chosen)
    assert "Assign an owner" in confirm.content.decode()
    bulk(client, "assign_owner", chosen, apply="Assign owner", owner=str(editor.pk))

    assert {p.owner for p in Pledge.objects.filter(pk__in=[p.pk for p in chosen])} == {editor}
    assert chosen[0].history.first().history_change_reason == "Assigned to ed"


def test_a_bulk_action_on_a_pledge_changed_since_the_list_was_shown_changes_nothing(client, seeded, editor):
    Pledge.objects.update(is_published=False)
    chosen = list(Pledge.objects.order_by("pk")[:3])
    shown = {p.pk: version_token(p.updated_at) for p in chosen}
    client.force_login(editor)
    changed_meanwhile = Pledge.objects.get(pk=chosen[1].pk)
    changed_meanwhile.summary = "Summary rewritten by someone else"
    changed_meanwhile.updated_at = changed_meanwhile.updated_at + timedelta(seconds=1)
    changed_meanwhile.save()

    response = bulk(client, "publish", chosen, versions=shown)

    assert "Summary rewritten by someone else" in response.content.decode()
    assert "Your changes were not saved" in response.content.decode()
    assert not Pledge.objects.filter(is_published=True).exists()


# Roles


def test_a_viewer_sees_but_cannot_change_anything(client, seeded, viewer):
    pledge = Pledge.objects.first()
    client.force_login(viewer)

    page = client.get(change_url(pledge))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change_url(pledge), {"title": "x"}).status_code == 403
    assert bulk(client, "publish", [pledge]).context["cl"].model_admin.get_actions(page.wsgi_request).keys() <= {
        "export_admin_action"
    }
    assert client.get(reverse("admin:pledges_pledge_history", args=[pledge.pk])).status_code == 200
    changelist = client.get(reverse("admin:pledges_pledge_changelist")).content.decode()
    assert f'href="{reverse("admin:pledges_pledge_import")}"' not in changelist  # export, but no import
    assert f'href="{reverse("admin:pledges_pledge_export")}' in changelist
    assert client.get(reverse("admin:pledges_pledge_add")).status_code == 403
    version = pledge.history.first()
    revert_url = reverse("admin:pledges_pledge_simple_history", args=[pledge.pk, version.history_id])
    assert client.post(revert_url, change_form_data(client.get(revert_url), title="x")).status_code == 403
    pledge.refresh_from_db()
    assert pledge.title != "x"


def test_editors_cannot_delete_pledges_but_superusers_can(client, seeded, editor, admin_user):
    pledge = Pledge.objects.first()
    delete_url = reverse("admin:pledges_pledge_delete", args=[pledge.pk])
    client.force_login(editor)
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    client.force_login(admin_user)
    client.post(delete_url, {"post": "yes"})
    assert not Pledge.objects.filter(pk=pledge.pk).exists()


def test_a_user_who_is_not_staff_never_reaches_the_admin(client, seeded):
    reader = get_user_model().objects.create_user("reader", password="pw")
    reader.groups.add(Group.objects.get(name="Editors"))
    client.force_login(reader)

    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# New updates are public by default; a draft says so


def test_a_new_update_is_published_unless_the_editor_keeps_it_a_draft(client, seeded, editor):
    pledge = Pledge.objects.get(slug="oil-gas-pipelines")
    client.force_login(editor)
    page = client.get(change_url(pledge))
    formset = page.context["inline_admin_formsets"][0].formset
    index = formset.initial_form_count()
    assert formset.forms[index].initial.get("is_published", formset.forms[index].fields["is_published"].initial) is True

    data = change_form_data(page)  # the browser posts the ticked box of the empty row
    data.update(with_new_update(page, index, summary="Published by default."))
    assert data[f"updates-{index}-is_published"] == "on"
    response = client.post(change_url(pledge), data, follow=True)
    assert pledge.updates.get(summary="Published by default.").is_published
    assert "draft" not in " ".join(str(m) for m in response.context["messages"])

    page = client.get(change_url(pledge))
    index = page.context["inline_admin_formsets"][0].formset.initial_form_count()
    data = change_form_data(page)
    data.update(with_new_update(page, index, summary="Kept back.", occurred_on="2026-11-21"))
    del data[f"updates-{index}-is_published"]  # the editor unticked it
    response = client.post(change_url(pledge), data, follow=True)

    assert not pledge.updates.get(summary="Kept back.").is_published
    assert any("1 progress update was saved as a draft: not public." in str(m) for m in response.context["messages"])


def test_every_day_on_the_pledge_page_has_the_date_picker_and_a_sources_date_may_be_a_month(client, seeded, editor):
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    client.force_login(editor)
    page = client.get(change_url(pledge))

    forms = [page.context["adminform"].form] + [
        f for inline in page.context["inline_admin_formsets"] for f in inline.formset.forms
    ]
    dates = [
        (form.prefix, name)
        for form in forms
        for name, field in form.fields.items()
        if field.__class__.__name__ == "DateField"
    ]
    assert len(dates) > 5
    for form in forms:
        for name, field in form.fields.items():
            if field.__class__.__name__ == "DateField":
                assert "vDateField" in str(form[name]), (form.prefix, name)  # the admin's calendar widget
    # An update's date and its source's are as precise as the source: a day, a month or a year.
    precise = [
        (form.prefix, name)
        for form in forms
        for name, field in form.fields.items()
        if isinstance(field, PreciseDateField)
    ]
    assert {("updates-0", "occurred_on"), ("updates-0", "source_published_on")} <= set(precise)


def test_the_source_fields_an_update_needs_look_required(client, seeded, editor):
    import re as regex

    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    client.force_login(editor)
    response = client.get(change_url(pledge))
    page = response.content.decode()
    index = response.context["inline_admin_formsets"][0].formset.initial_form_count()

    for name in ("source_url", "source_title", "source_publisher"):
        assert regex.search(rf'<label class="required[^"]*" for="id_updates-{index}-{name}">', page), name
    assert not regex.search(rf'<label class="required[^"]*" for="id_updates-{index}-source_published_on">', page)


def test_a_refused_save_lists_every_error_at_the_top_each_linking_to_its_field(client, seeded, editor):
    pledge = Pledge.objects.get(slug="vaccine-joint-production")
    client.force_login(editor)
    page = client.get(change_url(pledge))
    index = page.context["inline_admin_formsets"][0].formset.initial_form_count()

    data = change_form_data(page, title="")
    data.update(with_new_update(page, index, source_url=""))
    body = client.post(change_url(pledge), data).content.decode()

    summary = body.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert body.index('<div class="error-summary"') < body.index('id="id_title"')  # above the fields
    assert '<a href="#id_title">Title: This field is required.</a>' in summary
    assert (
        f'<a href="#id_updates-{index}-source_url">new progress update: Source URL: A progress update needs a source'
        in summary
    )
    assert "Correct 2 things:" in summary
    # Each field still says its own error beside it.
    assert body.count("A progress update needs a source") >= 2


def test_a_refused_verdict_explains_itself_at_the_top(client, seeded, editor):
    pledge = Pledge.objects.get(slug="vaccine-joint-production")
    client.force_login(editor)
    page = client.get(change_url(pledge))
    index = page.context["inline_admin_formsets"][0].formset.initial_form_count()

    body = client.post(change_url(pledge), change_form_data(page, **with_new_update(page, index, new_verdict="kept")))
    body = body.content.decode()

    summary = body.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    # It links to the field of the row giving the verdict, where the ruling it asks for goes.
    assert f'<a href="#id_updates-{index}-ruling">' in summary
    assert "Ruling: A new verdict comes with its ruling" in summary


def test_the_pledge_history_shows_its_updates_and_sources_added_changed_and_removed(client, seeded, editor):
    pledge = Pledge.objects.get(slug="oil-gas-pipelines")
    client.force_login(editor)
    page = client.get(change_url(pledge))
    index = page.context["inline_admin_formsets"][0].formset.initial_form_count()
    client.post(
        change_url(pledge),
        change_form_data(
            page, **with_new_update(page, index, summary="Line D talks resumed.", source_title="Talks resume")
        ),
    )
    added = pledge.updates.get(summary="Line D talks resumed.")
    source = added.sources.get()
    source._history_user, source._change_reason = editor, "Wrong report"
    source.delete()  # editors may remove a source (not an update)

    history = client.get(reverse("admin:pledges_pledge_history", args=[pledge.pk])).content.decode()
    related = history.split('id="related-history"', 1)[1]
    assert "Update of 2026-11-20: Line D talks resumed." in related
    assert "Source 1, Talks resume (Ministry)" in related
    assert "<td>added</td>" in related and "<td>removed</td><td>ed</td><td>Wrong report</td>" in related


def test_an_editors_language_is_set_on_their_user_page_and_the_admin_follows_it(client, seeded, editor, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:auth_user_change", args=[editor.pk])
    page = client.get(url)
    assert 'name="editor_settings-0-language"' in page.content.decode()
    joined = editor.date_joined  # a split date and time box, which change_form_data does not split
    data = change_form_data(
        page,
        **{
            "editor_settings-0-language": "ru",
            "date_joined": None,
            "date_joined_0": f"{joined:%Y-%m-%d}",
            "date_joined_1": f"{joined:%H:%M:%S}",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert get_user_model().objects.get(pk=editor.pk).editor_settings.language == "ru"

    client.force_login(editor)
    assert "Администрирование сайта" in client.get("/admin/").content.decode()
    # Without a choice, the admin follows the browser.
    client.force_login(admin_user)
    assert "Site administration" in client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "站点管理" in client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_the_party_filters_offer_the_parties_pledges_name_and_narrow_the_list(client, seeded, editor):
    from pledges.models import Party

    Party.objects.create(name="Named by no pledge")
    client.force_login(editor)
    page = client.get(LIST_URL)
    pledging = {
        choice["display"]
        for spec in page.context["cl"].filter_specs
        if getattr(spec, "field_path", "") == "parties"
        for choice in spec.choices(page.context["cl"])
    }
    assert "Xi Jinping" in pledging and "Named by no pledge" not in pledging
    kazakhstan = Party.objects.get(country__code="KZ")
    narrowed = client.get(LIST_URL, {"beneficiaries__id__exact": kazakhstan.pk})
    assert set(titles(narrowed)) == set(Pledge.objects.filter(beneficiaries=kazakhstan).values_list("title", flat=True))


def test_every_page_of_a_long_list_keeps_open_deadlines_first_in_one_order(client, seeded, editor):
    add_pledges(230, published=False)  # deadlines from 2025 to 2030: some passed, most open
    Pledge.objects.filter(slug__in=["volume-20", "volume-40"]).update(verdict=Verdict.KEPT)  # settled, not open
    client.force_login(editor)
    listed = []
    for page in range(1, 6):
        listed += list(client.get(LIST_URL, {"p": page} if page > 1 else {}).context["cl"].result_list)
    expected = list(
        Pledge.objects.order_by(
            Case(
                When(Q(deadline_end__gte=date.today()) & ~Q(verdict__in=["kept", "partially_kept", "broken"]), then=0),
                default=1,
            ),
            F("deadline_end").asc(nulls_last=True),
            "title",
            "pk",
        )
    )
    assert [p.pk for p in listed] == [p.pk for p in expected]


def test_an_editor_chooses_their_own_language_and_no_one_elses(client, seeded, editor, viewer):
    from pledges.models import EditorSettings

    client.force_login(editor)
    own = client.get("/admin/pledges/editorsettings/")
    row = EditorSettings.objects.get(user=editor)
    assert own.url == f"/admin/pledges/editorsettings/{row.pk}/change/"
    assert client.post(own.url, {"language": "zh-hans", "_save": "Save"}).status_code == 302
    assert "站点管理" in client.get("/admin/").content.decode()

    client.force_login(viewer)  # a viewer sets theirs too, and cannot see or change the editor's
    client.get("/admin/pledges/editorsettings/")
    assert EditorSettings.objects.filter(user=viewer).exists()
    assert client.get(own.url).status_code in (302, 403, 404)
    client.post(own.url, {"language": "en", "_save": "Save"})
    assert EditorSettings.objects.get(user=editor).language == "zh-hans"


def test_a_russian_editors_list_actions_filters_and_messages_are_in_russian(client, seeded, editor):
    from pledges.models import EditorSettings

    EditorSettings.objects.update_or_create(user=editor, defaults={"language": "ru"})
    client.force_login(editor)
    page = client.get(LIST_URL).content.decode()
    assert "Опубликовать выбранные" in page and "Publish selected" not in page
    assert "Не проверялось 90 дней" in page and "Not reviewed for" not in page

    pledge = Pledge.objects.get(slug="sister-cities-100-pairs")
    Pledge.objects.filter(pk=pledge.pk).update(is_published=False)
    pledge.refresh_from_db()
    messages = [str(m) for m in bulk(client, "publish", [pledge]).context["messages"]]

    assert messages == ["Опубликовано: изменено 1 обещание, 0 уже были такими."]
    # The history keeps its reason in one language, as every stored reason.
    assert pledge.history.latest().history_change_reason == "Published"


def test_an_update_giving_a_verdict_dated_before_the_newest_ruling_is_refused_on_its_row(client, seeded, editor):
    # The pledge's verdict is the newest update's: an older one would be saved and never count.
    pledge = Pledge.objects.get(slug="ai-big-data-cloud")
    newest = pledge.updates.filter(is_published=True).exclude(ruling="").order_by("-occurred_on").first()
    client.force_login(editor)
    page = client.get(change_url(pledge))
    index = page.context["inline_admin_formsets"][0].formset.initial_form_count()
    row = with_new_update(page, index, new_verdict="kept", ruling="Kept.", occurred_on="2022-02-01")

    response = client.post(change_url(pledge), change_form_data(page, **row))

    assert response.status_code == 200
    assert (
        f"An update that gives a verdict must be dated on or after {newest.occurred_on.isoformat()}, the newest "
        "update with a verdict or a ruling"
    ) in response.content.decode()
    assert Pledge.objects.get(pk=pledge.pk).verdict == pledge.verdict
