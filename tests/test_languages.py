"""The record in three languages: every text a reader meets in English, Russian and Chinese, a
missing translation shown in English and marked, never mixed in silently; files with a column per
language; search in each language; an admin an editor works in wholly in theirs."""

import io
import re
from html.parser import HTMLParser

import feedparser
import pytest

from pledges.files.exports import export_pledges
from pledges.files.imports import import_pledges
from pledges.models import EditorSettings, Event, Pledge, Target
from tests.factories import PLEDGE_ROW, pledge_csv

pytestmark = pytest.mark.django_db
TRADE = "/{}/pledges/trade-70-billion-by-2030/"


class _Text(HTMLParser):
    """The text a reader reads in an element (`main`), leaving out scripts, styles and what may
    stay in its own language: the titles of the sources cited (`cite`) and their publishers."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self, within="main"):
        super().__init__()
        self.within, self.inside, self.left_out, self.open, self.parts = within, 0, 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        leave_out = tag in ("script", "style", "cite") or ("class", "publisher") in attrs
        self.open.append((tag == self.within, leave_out))
        self.inside += tag == self.within
        self.left_out += leave_out

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.open:
            return
        within, leave_out = self.open.pop()
        self.inside -= within
        self.left_out -= leave_out

    def handle_data(self, data):
        if self.inside and not self.left_out:
            self.parts.append(data)


def share_of(script, html):
    """The share of the letters of the page's main content, addresses aside, in `script`."""
    parser = _Text()
    parser.feed(html)
    letters = [c for c in re.sub(r"https?://\S+", "", " ".join(parser.parts)) if c.isalpha()]
    ranges = {"cyrillic": [("\u0400", "\u04ff")], "chinese": [("\u3400", "\u4dbf"), ("\u4e00", "\u9fff")]}[script]
    mine = [c for c in letters if any(low <= c <= high for low, high in ranges)]
    return len(mine) / len(letters)


def test_the_seed_pages_are_read_in_the_readers_language(client, seeded):
    page = {path: client.get(path).content.decode() for path in ("/ru/", "/zh-hans/", TRADE.format("ru"))}
    page[TRADE.format("zh-hans")] = client.get(TRADE.format("zh-hans")).content.decode()

    assert share_of("cyrillic", page["/ru/"]) >= 0.85
    assert share_of("chinese", page["/zh-hans/"]) >= 0.80
    assert share_of("cyrillic", page[TRADE.format("ru")]) >= 0.75
    assert share_of("chinese", page[TRADE.format("zh-hans")]) >= 0.70
    # The words a reader met in English before: titles, rulings, the event, people, deadline words.
    assert "Довести товарооборот Китая и Центральной Азии до 70 млрд долларов к 2030 году" in page["/ru/"]
    assert "Виртуальный саммит к 30-летию дипломатических отношений Китая и Центральной Азии" in page["/ru/"]
    assert "«к 2030 году»" in page["/ru/"] and "“by 2030”" not in page["/ru/"]
    assert "Си Цзиньпин" in page[TRADE.format("ru")] and "Xi Jinping" not in page[TRADE.format("ru")]
    assert "习近平" in page[TRADE.format("zh-hans")] and "中国国家主席" in page[TRADE.format("zh-hans")]
    assert "年贸易额" in page[TRADE.format("zh-hans")]
    assert "(in English)" not in page["/ru/"] and "(на английском)" not in page["/ru/"]


def test_a_text_not_yet_translated_is_shown_in_english_marked_with_its_language(client, reference_data):
    import_pledges(pledge_csv())
    pledge = Pledge.objects.get()
    russian = client.get(f"/ru/pledges/{pledge.slug}/").content.decode()
    assert f'<h1><span lang="en">{pledge.title}</span> <span class="in-language">(на английском)</span></h1>' in russian
    chinese = client.get(f"/zh-hans/pledges/{pledge.slug}/").content.decode()
    assert f'<span lang="en">{pledge.title}</span> <span class="in-language">（英文）</span>' in chinese

    pledge.title_ru = "Построить десять мостов"
    pledge.save()
    russian = client.get(f"/ru/pledges/{pledge.slug}/").content.decode()
    assert "<h1>Построить десять мостов</h1>" in russian
    assert "<title>Построить десять мостов · " in russian
    # English readers read the English, unmarked.
    assert f"<h1>{pledge.title}</h1>" in client.get(f"/en/pledges/{pledge.slug}/").content.decode()


