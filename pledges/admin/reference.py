"""The vocabularies editors own (countries, topics, units) and the parties and events imports name."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from pledges.models import (
    Country,
    Event,
    Party,
    Topic,
    Unit,
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


# Parties and events keep no audit history of their own (their "History" is Django's admin log).
class PartyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "role", "country", "speaks_for")
    list_filter = ("kind",)  # "Empty" lists the parties imports named and nobody has classified yet
    search_fields = ("name", "role", "country__code")
    autocomplete_fields = ("country", "speaks_for")


class EventAdmin(admin.ModelAdmin):
    list_display = ("name", "held_on", "place", "slug")
    search_fields = ("name", "place")
    fields = ("name", "slug", "held_on", "place", "description")


admin.site.register(Country, CountryAdmin)
admin.site.register(Topic, TopicAdmin)
admin.site.register(Party, PartyAdmin)
admin.site.register(Unit, UnitAdmin)
admin.site.register(Event, EventAdmin)
