"""The names editors write in each language (django-modeltranslation): a topic's, a unit's (and
how an amount in it is written) and a country's. `name` reads the active language's, falling
back to English."""

from modeltranslation.translator import TranslationOptions, register

from .models import Country, Topic, Unit


@register(Topic)
class TopicTranslation(TranslationOptions):
    fields = ("name",)


@register(Unit)
class UnitTranslation(TranslationOptions):
    fields = ("name", "written")


@register(Country)
class CountryTranslation(TranslationOptions):
    fields = ("name",)
