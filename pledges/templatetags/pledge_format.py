"""Template helpers for the public pages: quantities as people read them, in their language,
and links to the same page in the other languages."""

import functools
import re
from datetime import timedelta
from decimal import Decimal

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import formats, translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, pgettext

from pledges.models import PreciseDate, Shown, TargetKind, Verdict, covers_a_year, shown

register = template.Library()


def scale_patterns():
    """(scale, pattern) pairs, largest first, for writing big numbers in the active language."""
    if get_language().startswith("zh"):
        # Chinese counts large numbers in myriads: 1063亿, not 106.3 billion.
        return (
            (Decimal(10) ** 12, "%(number)s万亿"),
            (Decimal(10) ** 8, "%(number)s亿"),
            (Decimal(10) ** 4, "%(number)s万"),
        )
    return (
        (Decimal(10) ** 12, pgettext("quantity", "%(number)s trillion")),
        (Decimal(10) ** 9, pgettext("quantity", "%(number)s billion")),
        (Decimal(10) ** 6, pgettext("quantity", "%(number)s million")),
    )


@register.filter
def quantity(value, unit=None):
    """106300000000 in US dollars -> "$106.3 billion"; 2543200 doses -> "2.5 million doses".

    Digits, separators and scale words follow the active language; the unit (a Unit) is written
    as editors wrote it for that language.
    """
    if value is None or value == "":
        return ""
    value = Decimal(value)
    for scale, pattern in scale_patterns():
        if abs(value) >= scale:
            number = formats.number_format((value / scale).quantize(Decimal("0.1")).normalize(), use_l10n=True)
            text = pattern % {"number": number}
            return unit.write(text, value, scaled=True) if unit else text
    text = formats.number_format(value.normalize(), use_l10n=True, force_grouping=True)
    return unit.write(text, value) if unit else text


def qualified(text, qualifier):
    """A figure as exact as its source gives it: "about $3.7 billion", "more than 100"."""
    patterns = {
        "about": pgettext("figure", "about %(value)s"),
        "more_than": pgettext("figure", "more than %(value)s"),
        "at_least": pgettext("figure", "at least %(value)s"),
        "up_to": pgettext("figure", "up to %(value)s"),
    }
    return patterns[qualifier] % {"value": text} if qualifier in patterns else text


@register.filter
def measurement(update):
    """An update's measured value in its target's unit, as exact as the source: "about 2.5 million doses"."""
    unit = update.target.unit if update.target_id else None
    return qualified(quantity(update.measurement_value, unit), update.measurement_qualifier)


@register.filter
def part_of_a_year(update):
    """Whether a measurement of a yearly flow covers only part of a year (shown, not compared)."""
    return bool(update.target_id and update.target.kind == TargetKind.FLOW and not covers_a_year(update))


@register.filter
def goal(target):
    """A target's promised value, as exact as the pledge gives it: "about 30 billion m³"."""
    return qualified(quantity(target.target_value, target.unit), target.value_qualifier)


@register.filter
def current_value(progress, target):
    """A target's current value, as exact as its source: "$106.3 billion", "about 30 billion m³"."""
    return qualified(quantity(progress.current_value, target.unit), progress.qualifier)


@register.filter
def measured_period(update):
    """The period a measurement describes, as a reader reads it: "2022", "May 2023", "11 May 2023",
    "1 January 2025 – 30 June 2025"; empty when it measures the day of its update."""
    precision, start, end = update.measured_precision, update.measured_start, update.measured_end
    if not precision:
        return ""
    if precision == "year":
        return str(end.year)
    if precision == "month":
        return formats.date_format(end, "YEAR_MONTH_FORMAT")
    if precision == "range":
        if start.day == 1 and (end + timedelta(days=1)).day == 1:  # whole months: January 2026 – October 2026
            return (
                f"{formats.date_format(start, 'YEAR_MONTH_FORMAT')} – {formats.date_format(end, 'YEAR_MONTH_FORMAT')}"
            )
        return f"{formats.date_format(start, 'DATE_FORMAT')} – {formats.date_format(end, 'DATE_FORMAT')}"
    return formats.date_format(end, "DATE_FORMAT")


@register.filter
def measured_when(update):
    """When a measurement was measured, as a sentence says it in the active language: "on 21 July
    2025", "in May 2023", "in 2022", "from 1 January 2023 to 30 June 2023"; empty when it measures
    the day of its update."""
    precision, start, end = update.measured_precision, update.measured_start, update.measured_end
    if not precision:
        return ""
    if precision == "year":
        return pgettext("measured in a year", "in %(year)s") % {"year": end.year}
    if precision == "month":
        month = formats.date_format(end, "YEAR_MONTH_FORMAT")
        if get_language() == "ru":  # a month's name is lowercase in running text: «за май 2023 г.»
            month = month[:1].lower() + month[1:]
        return pgettext("measured in a month", "in %(month)s") % {"month": month}
    if precision == "range":
        return pgettext("measured over a range", "from %(start)s to %(end)s") % {
            "start": formats.date_format(start, "DATE_FORMAT"),
            "end": formats.date_format(end, "DATE_FORMAT"),
        }
    return pgettext("measured on a day", "on %(day)s") % {"day": formats.date_format(end, "DATE_FORMAT")}


@register.filter
def precise_date(day, precision=""):
    """A date as precise as its source, in the active language: 5 December 2023, December 2023, 2023.
    `{{ update.occurred_on|precise_date:update.occurred_precision }}` (audit-history copies too)."""
    return PreciseDate.of(day, precision).text() if day else ""


