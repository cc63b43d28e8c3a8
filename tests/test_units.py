"""Amounts read as each language writes them: a unit's plural forms by CLDR's categories."""

import pytest
from django.utils import translation

from pledges.models import Unit
from pledges.templatetags.pledge_format import quantity

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "code", "value", "written"),
    [
        ("en", "city_pairs", 1, "1 city pair"),
        ("en", "city_pairs", 100, "100 city pairs"),
        ("en", "doses", 2_500_000, "2.5 million doses"),
        ("en", "doses", 1_000_000, "1 million doses"),
        ("ru", "centres", 1, "1 центр"),
        ("ru", "centres", 3, "3 центра"),
        ("ru", "centres", 5, "5 центров"),
        ("ru", "centres", 11, "11 центров"),
        ("ru", "centres", 21, "21 центр"),
        ("ru", "centres", 22, "22 центра"),
        ("ru", "centres", "1.5", "1,5 центра"),
        ("ru", "doses", 2_500_000, "2,5 млн доз"),
        ("ru", "city_pairs", 100, "100 пар городов"),
        ("ru", "city_pairs", 2, "2 пары городов"),
        ("zh-hans", "city_pairs", 100, "100 对城市"),
    ],
)
def test_an_amount_takes_its_languages_plural_form(reference_data, language, code, value, written):
    with translation.override(language):
        assert quantity(value, Unit.objects.get(code=code)) == written


def test_a_pledge_page_reads_the_form_its_number_takes(client, seeded):
    russian = client.get("/ru/pledges/sister-cities-100-pairs/").content.decode()
    assert "100 пар городов" in russian


def test_every_form_of_a_unit_needs_the_number(reference_data):
    from django.core.exceptions import ValidationError

    unit = Unit.objects.get(code="centres")
    unit.written_ru = "{value} центр|центра|{value} центров|{value} центра"
    with pytest.raises(ValidationError) as refused:
        unit.full_clean()
    assert "written_ru" in refused.value.message_dict
