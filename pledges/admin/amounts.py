"""Amounts as editors type them: "106.5bn", "106,500,000,000", "1,2 млн", "1065亿".

The measurement field on the admin's update forms reads them (AmountField), and its preview
(static/pledges/measurement.js) shows "$106,500,000,000 = $106.5 billion" as the editor types,
with the same scale words, handed to it by `preview_data`. A value more than ten times, or less
than a tenth of, the target's last one is held back until the editor confirms it (`jump`).
Files keep plain numbers: a CSV is written by programs, not typed.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pledges.models import VALUE_PLACEHOLDER

# Scale words and abbreviations, lower case, in the three languages editors type.
SCALE_WORDS = {
    "k": 3,
    "thousand": 3,
    "тыс": 3,
    "тыс.": 3,
    "тысяч": 3,
    "千": 3,
    "万": 4,
    "m": 6,
    "mn": 6,
    "mln": 6,
    "million": 6,
    "millions": 6,
    "млн": 6,
    "млн.": 6,
    "миллион": 6,
    "миллиона": 6,
    "миллионов": 6,
    "百万": 6,
    "亿": 8,
    "b": 9,
    "bn": 9,
    "bln": 9,
    "billion": 9,
    "billions": 9,
    "млрд": 9,
    "млрд.": 9,
    "миллиард": 9,
    "миллиарда": 9,
    "миллиардов": 9,
    "t": 12,
    "tn": 12,
    "trillion": 12,
    "trillions": 12,
    "трлн": 12,
    "трлн.": 12,
    "万亿": 12,
}

# A worse-than-tenfold change from the last value is probably a slip (106.5 for $106.5 billion).
JUMP = 10

_AMOUNT = re.compile(r"^([+-]?[0-9][0-9\s\u00a0\u202f,.'’]*)\s*(\S*)$")
# Thousands: 106,500,000,000 (one comma group is enough), 1.000.000 (dots need two: 1.234 is a decimal).
_GROUPS = re.compile(r"^\d{1,3}((,\d{3})+|(\.\d{3}){2,})$")


class AmbiguousAmount(ValueError):
    """An amount that reads two ways: "1,234 млн" is 1.234 million in Russian, 1,234 million in English."""


# One comma and three digits after it: a decimal comma or a thousands separator? (A dot is a
# decimal point unless it separates two groups or more: "1.063tn" is 1.063 trillion.)
_ONE_GROUP = re.compile(r"^[+-]?\d{1,3},\d{3}$")


def parse_amount(text):
    """The Decimal an editor meant by `text`, or None if it is not an amount; AmbiguousAmount if
    it could mean two amounts a thousand times apart."""
    match = _AMOUNT.match(text.strip().lower())
    if not match or match.group(2) not in ("", *SCALE_WORDS):
        return None
    digits = re.sub(r"[\s\u00a0\u202f'’]", "", match.group(1))
    if match.group(2) and _ONE_GROUP.match(digits):
        # Without a scale word the convention holds (1,234 is 1234), but before one, Russian
        # writes its decimals with a comma ("1,2 млн", "1,234 млн") and English its thousands.
        raise AmbiguousAmount(text)
    if "," in digits and "." in digits:  # the later mark is the decimal point: 1,234.5 or 1.234,5
        decimal_mark = "." if digits.rindex(".") > digits.rindex(",") else ","
        digits = digits.replace("," if decimal_mark == "." else ".", "").replace(decimal_mark, ".")
    elif _GROUPS.match(digits):  # 106,500,000,000 or 1.000.000: thousands
        digits = digits.replace(",", "").replace(".", "")
    else:  # 106,5 or 106.5
        digits = digits.replace(",", ".")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    return value.scaleb(SCALE_WORDS.get(match.group(2), 0))


class AmountInput(forms.TextInput):
    """A text box (so "106.5bn" can be typed) with the preview beside it, filled in by the script."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "class": "amount", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        return format_html(
            '{}<output class="amount-preview" for="{}" aria-live="polite"></output>', box, (attrs or {}).get("id", "")
        )

    def format_value(self, value):
        if isinstance(value, Decimal):
            return format(value.normalize(), "f") if value == value.to_integral() else str(value)
        return super().format_value(value)


class AmountField(forms.DecimalField):
    widget = AmountInput
    default_error_messages = {
        "invalid": _(
            "Enter an amount: digits, e.g. 106500000000, or with a scale word, e.g. 106.5bn, 2.5 million, 1,2 млн."
        ),
        "ambiguous": _(
            "“%(value)s” can be read two ways, a thousand times apart: write the decimal with a point "
            "and no separator (1.234 million), or the whole number (1234 million)."
        ),
        "too_precise": _("“%(value)s” has more than two decimal places; amounts are kept to two."),
    }

    def __init__(self, **kwargs):
        super().__init__(max_digits=20, decimal_places=2, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            parsed = parse_amount(str(value))
        except AmbiguousAmount:
            raise forms.ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"value": value}
            ) from None
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if parsed.normalize().as_tuple().exponent < -2:  # rounded silently, 0.005 was stored as 0.00
            raise forms.ValidationError(self.error_messages["too_precise"], code="too_precise", params={"value": value})
        return parsed


def jump(value, last):
    """How many times bigger (>1) or smaller (<1) `value` is than `last`, if more than JUMP-fold; else None."""
    if value is None or not last or not value:
        return None
    ratio = abs(Decimal(value) / Decimal(last))
    return ratio if ratio > JUMP or ratio * JUMP < 1 else None


def preview_data(targets):
    """What the preview script needs for `targets`: each one's unit as written in the active
    language, its last value (for the tenfold warning), and the scale words it reads and writes."""
    from pledges.templatetags.pledge_format import quantity, scale_patterns

    described = {}
    for target in targets:
        if target.unit_id is None:
            continue  # a target of steps is not measured
        last = target.last_value()
        described[str(target.pk)] = {
            "written": target.unit.write(VALUE_PLACEHOLDER, 10**9, scaled=True),  # the form after a scale word
            "last": "" if last is None else str(last),
            "last_text": quantity(last, target.unit),
        }
    return {
        "targets": described,
        "words": SCALE_WORDS,
        "scales": [[str(scale.adjusted()), pattern] for scale, pattern in scale_patterns()],
        "jump": JUMP,
        "messages": {
            "invalid": str(AmountField.default_error_messages["invalid"]),
            "more": gettext(
                "More than ten times the last value, %(last)s: if it is right, tick “Yes, this value is right”."
            ),
            "less": gettext(
                "Less than a tenth of the last value, %(last)s: if it is right, tick “Yes, this value is right”."
            ),
        },
    }