@register.filter
def and_list(items):
    """["China", "Kazakhstan", "Uzbekistan"] -> "China, Kazakhstan and Uzbekistan", in the active language."""
    names = [conditional_escape(getattr(item, "shown_name", None) or str(item)) for item in items]
    if len(names) < 2:
        return mark_safe("".join(names))
    joined = _html(gettext("%(names)s and %(last)s")) % {
        "names": _html(gettext(", ")).join(names[:-1]),
        "last": names[-1],
    }
    return mark_safe(joined)


@register.filter
def country_links(parties):
    """Each party's name, a state's linked to its country's page."""
    return [
        format_html('<a href="{}">{}</a>', reverse("pledges:country", args=[party.country.code]), party.shown_name)
        if party.country_id
        else party
        for party in parties
    ]


@register.filter
def speaking_for(parties):
    """Each party's name, a person's with the state they speak for: "Xi Jinping (for China)"."""
    names = []
    for party in parties:
        if party.speaks_for_id:
            state = _html(gettext("for %(state)s")) % {"state": conditional_escape(party.speaks_for.shown_name)}
            names.append(mark_safe(f"{conditional_escape(party.shown_name)} ({state})"))
        else:
            names.append(party.shown_name)
    return names


@register.filter
def pledged_by(pledge):
    """ "Pledged by Xi Jinping", or "Pledged jointly by China and Kazakhstan" for a joint pledge."""
    parties = list(pledge.parties.all())
    if len(parties) > 1:
        return mark_safe(_html(gettext("Pledged jointly by %(parties)s")) % {"parties": and_list(parties)})
    return mark_safe(_html(gettext("Pledged by %(party)s")) % {"party": and_list(parties)})


def _html(words):
    """A translated phrase made safe to join marked-up names into."""
    return str(conditional_escape(words))


class _Said(SafeString):
    """A text as the page writes it (marked when not in the page's language), remembering the
    text, so a filter after it can cut it (`first_sentences`) and mark it again."""

    shown: Shown


def _said(text):
    html = _Said(text.__html__())
    html.shown = text
    return html


@register.filter
def said(record, name):
    """`record`'s text `name` in the reader's language, or else in English marked "(in English)"
    with its `lang` (languages.shown): `{{ pledge|said:"title" }}`."""
    return _said(shown(record, name))


@register.filter
def marked(text):
    """A text already chosen in the reader's language (a person's name, a step, a ruling of the
    changes log) as the page writes it; Django's templates would print it unmarked."""
    return _said(text) if isinstance(text, Shown) else text


@register.filter
def step_done(update):
    """The step an update shows done, in the reader's language."""
    return update.target.step_name(update.milestone) if update.target_id else update.milestone


@register.filter
def said_text(record, name):
    """The same text, unmarked: for a browser tab's title and attributes."""
    return str(shown(record, name))


# A sentence ends at ". " (not the point in "$70.2"), "!" or "?" before a space, or at a Chinese full stop.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")


@register.filter
def first_sentences(text, limit=160):
    """As many whole sentences of `text` as fit in `limit` characters (always the first; a first
    sentence longer than that is cut at a word, with an ellipsis). A text `said` keeps its mark."""
    if isinstance(text, _Said):
        return _said(text.shown.replace(first_sentences(text.shown.text, limit)))
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    sentences = [s for s in _SENTENCE_END.split(text) if s]
    kept = ""
    for sentence in sentences:
        joined = f"{kept} {sentence}".strip() if kept and not kept.endswith(("。", "！", "？")) else kept + sentence
        if kept and len(joined) > limit:
            break
        kept = joined
    if len(kept) > limit:
        kept = kept[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return kept


@functools.cache
def _verdict_words():
    """Every verdict's name, in every language of the site, as a ruling's first sentence says it."""
    words = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words |= {str(label).casefold() for label in Verdict.labels}
    return frozenset(words)


@register.filter
def beyond_verdict(text):
    """A ruling without a first sentence that only names a verdict ("Kept.", «Выполнено.»,
    "已兑现。"), which the badge beside it already says: a card shows what the ruling adds. A
    text `said` keeps its mark."""
    if isinstance(text, _Said):
        return _said(text.shown.replace(beyond_verdict(text.shown.text)))
    text = (text or "").strip()
    first, *rest = _SENTENCE_END.split(text, maxsplit=1)
    if rest and rest[0].strip() and first.strip().rstrip(".!?。！？").casefold() in _verdict_words():
        return rest[0].strip()
    return text


@register.filter
def grouped(number):
    """A count with the active language's thousands separator: 10,000, 10 000, 10,000."""
    return formats.number_format(number, force_grouping=True)


@register.filter
def bar_width(percent):
    """A progress percentage clamped to 0..100, for the width of a bar."""
    if percent is None:
        return 0
    return max(0, min(100, int(percent)))


@register.simple_tag(takes_context=True)
def language_versions(context):
    """(code, name, url, is_current) for this page in each of the site's languages.

    The page's own path with the query its view says it shows (`canonical_query`, the overview's
    filters), never the address's raw query: a rendered page is kept and served to every reader,
    so the first reader's `?utm_source=...` would otherwise be in everyone's links.
    """
    request = context["request"]
    current = get_language()
    query = context.get("canonical_query") or ""
    # A missing page (Django's 404 view gives its template `request_path`) has no version in
    # another language: the overview has.
    path = reverse("pledges:list") if "request_path" in context else request.path
    return [
        (code, name, translate_url(path, code) + (f"?{query}" if query else ""), code == current)
        for code, name in settings.LANGUAGES
    ]
