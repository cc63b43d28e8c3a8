"""Rules a value keeps wherever it is written: dates within range, printable text, one party."""

import re
from datetime import date
from urllib.parse import urlsplit, urlunsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The dates a record may hold. A far-off date is a typo (9999-12-31 for 2029-12-31), and dates
# near the ends of Python's range break the arithmetic that calendars and reminders do with them
# (a day after 9999-12-31 does not exist). The database, the forms and the importer all hold to it.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


def date_range_error(value):
    """Why `value` is not a date a record may hold, or None when it is (or is empty)."""
    if value is None or EARLIEST_DATE <= value <= LATEST_DATE:
        return None
    return _("%(date)s is outside the dates this tracker holds (%(earliest)s to %(latest)s).") % {
        "date": value.isoformat(),
        "earliest": EARLIEST_DATE.isoformat(),
        "latest": LATEST_DATE.isoformat(),
    }


def validate_date_in_range(value):
    """Field validator: the date is between EARLIEST_DATE and LATEST_DATE."""
    message = date_range_error(value)
    if message:
        raise ValidationError(message, code="date_out_of_range")


def dates_in_range_constraint(name, *fields):
    """The database's copy of `validate_date_in_range`, for every date column of a model."""
    condition = Q()
    for field_name in fields:
        condition &= Q(**{f"{field_name}__isnull": True}) | Q(**{f"{field_name}__range": (EARLIEST_DATE, LATEST_DATE)})
    return models.CheckConstraint(condition=condition, name=name)


# Characters no document can show: C0 controls other than tab and line breaks, and the two
# non-characters. XML (the Atom feeds) cannot even carry them, so they are refused on the way in.
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def unprintable_error(text):
    """Why `text` cannot be stored (it holds a control character), or None."""
    found = UNPRINTABLE.search(text or "")
    if found is None:
        return None
    return _("contains the control character U+%(code)04X, which no page or feed can show; remove it.") % {
        "code": ord(found.group())
    }


def validate_printable(value):
    """Field validator: no control characters (see UNPRINTABLE)."""
    message = unprintable_error(value)
    if message:
        raise ValidationError(message, code="unprintable")


def single_party_error(name):
    """Why `name` is not one party's name (it holds the files' list separator), or None."""
    if "|" not in (name or ""):
        return None
    return _("holds “|”, the list separator: one party per value (%(names)s).") % {
        "names": ", ".join(part.strip() for part in name.split("|") if part.strip())
    }


def validate_single_party(value):
    """Field validator: one party, not a list of them."""
    message = single_party_error(value)
    if message:
        raise ValidationError(message, code="several_parties")


# Only web addresses: a source is something a reader can open. The database holds to the same
# rule (http_url_condition), in lower case, as browsers and Django's URL field write a scheme.
validate_http_url = URLValidator(
    schemes=["http", "https"], message=_("Enter an http:// or https:// address."), code="not_http"
)


# Path segments that name a site or a folder of it, not a document: a source a reader cannot check.
FOLDER_SEGMENTS = frozenset(
    {"index.html", "index.htm", "index.php", "default.aspx", "home", "en", "english", "ru", "zh", "cn", "news"}
    | {"archive", "archives", "page", "pages"}
)


def home_page_error(url):
    """Why an address names a site's home page or a bare archive folder rather than a document, or None.

    `https://www.globaltimes.cn/` or `https://astanatimes.com/2025/01/` tells a reader nothing they
    can check; `http://www.theasian.asia/archives/179704` is a document. An address with a query
    (`?id=123`) may name one, so it passes.
    """
    try:
        parts = urlsplit(url or "")
    except ValueError:  # "[" is no address at all: the http(s) rule says so
        return None
    segments = [segment for segment in parts.path.split("/") if segment]
    if parts.query or not parts.netloc:
        return None
    folder = parts.path.endswith("/")  # a date in a folder's path (/2025/01/) is a folder; /news/2 a page

    def names_a_folder(number, segment):
        dated = segment.isdigit() and len(segment) <= 4 and (folder or number < len(segments) - 1)
        return segment.lower() in FOLDER_SEGMENTS or dated

    if all(names_a_folder(number, segment) for number, segment in enumerate(segments)):
        return _(
            "%(url)s is a site's home page or a folder of it, not a document: give the address of the page "
            "that says it."
        ) % {"url": url}
    return None


def validate_document_url(value):
    message = home_page_error(value)
    if message:
        raise ValidationError(message, code="home_page")


def normalised_url(value):
    """An address as browsers write it: scheme and host in lower case (HTTPS://EXAMPLE.ORG/x is
    https://example.org/x), so the database's rule and every comparison see one spelling."""
    try:
        parts = urlsplit(value or "")
    except ValueError:  # not an address ("["): left as typed, for the http(s) rule to refuse
        return value
    if not parts.scheme:
        return value
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, parts.fragment))


class WebAddressFormField(forms.URLField):
    """An address typed into a form, stored as `normalised_url` says; typed without a scheme, it is
    https (the one place that says so: every address field of the admin is one of these)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalised_url(super().to_python(value))


class WebAddressField(models.URLField):
    """A source's address: http or https, a document (not a home page), scheme and host in lower case."""

    default_validators = [validate_http_url, validate_document_url]

    def to_python(self, value):
        return normalised_url(super().to_python(value))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": WebAddressFormField, **kwargs})


def http_url_condition(field_name):
    """A database condition that a URL column holds an http or https address."""
    return Q(**{f"{field_name}__startswith": "http://"}) | Q(**{f"{field_name}__startswith": "https://"})
