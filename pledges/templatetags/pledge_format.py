"""Template filters that show quantities the way people read them."""

from decimal import Decimal

from django import template

from ..models import Unit

register = template.Library()

_SCALES = ((Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million"))


@register.filter
def quantity(value, unit=""):
    """106300000000 with unit "usd" -> "$106.3 billion"; 2543200 doses -> "2.5 million doses"."""
    if value is None:
        return ""
    value = Decimal(value)
    text = None
    for scale, word in _SCALES:
        if abs(value) >= scale:
            text = f"{(value / scale).quantize(Decimal('0.1')).normalize():f} {word}"
            break
    if text is None:
        text = f"{value.normalize():,f}"
    if unit == Unit.USD:
        return f"${text}"
    return f"{text} {Unit(unit).label}" if unit else text


@register.filter
def bar_width(percent):
    """A progress percentage clamped to 0..100, for the width of a bar."""
    if percent is None:
        return 0
    return max(0, min(100, int(percent)))
