"""Quotes in the words they were said: a quote records its language, and a pledge made in
another language shows its original words and the translation, labelled as one, with who made it."""

import pytest

from pledges.files.errors import ImportRejected
from pledges.files.imports import import_pledges
from pledges.models import Pledge
from tests.factories import PLEDGE_ROW, pledge_csv

pytestmark = pytest.mark.django_db
TRADE = "/{}/pledges/trade-70-billion-by-2030/"


def test_a_pledge_made_in_chinese_shows_its_words_and_the_translation_as_one(client, seeded):
    def figure(language):
        page = client.get(TRADE.format(language)).content.decode()
        return page.split("<figure>", 1)[1].split("</figure>", 1)[0]

    for language in ("en", "ru", "zh-hans"):  # the words as said, first, in every language
        assert '<blockquote class="original" lang="zh-hans"' in figure(language)
        assert "“力争到2030年将中国同中亚国家贸易额提升至700亿美元”" in figure(language)
    english = figure("en")
    assert 'class="translation">“striving to increase trade' in english
    assert "Translated from Simplified Chinese by Global Times." in english
    assert english.index("力争到2030年") < english.index("striving to increase trade")
    # A Russian reader gets the tracker's Russian translation of the words, labelled as such.
    russian = figure("ru")
    assert 'class="translation">“стремиться к увеличению товарооборота' in russian
    assert "Перевод трекера с языка оригинала." in russian and "striving" not in russian
    # A Chinese reader reads the words as said: no translation under them.
    chinese = figure("zh-hans")
    assert 'class="translation"' not in chinese and "striving" not in chinese


def test_a_translation_whose_original_was_not_found_says_so(client, seeded):
    page = client.get("/en/pledges/oil-gas-pipelines/").content.decode()
    figure = page.split("<figure>", 1)[1].split("</figure>", 1)[0]
    assert 'class="original"' not in figure
    assert "Translated from Simplified Chinese by Global Times. The words as said were not found in a source." in figure


def test_an_english_pledge_is_shown_as_said_with_no_translation_label(client, reference_data):
    import_pledges(pledge_csv())
    page = client.get(Pledge.objects.get().get_absolute_url()).content.decode()
    assert "“We will build ten bridges”" in page and "Translated from" not in page


def test_original_words_need_their_language(reference_data):
    row = {**PLEDGE_ROW, "quote_original": "Мы построим десять мостов", "quote_language": ""}
    with pytest.raises(ImportRejected) as refused:
        import_pledges(pledge_csv(row, columns=[*row]))
    (error,) = refused.value.errors
    assert (error.column, error.message) == ("quote_language", "Say which language the original words are in.")
    import_pledges(pledge_csv({**row, "quote_language": "ru"}, columns=[*row]))
    assert Pledge.objects.get().quote_is_translation
