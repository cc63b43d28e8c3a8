"""The record's texts in each of the site's languages, and which language a reader is shown.

English is the record's working language: each translated text is a field (`title`) with one
field per other language beside it (`title_ru`, `title_zh_hans`), empty until someone writes it.
A page shows the reader's language where it exists and otherwise the English, marked as such
(`shown`), never mixed in silently.

These are plain columns rather than django-modeltranslation's (which the site's reference names,
units and site text use): modeltranslation rewrites `title` by the language active at the time,
in constructors, lookups and `values()`, and a page could not tell a fallback from a translation.
The importer writes in the editor's language, the bulk writer copies columns, the audit history
(simple-history builds its table before modeltranslation adds fields) and the changes log read
every column, and each would have had to work around it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The site's languages as field suffixes: English has none, being the field itself.
WORKING_LANGUAGE = "en"
OTHER_LANGUAGES = {"ru": "ru", "zh-hans": "zh_hans"}
LANGUAGES = (WORKING_LANGUAGE, *OTHER_LANGUAGES)
LANGUAGE_NAMES = {"en": _("English"), "ru": _("Russian"), "zh-hans": _("Chinese")}
# A field's label beside the English one: "title (in Russian)".
FIELD_IN = {"ru": _("in Russian"), "zh-hans": _("in Chinese")}
# The admin's filter of pledges with texts not yet written in a language.
MISSING_IN = {"ru": _("Missing Russian"), "zh-hans": _("Missing Chinese")}
# "(in English)" after a text shown in a language other than the page's.
IN_LANGUAGE = {"en": _("(in English)"), "ru": _("(in Russian)"), "zh-hans": _("(in Chinese)")}


def field_in(name: str, language: str) -> str:
    """The field holding `name` in `language`: title, title_ru, title_zh_hans."""
    suffix = OTHER_LANGUAGES.get(language)
    return f"{name}_{suffix}" if suffix else name


def every_language(name: str) -> tuple[str, ...]:
    """The fields of `name` in every language, English first."""
    return tuple(field_in(name, language) for language in LANGUAGES)


def translated(field):
    """The fields beside `field` for each other language (declared in the model's body:
    `title_ru, title_zh_hans = translated(title)`): optional, with the same rules."""
    copies = []
    for language in OTHER_LANGUAGES:
        copy = field.clone()
        copy.verbose_name = copy._verbose_name = format_lazy(
            _("{field} ({language})"), field=field.verbose_name, language=FIELD_IN[language]
        )
        copy.blank = True
        copy.help_text = ""
        copy._unique = False
        copies.append(copy)
    return copies


def site_language(language: str | None = None) -> str:
    """The site language `language` (or the active one) is, English for any other."""
    language = (language or get_language() or settings.LANGUAGE_CODE).lower()
    return language if language in OTHER_LANGUAGES else WORKING_LANGUAGE


@dataclass(frozen=True)
class Shown:
    """A text as a reader is shown it: in `language`, which `fallback` says is not theirs."""

    text: object
    language: str
    fallback: bool

    def __str__(self):
        return str(self.text)

    def __bool__(self):
        return bool(self.text)

    def __html__(self):
        """As a page writes it: a text in another language than the page's is marked with its
        language, for readers and for screen readers (`lang`)."""
        if not self.fallback:
            return conditional_escape(self.text)
        return format_html(
            '<span lang="{}">{}</span> <span class="in-language">{}</span>',
            self.language,
            self.text,
            IN_LANGUAGE[self.language],
        )

    def marked_text(self):
        """As plain text says it (feeds, calendars): "Title (in English)"."""
        if not self.fallback:
            return str(self.text)
        return f"{self.text} {IN_LANGUAGE[self.language]}"

    def replace(self, text):
        """The same, with its text cut or reworded (the first sentences of a ruling)."""
        return Shown(text, self.language, self.fallback)


def shown(record, name: str, language: str | None = None) -> Shown:
    """`record`'s `name` in the reader's language, or else in English, or else in any language
    that has it; an empty text stays empty in the reader's language."""
    wanted = site_language(language)
    order = [wanted, WORKING_LANGUAGE, *OTHER_LANGUAGES]
    for candidate in dict.fromkeys(order):
        value = getattr(record, field_in(name, candidate), None)
        if value:
            return Shown(value, candidate, candidate != wanted)
    return Shown(getattr(record, name, "") or "", wanted, False)


def shown_item(record, name: str, index: int, language: str | None = None) -> Shown:
    """Item `index` of `record`'s list `name` (a target's steps), as `shown` gives a text."""
    wanted = site_language(language)
    for candidate in dict.fromkeys([wanted, WORKING_LANGUAGE, *OTHER_LANGUAGES]):
        items = getattr(record, field_in(name, candidate), None) or []
        if index < len(items) and items[index]:
            return Shown(items[index], candidate, candidate != wanted)
    return Shown("", wanted, False)


def missing(record, name: str, language: str) -> bool:
    """Whether `record` has its `name` in English but not in `language`."""
    return bool(getattr(record, name, None)) and not getattr(record, field_in(name, language), None)