def _found(client, path):
    return len(re.findall(r'<article class="pledge">', client.get(path).content.decode()))


def test_search_finds_a_countrys_pledges_and_the_record_in_each_language(client, seeded):
    made_to_kazakhstan = Pledge.objects.filter(beneficiaries__country__code="KZ").count()
    assert made_to_kazakhstan == 15
    assert _found(client, "/en/?q=Kazakhstan") == made_to_kazakhstan
    assert _found(client, "/ru/?q=Казахстан") == made_to_kazakhstan
    assert _found(client, "/zh-hans/?q=哈萨克斯坦") == made_to_kazakhstan
    # The texts of pledges and their updates, in the reader's language, in any of its forms.
    assert _found(client, "/ru/?q=безвизовый") == 1  # "взаимный безвизовый режим", an update
    assert _found(client, "/ru/?q=побратимов") == 1
    assert _found(client, "/ru/?q=Астана") >= 3  # "в Астане", "на Астанинском саммите"
    assert _found(client, "/zh-hans/?q=免签") == 1  # "互免签证", an update
    assert _found(client, "/zh-hans/?q=铁路") == 1
    # And in English, whatever the page's language.
    assert _found(client, "/ru/?q=railway") == _found(client, "/zh-hans/?q=railway") == 1
    assert _found(client, "/en/?q=Астана") == 0  # an English reader's search is not read as Russian


def test_a_russian_or_chinese_search_for_an_event_place_finds_its_pledges(client, reference_data):
    row = {
        **PLEDGE_ROW,
        "event": "Second China–Central Asia Summit",
        "event_place": "Astana",
        "event_place_ru": "Астана",
        "event_place_zh_hans": "阿斯塔纳",
        "event_ru": "Второй саммит Китай — Центральная Азия",
    }
    import_pledges(pledge_csv(row, columns=[*row]))
    event = Event.objects.get()
    assert (event.place, event.place_ru, event.place_zh_hans) == ("Astana", "Астана", "阿斯塔纳")
    assert _found(client, "/ru/?q=Астана") == _found(client, "/zh-hans/?q=阿斯塔纳") == 1
    assert _found(client, "/en/?q=Astana") == 1
    assert "<h1>Второй саммит Китай — Центральная Азия</h1>" in client.get(f"/ru/events/{event.slug}/").content.decode()


def test_the_russian_feed_is_in_russian(client, seeded):
    feed = feedparser.parse(client.get("/feed/?lang=ru").content)
    titles = " ".join(entry.title for entry in feed.entries)
    letters = [c for c in titles if c.isalpha()]
    assert feed.entries and sum("\u0400" <= c <= "\u04ff" for c in letters) / len(letters) > 0.9
    chinese = feedparser.parse(client.get("/feed/?lang=zh-hans").content)
    assert any("到2030年将中国同中亚贸易额提升至700亿美元" in entry.title for entry in chinese.entries)


def test_files_carry_a_column_per_language_and_todays_layout_still_imports(reference_data):
    row = {**PLEDGE_ROW, "title_ru": "Построить десять мостов", "title_zh_hans": "建十座桥"}
    import_pledges(pledge_csv(row, columns=[*row]))
    pledge = Pledge.objects.get()
    assert (pledge.title_ru, pledge.title_zh_hans) == ("Построить десять мостов", "建十座桥")

    import_pledges(pledge_csv({**PLEDGE_ROW, "summary": "A new summary."}))  # no language columns
    pledge.refresh_from_db()
    assert pledge.summary == "A new summary." and pledge.title_ru == "Построить десять мостов"

    out = io.BytesIO()
    export_pledges(out, None, "csv")
    exported = out.getvalue().decode()
    header, line = exported.splitlines()[:2]
    assert header.startswith("slug,title,title_ru,title_zh_hans,")
    assert "Построить десять мостов,建十座桥" in line


