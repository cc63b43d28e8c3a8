"""A page per country: the pledges made to it or by it, their verdicts, and the figures measured
for it alone, linked from the pledges made to it and from the overview's country filter."""

import re
from datetime import date, timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pledges.models import Party, Pledge, ProgressUpdate
from tests.factories import states

pytestmark = pytest.mark.django_db


def _pledges_on(html):
    return re.findall(r'<h3><a href="/\w+(?:-\w+)?/pledges/([\w-]+)/">', html)


def test_a_country_page_lists_its_pledges_verdicts_and_own_figures_in_each_language(client, seeded):
    english = client.get("/en/countries/TJ/").content.decode()
    made_to_tajikistan = set(Pledge.objects.filter(beneficiaries__country__code="TJ").values_list("slug", flat=True))
    assert set(_pledges_on(english)) == made_to_tajikistan and len(made_to_tajikistan) == 15
    assert "<h1>Tajikistan</h1>" in english and "15 pledges made to or by it" in english
    kept = Pledge.objects.filter(beneficiaries__country__code="TJ", verdict="kept").count()
    assert f'href="/en/?country=TJ&amp;verdict=kept"><strong>{kept}</strong>' in english
    # Its own figures: the 2.5 million doses measured for Tajikistan alone, linked to the update.
    figures = english.split('id="figures"', 1)[1].split("</section>", 1)[0]
    assert "#update-tajikistan-delivery-2022" in figures and "2.5 million doses" in figures
    assert "Kyrgyzstan" not in figures  # no other country's figure

    russian = client.get("/ru/countries/TJ/").content.decode()
    assert "<h1>Таджикистан</h1>" in russian and "Цифры только по стране: Таджикистан" in russian
    assert "<h1>塔吉克斯坦</h1>" in client.get("/zh-hans/countries/tj/").content.decode()


def test_a_country_page_lists_the_pledges_made_by_its_state_or_for_it(client, seeded):
    (china,) = states("CN")
    xi = Party.objects.get(name="Xi Jinping")
    xi.kind, xi.speaks_for = "person", china
    xi.save()
    page = client.get("/en/countries/CN/").content.decode()
    assert len(_pledges_on(page)) == Pledge.objects.count() == 16  # Xi Jinping spoke for China
    # The overview's country filter means the same: made to the country or by it.
    overview = client.get("/en/?country=CN").content.decode()
    assert len(_pledges_on(overview)) == 16
    assert '<a href="/en/countries/CN/">China: its page, with the figures for it alone</a>' in overview


def test_a_country_with_no_published_pledge_has_no_page(client, seeded):
    assert client.get("/en/countries/CN/").status_code == 404  # nobody pledged for China as a state
    assert client.get("/en/countries/XX/").status_code == 404
    assert client.get("/en/countries/TJ/?page=2").status_code == 404  # past the last page
    Pledge.objects.update(is_published=False)
    assert client.get("/en/countries/TJ/").status_code == 404  # drafts only: nothing public


def test_pledge_pages_and_the_overview_link_to_the_country_pages(client, seeded):
    page = client.get("/en/pledges/china-kyrgyzstan-uzbekistan-railway/").content.decode()
    assert (
        'Made to</th><td><a href="/en/countries/KG/">Kyrgyzstan</a> and <a href="/en/countries/UZ/">Uzbekistan</a>'
        in page
    )
    overview = client.get("/ru/?country=UZ").content.decode()
    assert '<a href="/ru/countries/UZ/">Узбекистан: страница страны с цифрами только по ней</a>' in overview


def test_a_country_page_takes_the_same_queries_however_many_figures(client, seeded):
    def queries():  # a page not yet kept, nor any of its cards: the first read of each version
        for name in ("default", "near"):
            caches[name].clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/en/countries/TJ/").status_code == 200
        return len(captured)

    first = queries()
    delivery = ProgressUpdate.objects.get(key="tajikistan-delivery-2022")
    for number in range(20):  # more figures for Tajikistan, each save a new public version
        delivery.pk, delivery.id, delivery.key = None, None, f"more-{number}"
        delivery.occurred_on = date(2022, 8, 1) + timedelta(days=number)
        delivery.save()
    assert queries() == first
    # The version, the country and whether it has a pledge, its pledges (read light, then in full
    # for the cards), their counts, links (what they all share), updates, parties and targets,
    # the figures, the site's version and text, and the versions of its pledges' cards.
    assert first == 15
