"""The failures an attacker's and an operator's audit found, each as a reader or editor meets it."""

import xml.etree.ElementTree as ElementTree
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from pledges.files.errors import ImportRejected
from pledges.files.imports import import_pledges, import_updates
from pledges.models import Pledge, ProgressUpdate, Reminder, Source
from pledges.reminders import sweep
from tests.factories import a_pledge, change_form_data, pledge_csv, update_csv
from tests.test_admin_editing import change_url, with_new_update

pytestmark = pytest.mark.django_db
HOME = "/en/"


def body(response):
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def rejection(call):
    with pytest.raises(ImportRejected) as rejected:
        call()
    return [str(error) for error in rejected.value.errors]


# 1. Dates a record may hold


@pytest.mark.parametrize("cell", ["9999-12-31", "0001-01-01"])
def test_the_importer_refuses_a_deadline_outside_the_dates_it_holds(reference_data, cell):
    errors = rejection(lambda: import_pledges(pledge_csv({"deadline_end": cell})))

    assert errors == [
        f"Row 2, column 'deadline_end': {cell} is outside the dates this tracker holds (1900-01-01 to 2199-12-31)."
    ]
    assert not Pledge.objects.exists()


def test_the_admin_refuses_a_far_off_deadline_beside_the_field(client, seeded, editor):
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    client.force_login(editor)

    response = client.post(
        change_url(pledge), change_form_data(client.get(change_url(pledge)), deadline_end="9999-12-31")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["deadline_end"] == [
        "9999-12-31 is outside the dates this tracker holds (1900-01-01 to 2199-12-31)."
    ]
    pledge.refresh_from_db()
    assert pledge.deadline_end == date(2030, 12, 31)


@pytest.mark.parametrize("field", ["deadline_end", "announced_on", "last_reviewed_on"])
def test_the_database_refuses_a_far_off_date_whoever_writes_it(reference_data, field):
    pledge = a_pledge()

    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.filter(pk=pledge.pk).update(**{field: date(9999, 12, 31)})


def test_the_calendar_serves_the_latest_deadline_a_pledge_may_have(client, reference_data):
    from pledges.models import LATEST_DATE

    a_pledge(is_published=True, deadline_precision="day", deadline_end=LATEST_DATE)

    response = client.get("/deadlines.ics")

    assert response.status_code == 200
    (event,) = Calendar.from_ical(response.getvalue()).walk("VEVENT")
    assert event.decoded("dtstart") == LATEST_DATE


def test_the_sweep_skips_a_pledge_it_cannot_compute_and_serves_every_other(roles, settings, caplog):
    editor = get_user_model().objects.create_user("ann", email="ann@example.org", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    # A lead time of 725,000 days reaches back before year 1 from a 1950 deadline (no such date);
    # an undated pledge has no deadline to count back from.
    settings.PLEDGES_REMINDER_LEAD_DAYS = [725_000]
    with time_machine.travel(datetime(2029, 9, 1, 12, tzinfo=UTC), tick=False):
        broken = a_pledge(deadline_end=date(1950, 12, 31), last_reviewed_on=date(2029, 9, 1))
        healthy = a_pledge(
            deadline_precision="none", deadline_text="", deadline_end=None, last_reviewed_on=date(2029, 9, 1)
        )
    with time_machine.travel(datetime(2030, 1, 1, 12, tzinfo=UTC), tick=False):
        report = sweep()

    assert report.errors == [f"pledge {broken.slug}: could not compute its reminders"]
    assert "skipped pledge" in caplog.text
    assert [(r.pledge, r.kind, r.status) for r in Reminder.objects.all()] == [(healthy, "review_due", "sent")]
    assert len(mail.outbox) == 1
    assert Pledge.objects.get(pk=healthy.pk).remind_after == date(2030, 2, 28)  # its next review, stored
    assert Pledge.objects.get(pk=broken.pk).remind_after == date(2030, 1, 2)  # looked at again tomorrow


# 2. NUL bytes and malformed addresses


@pytest.mark.parametrize("query", ["q=%00", "topic=%00", "country=%00", "q=a%00b", "%00=x"])
def test_a_nul_byte_in_a_public_parameter_is_a_bad_request(client, seeded, query):
    response = client.get(f"{HOME}?{query}")

    assert response.status_code == 400
    assert response.content == b"A NUL byte is not allowed in an address."


def test_a_nul_byte_in_the_admins_autocomplete_is_a_bad_request(client, seeded, editor):
    client.force_login(editor)

    response = client.get("/admin/autocomplete/?app_label=pledges&model_name=pledge&field_name=owner&term=%00")

    assert response.status_code == 400


def test_a_history_version_that_is_not_a_number_is_not_found(client, seeded, editor):
    client.force_login(editor)
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")

    assert client.get(f"/admin/pledges/pledge/{pledge.pk}/history/abc/").status_code == 404


@pytest.mark.parametrize("model", ["party", "event"])
def test_the_history_of_a_party_or_an_event_opens(client, seeded, editor, model):
    client.force_login(editor)
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    record = pledge.parties.get() if model == "party" else pledge.event

    response = client.get(f"/admin/pledges/{model}/{record.pk}/history/")

    assert response.status_code == 200
    assert str(record) in body(response)


# 3. Feeds carry editors' text as text


def test_the_feed_escapes_an_editors_markup_and_keeps_every_source(client, reference_data):
    pledge = a_pledge(is_published=True)
    update = ProgressUpdate.objects.create(
        pledge=pledge,
        key="x",
        occurred_on=date(2026, 1, 1),
        is_published=True,
        summary='<img src=x onerror="alert(1)"> & <https://example.org/in-text>',
    )
    Source.objects.create(
        update=update, url="https://example.org/report?a=1&b=2", title="<b>Report</b>", publisher="Ministry"
    )

    feed = ElementTree.fromstring(client.get("/feed/").content)
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    (summary,) = feed.findall("atom:entry/atom:summary", ns)

    assert summary.get("type") == "html"
    html = summary.text  # what a feed reader renders as HTML
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;https://example.org/in-text&gt;" in html
    assert '<a href="https://example.org/report?a=1&amp;b=2">&lt;b&gt;Report&lt;/b&gt;</a>, Ministry' in html
    assert feed.find("atom:entry/atom:link", ns).get("href").startswith("http://127.0.0.1:8000/en/pledges/")


# 4. Evidence keeps its sources


def test_the_last_source_of_an_update_cannot_be_deleted(client, seeded, editor):
    update = ProgressUpdate.objects.filter(is_published=True).exclude(new_verdict="").first()
    sources = list(update.sources.all())
    url = reverse("admin:pledges_progressupdate_change", args=[update.pk])
    client.force_login(editor)
    page = client.get(url)

    deleted = {f"sources-{i}-DELETE": "on" for i in range(len(sources))}
    response = client.post(url, change_form_data(page, **deleted))

    assert response.status_code == 200
    assert "Please submit at least 1 form." in body(response)
    assert update.sources.count() == len(sources)


# 5. Login throttling


def test_thirty_wrong_passwords_lock_the_login_even_for_the_right_one(client, roles, settings):
    get_user_model().objects.create_user("ed", password="the-right-password", is_staff=True)
    for _attempt in range(30):
        client.post("/admin/login/", {"username": "ed", "password": "wrong"})

    response = client.post("/admin/login/?next=/admin/", {"username": "ed", "password": "the-right-password"})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_a_few_wrong_passwords_then_the_right_one_still_logs_in(client, roles, settings):
    get_user_model().objects.create_user("ed", password="the-right-password", is_staff=True)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/admin/login/", {"username": "ed", "password": "wrong"})

    response = client.post("/admin/login/?next=/admin/", {"username": "ed", "password": "the-right-password"})

    assert response.status_code == 302 and response["Location"] == "/admin/"


# 6. Web addresses only, in any case


def test_an_ftp_source_on_the_pledge_page_is_a_form_error(client, seeded, editor):
    pledge = Pledge.objects.get(slug="covid-vaccines-50-million-doses")
    client.force_login(editor)
    page = client.get(change_url(pledge))
    index = page.context["inline_admin_formsets"][0].formset.initial_form_count()

    response = client.post(
        change_url(pledge),
        change_form_data(page, **with_new_update(page, index, source_url="ftp://example.org/report.pdf")),
    )

    assert response.status_code == 200
    assert "Enter an http:// or https:// address." in body(response)
    assert not pledge.updates.filter(occurred_on=date(2026, 11, 20)).exists()


def test_an_uppercase_https_address_is_imported_in_lower_case(reference_data):
    import_pledges(pledge_csv({"source_url": "HTTPS://Example.org/Speech"}))
    import_updates(update_csv({"source1_url": "HTTP://example.org/Bridges"}))

    assert Pledge.objects.get().source_url == "https://example.org/Speech"  # a host has one case
    assert Source.objects.get().url == "http://example.org/Bridges"


# 7. The public version follows exactly what the public sees


PUBLIC_FILES = [HOME, "/pledges.csv", "/feed/"]


def validators(client):
    return {url: (client.get(url)["ETag"], client.get(url)["Last-Modified"]) for url in PUBLIC_FILES}


def test_saving_a_draft_changes_no_public_etag(client, seeded, editor):
    draft = Pledge.objects.get(slug="vaccine-joint-production")
    draft.is_published = False
    draft.save()
    before = validators(client)
    client.force_login(editor)

    with time_machine.travel(datetime.now(UTC).replace(microsecond=0), tick=True) as traveller:
        traveller.shift(5)  # a later second, so Last-Modified could move if it followed drafts
        page = client.get(change_url(draft))
        assert client.post(change_url(draft), change_form_data(page, title="A secret retitling")).status_code == 302
        client.logout()

        assert validators(client) == before


def test_editing_a_sources_title_on_an_updates_page_changes_the_public_etag(client, seeded, editor):
    update = ProgressUpdate.objects.filter(is_published=True, pledge__is_published=True).first()
    before = validators(client)
    url = reverse("admin:pledges_progressupdate_change", args=[update.pk])
    client.force_login(editor)

    corrected = {"sources-0-title": "A corrected title", "correction": "The title was wrong."}
    response = client.post(url, change_form_data(client.get(url), **corrected))
    client.logout()

    assert response.status_code == 302
    # A published update's source changed: a correction, its note on the update.
    assert ProgressUpdate.objects.get(pk=update.pk).correction_note == "The title was wrong."
    after = validators(client)
    assert all(after[url][0] != before[url][0] for url in PUBLIC_FILES)
    assert client.get(HOME, HTTP_IF_NONE_MATCH=before[HOME][0]).status_code == 200


def test_unpublishing_changes_the_public_etag_and_republishing_again(client, seeded):
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    first = client.get(HOME)["ETag"]
    pledge.is_published = False
    pledge.save()
    second = client.get(HOME)["ETag"]
    pledge.is_published = True
    pledge.save()

    assert len({first, second, client.get(HOME)["ETag"]}) == 3


def test_a_draft_update_on_a_published_pledge_changes_nothing_public(client, seeded):
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    before = client.get(HOME)["ETag"]

    update = ProgressUpdate.objects.create(pledge=pledge, key="draft", occurred_on=date(2026, 1, 1), summary="Draft")
    Source.objects.create(update=update, url="https://example.org/d", title="Draft source", publisher="X")

    assert client.get(HOME)["ETag"] == before


def test_renaming_the_party_of_a_published_pledge_changes_the_public_etag(client, seeded):
    before = client.get(HOME)["ETag"]
    party = Pledge.objects.get(slug="trade-70-billion-by-2030").parties.get()
    party.name = "A renamed leader"
    party.save()

    response = client.get(HOME, HTTP_IF_NONE_MATCH=before)
    assert response.status_code == 200 and "A renamed leader" in body(response)


# 8. Parameters that select nothing share one cached overview


def test_junk_parameters_are_served_from_one_cached_overview(client, seeded):
    client.get(HOME, {"z": "1"})

    with CaptureQueriesContext(connection) as second:
        response = client.get(HOME, {"z": "2", "verdict": "no-such-verdict"})

    assert response.status_code == 200
    assert len(second) == 1  # the data version; the page came from the cache


# 9. Owners are staff


@pytest.fixture
def outsider(db):
    return get_user_model().objects.create_user("outsider", password="pw-for-tests")


def test_the_owner_autocomplete_offers_editors_only(client, seeded, editor, outsider, viewer):
    client.force_login(editor)

    response = client.get(
        "/admin/autocomplete/", {"app_label": "pledges", "model_name": "pledge", "field_name": "owner", "term": ""}
    )

    assert [result["text"] for result in response.json()["results"]] == ["ed"]


@pytest.mark.parametrize("who", ["outsider", "viewer"])
def test_the_change_form_refuses_an_owner_who_is_not_an_editor(client, seeded, editor, request, who):
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    client.force_login(editor)
    user = request.getfixturevalue(who)

    response = client.post(change_url(pledge), change_form_data(client.get(change_url(pledge)), owner=str(user.pk)))

    assert response.status_code == 200
    assert "owner" in response.context["adminform"].form.errors
    pledge.refresh_from_db()
    assert pledge.owner is None


@pytest.mark.parametrize("who", ["outsider", "viewer"])
def test_the_importer_refuses_an_owner_who_is_not_an_editor(reference_data, request, who):
    name = request.getfixturevalue(who).username
    errors = rejection(lambda: import_pledges(pledge_csv({"owner": name})))

    assert errors == [f"Row 2, column 'owner': unknown editor's user name '{name}'"]


def test_the_bulk_assign_action_offers_editors_only(seeded, editor, outsider, viewer):
    from pledges.admin.forms import AssignOwnerForm

    assert [user.username for user in AssignOwnerForm().fields["owner"].queryset] == ["ed"]


def test_a_search_longer_than_200_characters_is_cut_between_words_not_ignored(client, seeded):
    q = " ".join(["railway"] * 40)  # 319 characters: searched as its first 25 words, not dropped
    page = client.get("/en/", {"q": q}).content.decode()
    assert page.count('<article class="pledge') == 1 and "China–Kyrgyzstan–Uzbekistan railway" in page
    assert f'value="{" ".join(["railway"] * 25)}"' in page  # the search box says what was searched


@pytest.mark.parametrize("number", ["100000", "99999999", "1" * 5000])
def test_any_page_past_the_last_leads_to_the_last_or_is_not_found(client, seeded, number):
    past = client.get("/en/", {"page": number})  # the overview: its last page (the seeds fill one)
    assert past.status_code == 302 and past["Location"] == "/en/"
    assert client.get("/en/changes/", {"page": number}).status_code == 404


@pytest.mark.parametrize("who", ["viewer", "editor"])
def test_looking_a_user_up_shows_their_name_and_nothing_else(client, roles, request, who):
    someone = get_user_model().objects.create_user(
        "someone", email="someone@example.org", password="pw-for-tests", is_staff=True, first_name="Some"
    )
    client.force_login(request.getfixturevalue(who))

    page = client.get(f"/admin/auth/user/{someone.pk}/change/").content.decode()
    listed = client.get("/admin/auth/user/").content.decode()

    assert "someone" in page and "Some" in page and "someone" in listed
    for private in ("someone@example.org", "md5$", "Superuser status", "Last login", "Groups"):
        assert private not in page and private not in listed, private
    assert client.get("/admin/auth/user/", {"q": "example.org"}).content.decode().count("someone") == 0
