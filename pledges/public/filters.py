"""The overview's filters and search, read from the address by django-filter.

A value that names nothing known (a verdict that does not exist, a party id out of range) is
not an error: django-filter leaves that field out, and the overview shows what the rest select.
`chosen()` is what did select, the one form of the filters the page's cache key, its links and
its form are made from.
"""

import hashlib
import itertools
import re
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from pledges.models import (
    SEARCH_CONFIGS,
    SEARCHED_TEXT,
    UPDATE_SEARCHED_TEXT,
    WORKING_LANGUAGE,
    Country,
    DeadlineState,
    Event,
    Party,
    Pledge,
    ProgressUpdate,
    Verdict,
    every_language,
    field_in,
    search_vector,
    site_language,
    update_search_vector,
)
from pledges.public.selectors import country_pledges

# The longest search a reader may type; a longer one is cut (at a word), not ignored.
SEARCH_MAX = 200


class SearchWords(forms.CharField):
    """What a reader searched for: at most SEARCH_MAX characters, cut between words."""

    def to_python(self, value):
        words = super().to_python(value)
        if len(words) <= SEARCH_MAX:
            return words
        cut = words[:SEARCH_MAX]
        if not cut[-1].isspace() and not words[SEARCH_MAX].isspace() and len(cut.split()) > 1:
            cut = cut.rsplit(None, 1)[0]  # not half a word
        return cut.strip()


class SearchFilter(django_filters.CharFilter):
    field_class = SearchWords


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id), where django-filter's NumberFilter takes decimals."""

    field_class = forms.IntegerField


class PledgeFilterSet(django_filters.FilterSet):
    """What a reader narrows the overview to; every filter is optional and comes from the URL."""

    verdict = django_filters.ChoiceFilter(choices=Verdict.choices)
    topic = django_filters.CharFilter(method="filter_topic", max_length=50)
    # Made to the country or by it (its state, or a person speaking for it), as its page lists them.
    country = django_filters.CharFilter(method="filter_country", max_length=2)
    state = django_filters.ChoiceFilter(choices=DeadlineState.choices, method="filter_state")
    event = django_filters.CharFilter(field_name="event__slug", max_length=120)
    # Who made it (a party's id), within the database's integer range.
    party = IntegerFilter(field_name="parties", distinct=True, min_value=1, max_value=2**31 - 1)
    q = SearchFilter(method="filter_search")

    class Meta:
        model = Pledge
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, today=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.today = today or timezone.localdate()

    def filter_country(self, queryset, name, value):
        country = Country.objects.filter(code=value.upper()).first()
        return country_pledges(country, queryset) if country else queryset.none()

    def filter_topic(self, pledges, name, value):
        """Pledges on this topic, as their first topic or one of their others."""
        more = Pledge.more_topics.through.objects.filter(pledge=OuterRef("pk"), topic__slug=value)
        return pledges.filter(Q(topic__slug=value) | Q(Exists(more)))

    def filter_state(self, pledges, name, value):
        return pledges.in_deadline_state(value, self.today)

    def filter_search(self, pledges, name, value):
        return search(pledges, value)

    def chosen(self):
        """{name: value} of the filters that select something, as cleaned (a party as its id)."""
        self.is_valid()
        values = {name: value for name, value in self.form.cleaned_data.items() if value not in ("", None)}
        if "country" in values:
            values["country"] = values["country"].upper()
        return values


def cache_key(chosen, page):
    """The filters as a short key: equal for every address that selects the same pledges."""
    return hashlib.sha256(repr((sorted(chosen.items()), page)).encode()).hexdigest()[:32]


def page_query(chosen, page):
    """The query string of these filters on another page of the overview."""
    return urlencode({**chosen, **({"page": page} if page > 1 else {})})


