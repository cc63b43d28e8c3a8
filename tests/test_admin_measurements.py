"""A measurement as an editor types it: with a scale word, and checked for a slip of scale."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pledges.admin.amounts import AmbiguousAmount, AmountField, parse_amount
from pledges.models import Pledge, ProgressUpdate
from tests.factories import change_form_data
from tests.test_admin_editing import change_url, with_new_update

pytestmark = pytest.mark.django_db
NEW_DAY = date(2026, 11, 20)
# Trade is a yearly flow: a figure says which part of the year it covers.
JANUARY_TO_OCTOBER = {"measured_precision": "range", "measured_start": "2026-01-01", "measured_end": "2026-10-31"}


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("106500000000", "106500000000"),
        ("106,500,000,000", "106500000000"),
        ("106 500 000 000", "106500000000"),
        ("106.5bn", "106500000000"),
        ("106.5 billion", "106500000000"),
        ("2.5m", "2500000"),
        ("500k", "500000"),
        ("1,2 млн", "1200000"),
        ("106,5 млрд", "106500000000"),
        ("1065亿", "106500000000"),
        ("50万", "500000"),
        ("1,234.5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("1.234", "1.234"),
        ("1.000.000", "1000000"),
    ],
)
def test_amounts_are_read_as_editors_type_them(typed, meant):
    assert parse_amount(typed) == Decimal(meant)


@pytest.mark.parametrize("typed", ["lots", "12 apples", "1.2.3", "bn", "1e9"])
def test_what_is_not_an_amount_is_not_guessed(typed):
    assert parse_amount(typed) is None


@pytest.mark.parametrize("typed", ["1,234 млн", "1,234bn", "12,500 million"])
def test_an_amount_that_reads_two_ways_is_not_guessed(typed):
    with pytest.raises(AmbiguousAmount):
        parse_amount(typed)


@pytest.mark.parametrize(
    "typed, message",
    [
        ("1,234 млн", "“1,234 млн” can be read two ways, a thousand times apart"),
        ("0.005", "“0.005” has more than two decimal places; amounts are kept to two."),
    ],
)
def test_the_form_says_why_it_refuses_an_amount_it_would_have_guessed_or_rounded(typed, message):
    with pytest.raises(ValidationError) as refused:
        AmountField().clean(typed)
    assert refused.value.messages[0].startswith(message)


def test_the_forms_plain_readings_stand(db):
    field = AmountField()
    assert (field.clean("1,2 млн"), field.clean("0.05"), field.clean("1,234"), field.clean("1.063tn")) == (
        Decimal("1200000"),
        Decimal("0.05"),
        Decimal("1234"),
        Decimal("1063000000000"),
    )


def _trade(client, editor):
    pledge = Pledge.objects.get(slug="trade-70-billion-by-2030")
    client.force_login(editor)
    page = client.get(change_url(pledge))
    index = int(page.context["inline_admin_formsets"][0].formset.management_form["INITIAL_FORMS"].value())
    return pledge, page, index


def test_a_value_typed_with_a_scale_word_is_saved_in_full(client, seeded, editor):
    pledge, page, index = _trade(client, editor)
    response = client.post(
        change_url(pledge),
        change_form_data(page, **with_new_update(page, index, measurement_value="112.4bn", **JANUARY_TO_OCTOBER)),
    )
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert pledge.updates.get(occurred_on=NEW_DAY).measurement_value == Decimal("112400000000")


def test_a_value_a_billion_times_too_small_is_held_back_until_confirmed(client, seeded, editor):
    pledge, page, index = _trade(client, editor)
    data = change_form_data(page, **with_new_update(page, index, measurement_value="106.5", **JANUARY_TO_OCTOBER))

    refused = client.post(change_url(pledge), data)

    assert refused.status_code == 200 and not pledge.updates.filter(occurred_on=NEW_DAY).exists()
    html = refused.content.decode()
    assert "$106.5 is less than a tenth of the last value, $106.3 billion." in html
    assert f'name="updates-{index}-confirm_jump"' in html
    data[f"updates-{index}-confirm_jump"] = "on"
    assert client.post(change_url(pledge), data).status_code == 302
    assert pledge.updates.get(occurred_on=NEW_DAY).measurement_value == Decimal("106.5")


def test_the_first_measurement_is_compared_with_the_baseline(client, seeded, editor):
    pledge, page, index = _trade(client, editor)
    pledge.updates.exclude(measurement_value=None).delete()  # the 2021 baseline ($50.1 billion) is left
    page = client.get(change_url(pledge))
    index = int(page.context["inline_admin_formsets"][0].formset.management_form["INITIAL_FORMS"].value())
    refused = client.post(
        change_url(pledge), change_form_data(page, **with_new_update(page, index, measurement_value="600bn"))
    )
    assert "$600 billion is more than ten times the last value, $50.1 billion." in refused.content.decode()


def test_a_value_that_is_not_an_amount_is_refused_with_examples(client, seeded, editor):
    pledge, page, index = _trade(client, editor)
    refused = client.post(
        change_url(pledge), change_form_data(page, **with_new_update(page, index, measurement_value="about 100"))
    )
    assert "Enter an amount: digits, e.g. 106500000000, or with a scale word" in refused.content.decode()


def test_the_updates_own_page_asks_too_and_an_unchanged_value_is_not_asked_again(client, seeded, editor):
    update = ProgressUpdate.objects.get(key="trade-2025")
    client.force_login(editor)
    url = reverse("admin:pledges_progressupdate_change", args=[update.pk])
    page = client.get(url)
    data = change_form_data(page, measurement_value="1.063tn")
    assert "more than ten times the last value, $94.8 billion" in client.post(url, data).content.decode()
    # The page preview knows the unit and the last value, for the script.
    assert '"written": "${value}"' in page.content.decode() and "measurement-preview" in page.content.decode()
    again = change_form_data(
        page, summary="Trade in 2025 rose 12% to $106.3 billion (customs).", correction="Said whose figure it is."
    )
    assert client.post(url, again).status_code == 302
