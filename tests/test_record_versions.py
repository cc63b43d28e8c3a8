"""Pages stay warm while editors work: a save moves the version of the pages that show what it
wrote (that pledge's, its event's, the lists') and no other, so every other pledge page is still
served from the cache and a reader's conditional request still gets 304."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pledges.models import Party, Pledge, ProgressUpdate, SiteText
from tests.factories import a_pledge

# Commits for real: the versions are published to the shared cache after each commit.
pytestmark = pytest.mark.django_db(transaction=True)


def fetched(client, url, etag=None):
    """(response, number of database queries) for a GET, conditional on `etag` if given."""
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, len(captured)


def test_a_save_to_one_pledge_leaves_every_other_pledge_page_warm_and_answering_304(client, seeded):
    trade = Pledge.objects.get(slug="trade-70-billion-by-2030")
    railway = Pledge.objects.get(slug="china-kyrgyzstan-uzbekistan-railway")
    urls = {
        "trade": "/en/pledges/trade-70-billion-by-2030/",
        "railway": "/en/pledges/china-kyrgyzstan-uzbekistan-railway/",
        "railway card": "/en/pledges/china-kyrgyzstan-uzbekistan-railway/card.png",
        "railway feed": "/pledges/china-kyrgyzstan-uzbekistan-railway/feed/",
        "railway in the API": "/api/pledges/china-kyrgyzstan-uzbekistan-railway",
        "overview": "/en/",
        "event": f"/en/events/{trade.event.slug}/",
    }
    etags = {name: fetched(client, url)[0]["ETag"] for name, url in urls.items()}

    for round_ in range(3):  # an editor saving one pledge again and again
        trade.title = f"Raise trade to $70 billion by 2030 (edit {round_})"
        trade.save()
        for name in ("railway", "railway card", "railway feed", "railway in the API"):
            unchanged, queries = fetched(client, urls[name], etags[name])
            assert unchanged.status_code == 304, name
            if name != "railway in the API":  # the API's pages are not kept in the process
                assert queries == 0, name  # answered from the cache: no table read, no render
        page, _ = fetched(client, urls["trade"], etags["trade"])
        assert page.status_code == 200 and f"(edit {round_})" in page.content.decode()
        etags["trade"] = page["ETag"]
        for name in ("overview", "event"):  # the lists it is on moved with it
            listed, _ = fetched(client, urls[name], etags[name])
            assert listed.status_code == 200 and f"(edit {round_})" in listed.content.decode(), name
            etags[name] = listed["ETag"]

    # An update, and a source, written to the railway move its pages, and not the trade pledge's.
    update = railway.updates.filter(is_published=True).first()
    update.summary = "The survey found a shorter route."
    update.save()
    assert fetched(client, urls["railway"], etags["railway"])[0].status_code == 200
    assert fetched(client, urls["trade"], etags["trade"])[0].status_code == 304
    etags["railway"] = fetched(client, urls["railway"])[0]["ETag"]
    source = update.sources.first()
    source.title = "Phased progress, as retitled"
    source.save()
    assert "Phased progress, as retitled" in fetched(client, urls["railway"], etags["railway"])[0].content.decode()
    assert fetched(client, urls["trade"], etags["trade"])[0].status_code == 304


def test_what_a_page_shows_from_elsewhere_moves_it_too(client, seeded):
    trade = Pledge.objects.get(slug="trade-70-billion-by-2030")
    envoy = Party.objects.create(name="A Special Envoy")
    own = a_pledge(
        title="Open a trade office",
        is_published=True,
        parties=[envoy],
        event=trade.event,
        announced_on=date(2023, 5, 19),
    )
    urls = {"trade": "/en/pledges/trade-70-billion-by-2030/", "own": f"/en/pledges/{own.slug}/"}
    etags = {name: fetched(client, url)[0]["ETag"] for name, url in urls.items()}

    envoy.name = "The Special Envoy"  # a name only the new pledge shows
    envoy.save()
    assert "The Special Envoy" in fetched(client, urls["own"], etags["own"])[0].content.decode()
    assert fetched(client, urls["trade"], etags["trade"])[0].status_code == 304
    etags["own"] = fetched(client, urls["own"])[0]["ETag"]

    own.follows, own.follow_up = trade, "extends"
    own.save()
    etags["own"] = fetched(client, urls["own"])[0]["ETag"]
    trade.title = "Raise trade with Central Asia to $70 billion"  # the follow-up shows its title
    trade.save()
    assert (
        "Raise trade with Central Asia to $70 billion" in fetched(client, urls["own"], etags["own"])[0].content.decode()
    )

    old = urls["own"]
    own.slug = "open-a-trade-office-in-astana"  # the old address is no page any more, not a kept copy
    own.save()
    assert fetched(client, old)[0].status_code == 404
    assert fetched(client, "/en/pledges/open-a-trade-office-in-astana/")[0].status_code == 200

    before = fetched(client, urls["trade"])[0]["ETag"]
    site = SiteText.current()  # the site's own name heads every page
    site.name = "Pledges watched"
    site.save()
    assert "Pledges watched" in fetched(client, urls["trade"], before)[0].content.decode()


def test_a_drafts_edits_and_a_draft_update_move_no_page(client, seeded):
    trade = Pledge.objects.get(slug="trade-70-billion-by-2030")
    draft = a_pledge(title="A draft", is_published=False)
    url = "/en/pledges/trade-70-billion-by-2030/"
    etag, overview = fetched(client, url)[0]["ETag"], fetched(client, "/en/")[0]["ETag"]

    draft.title = "A draft, edited"
    draft.save()
    ProgressUpdate.objects.create(pledge=trade, key="draft-note", occurred_on=trade.announced_on, summary="Draft")

    assert fetched(client, url, etag)[0].status_code == 304
    assert fetched(client, "/en/", overview)[0].status_code == 304


def test_a_save_renders_again_only_the_saved_pledges_card_on_the_lists(client, seeded):
    from django.db.models.signals import post_init
    from django.test.signals import template_rendered

    cards, updates_read = [], []

    def count(sender, template, **kwargs):
        if template.name == "pledges/_pledge_row.html":
            cards.append(kwargs["context"]["pledge"].slug)

    def read(sender, instance, **kwargs):
        updates_read.append(instance.pledge_id)

    template_rendered.connect(count, dispatch_uid="count-cards")
    post_init.connect(read, sender=ProgressUpdate, dispatch_uid="count-updates")
    try:
        trade = Pledge.objects.get(slug="trade-70-billion-by-2030")
        overview = client.get("/en/")
        event = client.get(f"/en/events/{trade.event.slug}/")
        assert len(cards) == 2 * Pledge.objects.filter(is_published=True).count()  # each drawn once per list

        cards.clear()
        trade.title = "Raise trade to $70 billion, as edited"
        trade.save()
        updates_read.clear()
        again = client.get("/en/", HTTP_IF_NONE_MATCH=overview["ETag"])
        on_event = client.get(f"/en/events/{trade.event.slug}/", HTTP_IF_NONE_MATCH=event["ETag"])
    finally:
        template_rendered.disconnect(dispatch_uid="count-cards")
        post_init.disconnect(sender=ProgressUpdate, dispatch_uid="count-updates")

    assert again.status_code == on_event.status_code == 200  # the lists moved with the pledge
    assert "Raise trade to $70 billion, as edited" in again.content.decode()
    assert "Raise trade to $70 billion, as edited" in on_event.content.decode()
    assert cards == ["trade-70-billion-by-2030", "trade-70-billion-by-2030"]  # its card alone, on each list
    assert set(updates_read) == {trade.pk}  # and only its progress read again, not the other pledges'
    # The cards kept read as the page drew them: the same page as before, but for that one card.
    other = Pledge.objects.get(slug="china-kyrgyzstan-uzbekistan-railway")
    assert str(other.title) in again.content.decode()


def test_a_country_page_moves_with_the_pledges_and_figures_it_shows_and_no_other(client, seeded):
    railway = Pledge.objects.get(slug="china-kyrgyzstan-uzbekistan-railway")  # made to KG and UZ
    urls = {code: f"/en/countries/{code}/" for code in ("KG", "UZ", "TM")}
    etags = {code: fetched(client, url)[0]["ETag"] for code, url in urls.items()}

    railway.title = "Speed up the railway, as edited"
    railway.save()
    for code in ("KG", "UZ"):  # the pages that list it moved
        page = fetched(client, urls[code], etags[code])[0]
        assert page.status_code == 200 and "Speed up the railway, as edited" in page.content.decode(), code
        etags[code] = page["ETag"]
    unchanged, queries = fetched(client, urls["TM"], etags["TM"])  # Turkmenistan's did not
    assert unchanged.status_code == 304 and queries == 0

    # No longer made to Uzbekistan: its page, which listed it, moves and no longer does.
    railway.beneficiaries.remove(Party.objects.get(country__code="UZ", speaks_for=None))
    page = fetched(client, urls["UZ"], etags["UZ"])[0]
    assert page.status_code == 200 and "Speed up the railway, as edited" not in page.content.decode()
    assert fetched(client, urls["TM"], etags["TM"])[0].status_code == 304

    # A figure measured for Tajikistan moves Tajikistan's page (it lists the figure).
    tajikistan = fetched(client, "/en/countries/TJ/")[0]
    delivery = ProgressUpdate.objects.get(key="tajikistan-delivery-2022")
    delivery.measurement_value += 1000
    delivery.save()
    assert fetched(client, "/en/countries/TJ/", tajikistan["ETag"])[0].status_code == 200
