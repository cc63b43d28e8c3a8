"""The vocabularies editors own (countries, topics, units) and the parties and events imports name."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from pledges.models import (
    Country,
    Event,
    Party,
    Topic,
    Unit,
    every_language,
)


# Topics, units and countries are vocabularies editors own and write in each language (one tab
# per language, django-modeltranslation); imports name them but never create them.
class CountryAdmin(TranslationAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


class TopicAdmin(TranslationAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name_en",)}


class UnitAdmin(TranslationAdmin):
    list_display = ("code", "name", "kind", "currency", "written")
    list_filter = ("kind",)
    search_fields = ("code", "name")


class SideBySide:
    """Each text and its translations side by side."""

    class Media:
        css = {"all": ("pledges/admin.css",)}


# Parties and events keep no audit history of their own (their "History" is Django's admin log).
class PartyAdmin(SideBySide, admin.ModelAdmin):
    list_display = ("name", "kind", "role", "country", "speaks_for")
    list_filter = ("kind",)  # "Empty" lists the parties imports named and nobody has classified yet
    search_fields = (*every_language("name"), "role", "country__code")
    autocomplete_fields = ("country", "speaks_for")
    fields = (every_language("name"), "kind", every_language("role"), "country", "speaks_for")


class EventAdmin(SideBySide, admin.ModelAdmin):
    list_display = ("name", "held_on", "place", "slug")
    search_fields = (*every_language("name"), *every_language("place"))
    fields = (
        every_language("name"),
        "slug",
        "held_on",
        every_language("place"),
        every_language("description"),
        every_language("outcome_title"),
        "outcome_url",
    )


admin.site.register(Country, CountryAdmin)
admin.site.register(Topic, TopicAdmin)
admin.site.register(Party, PartyAdmin)
admin.site.register(Unit, UnitAdmin)
admin.site.register(Event, EventAdmin)