def search(pledges, q):
    """Pledges whose words, or whose published updates' words (what happened, the rulings),
    match every word of `q`, in English or in the reader's language, or whose parties',
    beneficiaries' or event's names or event's place hold it in any of the site's languages
    ("Kazakhstan", "Казахстан", "哈萨克斯坦", "Астана").

    On PostgreSQL: English and Russian words in any of their forms (each language's stemming,
    websearch syntax: quotes, "or", "-word"), Chinese as written (each word a substring, from a
    trigram index). Elsewhere each word's stem as a substring of the same texts.

    The names are looked up first, in their own small tables, so the text's condition stands
    alone in the query and PostgreSQL answers it from the indexes instead of reading every pledge.
    """
    language = site_language()
    parties = Q()
    for name in [*every_language("name"), "country__name_en", "country__name_ru", "country__name_zh_hans"]:
        parties |= Q(**{f"{name}__icontains": q})
    party_keys = list(Party.objects.filter(parties).values_list("pk", flat=True))
    events = Q()
    for name in [*every_language("name"), *every_language("place")]:
        events |= Q(**{f"{name}__icontains": q})
    event_keys = list(Event.objects.filter(events).values_list("pk", flat=True))
    names = Q(event__in=event_keys) if event_keys else Q(pk__in=[])
    if party_keys:
        for relation in (Pledge.parties, Pledge.beneficiaries):
            names |= Q(pk__in=relation.through.objects.filter(party__in=party_keys).values("pledge_id"))
    updates = ProgressUpdate.objects.filter(is_published=True)
    languages = dict.fromkeys([WORKING_LANGUAGE, language])
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        words, update_words, matched, update_matched = {}, {}, Q(), Q()
        for candidate in languages:
            alias = f"words_{candidate.replace('-', '_')}"
            if candidate in SEARCH_CONFIGS:
                query = SearchQuery(q, config=SEARCH_CONFIGS[candidate], search_type="websearch")
                if candidate != WORKING_LANGUAGE and (stems := _stem_prefixes(q)):
                    # Russian stems a name unevenly (Астана -> аста, Астане -> астан): each word's
                    # stem is also matched as the start of a word.
                    query |= SearchQuery(stems, config=SEARCH_CONFIGS[candidate], search_type="raw")
                words[alias], update_words[alias] = search_vector(candidate), update_search_vector(candidate)
                matched |= Q(**{alias: query})
                update_matched |= Q(**{alias: query})
            else:  # Chinese, as written: each word a substring of one of the texts
                matched |= _every_word_in(q, SEARCHED_TEXT, candidate)
                update_matched |= _every_word_in(q, UPDATE_SEARCHED_TEXT, candidate)
        names |= _pledges_of(updates.alias(**update_words).filter(update_matched))
        return pledges.alias(**words).filter(matched | names)
    every_word, every_word_of_an_update = Q(), Q()
    for word in q.split():
        one, one_of_an_update = Q(), Q()
        # SQLite folds the case of ASCII letters only: a Cyrillic stem is tried as written and
        # capitalised (астан, Астан).
        for candidate, stem in itertools.product(languages, dict.fromkeys([_stem(word), _stem(word).capitalize()])):
            for name in SEARCHED_TEXT:
                one |= Q(**{f"{field_in(name, candidate)}__icontains": stem})
            for name in UPDATE_SEARCHED_TEXT:
                one_of_an_update |= Q(**{f"{field_in(name, candidate)}__icontains": stem})
        every_word &= one
        every_word_of_an_update &= one_of_an_update
    names |= _pledges_of(updates.filter(every_word_of_an_update))
    return pledges.filter(every_word | names)


# Up to this many pledges found by their updates are named by key, so the pledges' own words
# are still read from their index (an OR with a subquery made PostgreSQL scan every pledge).
UPDATE_MATCHES_BY_KEY = 10_000


def _pledges_of(updates):
    keys = list(updates.values_list("pledge_id", flat=True).distinct()[: UPDATE_MATCHES_BY_KEY + 1])
    if len(keys) > UPDATE_MATCHES_BY_KEY:  # a word in most updates: a scan is the cheaper plan anyway
        return Q(pk__in=updates.values("pledge_id"))
    return Q(pk__in=keys)


def _every_word_in(q, names, language):
    """Every word of `q` written as is in one of the texts `names` in `language`."""
    every_word = Q()
    for word in q.split():
        one = Q()
        for name in names:
            one |= Q(**{f"{field_in(name, language)}__contains": word})
        every_word &= one
    return every_word


def _stem_prefixes(q):
    """`q`'s words as a raw tsquery of prefixes ("Астана" -> "Астана:*"): letters and digits
    only, so nothing a reader types is read as tsquery syntax."""
    return " & ".join(f"{word}:*" for word in re.findall(r"\w+", q) if not word.startswith("_"))


# The endings a crude stem drops, longest first: English plurals, and Russian case endings
# (Астана, Астане -> астан; дороги, дороге -> дорог).
_ENDINGS = (
    *("ies", "y", "es", "s"),
    *("ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими", "ах", "ях", "ов", "ев", "ой", "ей", "ом", "ем"),
    *("ый", "ий", "ая", "яя", "ое", "ее", "ые", "ие", "ую", "юю", "а", "я", "о", "е", "ы", "и", "у", "ю", "ь", "й"),
)


def _stem(word):
    """A crude stem for the fallback search: cities -> cit, bridges -> bridge, Астана -> астан."""
    word = word.strip(".,;:!?\"'()«»").lower()
    for ending in _ENDINGS:
        if len(word) > len(ending) + 2 and word.endswith(ending):
            return word[: -len(ending)]
    return word