class _Labels(HTMLParser):
    """The admin's own words on a page: labels, headings, column names, help, buttons, links
    of its navigation, filters and tools (not the record's texts, which are the editors')."""

    WORDS = ("label", "th", "h1", "h2", "h3", "caption", "legend", "button", "summary")
    PLACES = ("help", "breadcrumbs", "object-tools", "submit-row", "actions", "module", "paginator")

    def __init__(self):
        super().__init__()
        self.open, self.words = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "submit":
            self.words.append(attrs.get("value", ""))
        if tag in _Text.VOID:
            return
        classes = set((attrs.get("class") or "").split())
        own = tag in self.WORDS or bool(classes & set(self.PLACES)) or attrs.get("id") == "nav-sidebar"
        record = tag in ("textarea", "select", "td") or "readonly" in classes or tag == "a" and "href" in attrs
        self.open.append((own, record and tag != "a"))

    def handle_endtag(self, tag):
        if tag not in _Text.VOID and self.open:
            self.open.pop()

    def handle_data(self, data):
        if any(own for own, _record in self.open) and not any(record for _own, record in self.open):
            self.words.append(data)


# Words that are the same in every language: names of formats and standards, and the user.
_SAME_IN_EVERY_LANGUAGE = {"CSV", "XLSX", "JSON", "ODS", "URL", "ISO", "ed"}


@pytest.mark.parametrize(
    "language, title, filter_title",
    [("ru", "Заголовок (на русском):", "перевод"), ("zh-hans", "标题（俄文）:", "以 翻译")],
)
def test_the_admin_speaks_the_editors_language_in_every_label(client, seeded, editor, language, title, filter_title):
    EditorSettings.objects.create(user=editor, language=language)
    client.force_login(editor)
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    # The record's own texts (a title in the breadcrumbs, a target named in its inline's heading).
    record = set(Pledge.objects.values_list("title", flat=True)) | set(Target.objects.values_list("label", flat=True))
    for path in ("/admin/pledges/pledge/", f"/admin/pledges/pledge/{pledge.pk}/change/"):
        html = client.get(path).content.decode()
        labels = _Labels()
        labels.feed(html)
        said = [re.sub(r"https?://\S+", "", words).strip(" ›\n") for words in labels.words]
        english = [
            words
            for words in said
            if words and words not in record and set(re.findall(r"[A-Za-z]{2,}", words)) - _SAME_IN_EVERY_LANGUAGE
        ]
        assert not english, (path, english)
        assert title in said or filter_title in said  # the change page's labels, the list's filters


def test_editors_see_what_is_left_to_translate(client, seeded, editor):
    client.force_login(editor)
    import_pledges(pledge_csv())
    new = Pledge.objects.get(slug=PLEDGE_ROW["slug"])
    listed = client.get("/admin/pledges/pledge/?missing=ru").content.decode()
    assert new.title in listed and "Speed up the China–Kyrgyzstan–Uzbekistan railway" not in listed

    trade = Pledge.objects.get(slug="trade-70-billion-by-2030")
    assert (
        "Russian: complete · Chinese: complete"
        in client.get(f"/admin/pledges/pledge/{trade.pk}/change/").content.decode()
    )
    page = client.get(f"/admin/pledges/pledge/{new.pk}/change/").content.decode()
    assert re.search(r"Russian: \d+ texts missing · Chinese: \d+ texts missing", page)
    # Each text and its translations side by side, in one row.
    assert re.search(r'class="form-row field-title field-title_ru field-title_zh_hans"', page)


def test_a_published_updates_translation_may_be_added_freely_and_rewritten_only_with_a_note(client, reference_data):
    from pledges.files.errors import ImportRejected
    from pledges.files.imports import import_updates
    from pledges.models import ProgressUpdate
    from tests.factories import UPDATE_ROW, update_csv

    import_pledges(pledge_csv())
    import_updates(update_csv())
    added = {**UPDATE_ROW, "summary_ru": "Открыты три моста."}
    import_updates(update_csv(added, columns=[*added]))  # written where there was none: no note
    update = ProgressUpdate.objects.get()
    assert update.summary_ru == "Открыты три моста." and update.corrected_at is None
    assert "<p>Открыты три моста.</p>" in client.get("/ru/pledges/test-pledge/").content.decode()

    rewritten = {**added, "summary_ru": "Открыты четыре моста."}
    with pytest.raises(ImportRejected) as refused:  # what Russian readers relied on, changed
        import_updates(update_csv(rewritten, columns=[*rewritten]))
    assert [error.column for error in refused.value.errors] == ["correction_note"]
    noted = {
        **rewritten,
        "correction_note": "Four bridges, not three.",
        "correction_note_ru": "Четыре моста, а не три.",
    }
    import_updates(update_csv(noted, columns=[*noted]))
    russian = client.get("/ru/pledges/test-pledge/").content.decode()
    assert "Открыты четыре моста." in russian and "Четыре моста, а не три." in russian
