"""The words editors write in each language (django-modeltranslation): the site's name and
standfirst, a topic's, a unit's (and how an amount in it is written) and a country's name. Each
field reads the active language's, falling back to English."""

from modeltranslation.translator import TranslationOptions, register

from pledges.models import Country, SiteText, Topic, Unit


@register(Topic)
class TopicTranslation(TranslationOptions):
    fields = ("name",)


@register(Unit)
class UnitTranslation(TranslationOptions):
    fields = ("name", "written")


@register(Country)
class CountryTranslation(TranslationOptions):
    fields = ("name",)


@register(SiteText)
class SiteTextTranslation(TranslationOptions):
    fields = ("name", "standfirst")
