"""What a link to a public page shows where it is shared: its title and description, in the
page's language (Open Graph and Twitter's card), on every public page."""

import re

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def meta(html):
    return dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):\w+|description)" content="([^"]*)">', html))


def test_every_public_page_says_what_it_is_where_it_is_shared(client, seeded):
    pledge = meta(client.get("/ru/pledges/trade-70-billion-by-2030/").content.decode())
    assert (
        pledge["og:title"]
        == pledge["twitter:title"]
        == ("Довести товарооборот Китая и Центральной Азии до 70 млрд долларов к 2030 году")
    )
    assert pledge["og:description"].startswith("Китай поставил цель увеличить годовой товарооборот")
    assert (
        pledge["og:type"] == "article"
        and pledge["og:locale"] == "ru_RU"
        and pledge["twitter:card"] == "summary_large_image"
    )
    assert pledge["og:url"] == f"{settings.PLEDGES_SITE_URL}/ru/pledges/trade-70-billion-by-2030/"
    assert pledge["og:site_name"] == "Трекер обещаний"

    overview = meta(client.get("/zh-hans/").content.decode())
    assert overview["og:title"] == "承诺追踪" and overview["og:locale"] == "zh_CN"
    assert overview["description"].startswith("2022年1月25日，中国国家主席习近平")
    for path in (
        "/en/countries/KZ/",
        "/en/events/virtual-summit-on-30-years-of-china-central-asia-diplomatic-relations/",
    ):
        shared = meta(client.get(path).content.decode())
        assert shared["og:title"] in (
            "Kazakhstan",
            "Virtual summit on 30 years of China–Central Asia diplomatic relations",
        )
        assert shared["og:description"] and shared["og:url"].endswith(path)
