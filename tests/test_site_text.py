"""The site's name and standfirst: the editors' words, per language, at the top of the public site."""

import re

import pytest

from pledges.models import Pledge, SiteText

pytestmark = pytest.mark.django_db

SITE_TEXT_URL = "/admin/pledges/sitetext/1/change/"


def _form(**changes):
    row = SiteText.current()
    data = {
        f"{field}_{code}": getattr(row, f"{field}_{code}") or ""
        for field in ("name", "standfirst")
        for code in ("en", "ru", "zh_hans")
    }
    data.update(changes)
    return data


def test_the_overview_opens_with_whose_pledges_these_are_from_which_event_and_when_last_checked(client, seeded):
    page = client.get("/en/").content.decode()
    standfirst = page.split('<div class="standfirst">')[1].split("</div>")[0]
    assert "Xi Jinping" in standfirst and "25 January 2022" in standfirst
    event = Pledge.objects.filter(is_published=True, event__isnull=False).first().event
    assert f'<a href="{event.get_absolute_url()}">{event.name}</a>' in standfirst
    newest = max(p.last_reviewed_on for p in Pledge.objects.filter(is_published=True) if p.last_reviewed_on)
    assert f"Last checked {newest.day} {newest:%B %Y}" in standfirst


def test_the_standfirst_and_name_read_in_the_pages_language(client, seeded):
    page = client.get("/ru/").content.decode()
    standfirst = page.split('<div class="standfirst">')[1].split("</div>")[0]
    assert "Си Цзиньпин" in standfirst and "Проверено" in standfirst
    assert re.search(r'<a class="brand"[^>]*>Трекер обещаний</a>', page)
    assert "<title>承诺追踪</title>" in client.get("/zh-hans/").content.decode()


def test_an_editor_changes_the_words_in_the_admin_and_readers_see_them_at_once(client, seeded, editor):
    first = client.get("/ru/")  # now cached under the version
    client.force_login(editor)
    assert client.get("/admin/pledges/sitetext/").url == SITE_TEXT_URL  # the list is the one row
    response = client.post(
        SITE_TEXT_URL, _form(name_ru="Обещания Центральной Азии", standfirst_ru="Что обещано в Сиане и в Астане.")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    client.logout()
    again = client.get("/ru/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    page = again.content.decode()
    assert "Что обещано в Сиане и в Астане." in page and ">Обещания Центральной Азии</a>" in page
    assert "Обещания Центральной Азии" not in client.get("/en/").content.decode()  # other languages keep theirs


def test_a_language_left_blank_falls_back_to_english(client, seeded, editor):
    client.force_login(editor)
    client.post(SITE_TEXT_URL, _form(standfirst_zh_hans="", standfirst_en="Pledges from the summit."))
    assert "Pledges from the summit." in client.get("/zh-hans/").content.decode()


def test_nobody_adds_or_deletes_the_row_and_viewers_only_look(client, seeded, editor, viewer):
    client.force_login(editor)
    assert client.get("/admin/pledges/sitetext/add/").status_code == 403
    assert client.get("/admin/pledges/sitetext/1/delete/").status_code == 403
    client.force_login(viewer)
    page = client.get(SITE_TEXT_URL).content.decode()
    assert 'name="standfirst_en"' not in page and "Xi Jinping" in page  # read-only
    client.post(SITE_TEXT_URL, _form(standfirst_en="Changed by a viewer"))
    assert "Changed by a viewer" not in client.get("/en/").content.decode()


def test_seeding_again_never_overwrites_an_editors_standfirst(seeded):
    from django.conf import settings

    from pledges.management.commands.setup_site import _load_site_text

    row = SiteText.current()
    row.standfirst_en = "Our own words."
    row.save()
    _load_site_text(settings.BASE_DIR / "seeds" / "site.json")
    assert SiteText.current().standfirst_en == "Our own words."


def test_feeds_carry_the_sites_name_in_the_readers_language(client, seeded):
    import feedparser

    row = SiteText.current()
    row.name_ru = "Обещания"
    row.save()
    assert feedparser.parse(client.get("/feed/?lang=ru").content).feed.title == "Обещания: новости о выполнении"
    assert feedparser.parse(client.get("/feed/").content).feed.title == "Pledge tracker: progress updates"
