"""Share cards: every public page names a picture for where it is shared, and a pledge's is a PNG
of its title, verdict and progress drawn in the page's language, kept per data version."""

import io
import re

import pytest
from django.conf import settings
from PIL import Image, ImageDraw

from pledges.files.imports import import_pledges
from pledges.models import Pledge, shown
from pledges.public import cards
from tests.factories import pledge_csv

pytestmark = [pytest.mark.django_db, pytest.mark.any_database]

TRADE = "trade-70-billion-by-2030"


def glyph(letter):
    """The letter as the cards' font draws it."""
    image = Image.new("L", (90, 90))
    ImageDraw.Draw(image).text((10, 0), letter, font=cards._font(58), fill=255)
    return image.tobytes()


def meta(html, name):
    return re.search(rf'<meta (?:property|name)="{name}" content="([^"]*)">', html).group(1)


def test_each_page_names_its_picture_for_open_graph_and_twitter(client, seeded):
    page = client.get(f"/ru/pledges/{TRADE}/").content.decode()
    card = f"{settings.PLEDGES_SITE_URL}/ru/pledges/{TRADE}/card.png"
    assert meta(page, "og:image") == meta(page, "twitter:image") == card
    assert meta(page, "twitter:card") == "summary_large_image"
    assert (meta(page, "og:image:width"), meta(page, "og:image:height")) == ("1200", "630")
    for path in ("/zh-hans/", "/zh-hans/countries/KZ/", "/zh-hans/changes/", "/zh-hans/about/"):
        assert meta(client.get(path).content.decode(), "og:image") == f"{settings.PLEDGES_SITE_URL}/zh-hans/card.png"


@pytest.mark.parametrize("language", ["en", "ru", "zh-hans"])
def test_a_pledge_card_is_a_png_drawn_in_the_pages_language(client, seeded, language):
    response = client.get(f"/{language}/pledges/{TRADE}/card.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (1200, 630) and image.format == "PNG"
    # The verdict's badge is drawn in the verdict's colour (Kept: #cfeccf).
    assert (207, 236, 207) in {colour for _count, colour in image.getcolors(1_000_000)}
    # Every letter of the title and the verdict in this language has its glyph in the card's
    # font (none would be drawn as the empty box of a missing glyph).
    from django.utils import translation

    with translation.override(language):
        pledge = Pledge.objects.get(slug=TRADE)
        words = str(shown(pledge, "title")) + pledge.get_verdict_display()
    assert [letter for letter in set(words) - {" "} if glyph(letter) == glyph("\U0010fffd")] == []


def test_the_cards_differ_by_language_and_follow_the_data(client, seeded):
    english, russian = (client.get(f"/{lang}/pledges/{TRADE}/card.png") for lang in ("en", "ru"))
    assert english.content != russian.content
    again = client.get(f"/en/pledges/{TRADE}/card.png", HTTP_IF_NONE_MATCH=english["ETag"])
    assert again.status_code == 304  # kept: the same version draws the same card
    import_pledges(pledge_csv({"slug": "another", "title": "Another pledge"}))  # another pledge's card
    assert client.get(f"/en/pledges/{TRADE}/card.png", HTTP_IF_NONE_MATCH=english["ETag"]).status_code == 304
    trade = Pledge.objects.get(slug=TRADE)  # this one's
    trade.title = "Trade to $70 billion, retitled"
    trade.save()
    assert client.get(f"/en/pledges/{TRADE}/card.png", HTTP_IF_NONE_MATCH=english["ETag"]).status_code == 200


def test_a_draft_has_no_card(client, seeded):
    import_pledges(pledge_csv({"slug": "a-draft", "title": "A draft", "published": "no"}))
    assert client.get("/en/pledges/a-draft/card.png").status_code == 404
    assert client.get("/en/card.png")["Content-Type"] == "image/png"


def test_a_title_is_broken_between_words_or_between_chinese_characters_and_cut_with_an_ellipsis():
    font = cards._font(58)
    english = cards.wrapped("Raise China–Central Asia trade to $70 billion by 2030", font, 600, 3)
    assert len(english) > 1 and all(font.getlength(line) <= 600 for line in english)
    assert " ".join(english) == "Raise China–Central Asia trade to $70 billion by 2030"  # broken at spaces only
    chinese = cards.wrapped("到2030年中国同中亚贸易额达到700亿美元", font, 300, 2)
    assert len(chinese) == 2 and chinese[-1].endswith("…")
    assert all(font.getlength(line) <= 300 for line in chinese)


def test_a_card_takes_a_few_queries_drawn_and_one_kept(client, seeded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as drawn:
        assert client.get(f"/ru/pledges/{TRADE}/card.png").status_code == 200
    with CaptureQueriesContext(connection) as kept:
        assert client.get(f"/ru/pledges/{TRADE}/card.png", HTTP_ACCEPT_LANGUAGE="ru").status_code == 200
    assert len(drawn) <= 8 and len(kept) <= 1  # the version only
