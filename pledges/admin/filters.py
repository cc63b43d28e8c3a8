"""The pledge list's filters: owner, party, deadline state, review."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pledges.models import (
    MISSING_IN,
    OTHER_LANGUAGES,
    DeadlineState,
    Event,
    Party,
    Pledge,
    shown,
)


class OwnerFilter(admin.SimpleListFilter):
    """By owner, with "Mine" first: the view an editor starts the day with."""

    title = _("owner")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        others = (
            get_user_model()
            .objects.filter(owned_pledges__isnull=False)
            .exclude(pk=request.user.pk)
            .distinct()
            .order_by("username")
        )
        return [("mine", _("Mine")), ("nobody", _("Nobody"))] + [(str(user.pk), str(user)) for user in others]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(owner=request.user)
        if self.value() == "nobody":
            return queryset.filter(owner__isnull=True)
        if self.value() and self.value().isdigit():
            return queryset.filter(owner_id=int(self.value()))
        return queryset


class NamedPartyFilter(admin.RelatedFieldListFilter):
    """The parties some pledge names in this role (pledging, or benefiting), each found by one
    index probe of the link table. Django's RelatedOnlyFieldListFilter reads every pledge to find
    them: 1.7 s of a 2.8 s list at 1,000,000 pledges (bench/RESULTS.md)."""

    def field_choices(self, field, request, model_admin):
        named = field.remote_field.through.objects.filter(party=OuterRef("pk"))
        # In the editor's language: a state by its country's name (Казахстан), a person by theirs.
        parties = Party.objects.filter(Exists(named)).select_related("country").order_by("name")
        return [(party.pk, str(party.shown_name)) for party in parties]


class NamedEventFilter(admin.RelatedFieldListFilter):
    """The events some pledge was made at (as the public overview's filter), each found by one
    index probe, named in the editor's language."""

    def field_choices(self, field, request, model_admin):
        events = Event.objects.filter(Exists(Pledge.objects.filter(event=OuterRef("pk")))).order_by("-held_on", "name")
        return [(event.pk, str(shown(event, "name"))) for event in events]


class DeadlineStateFilter(admin.SimpleListFilter):
    title = _("deadline state")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return DeadlineState.choices

    def queryset(self, request, queryset):
        if self.value() in DeadlineState.values:
            return queryset.in_deadline_state(self.value())
        return queryset


class MissingLanguageFilter(admin.SimpleListFilter):
    """Pledges with a text (theirs or an update's) not yet written in a language."""

    title = _("translation")
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [(language, MISSING_IN[language]) for language in OTHER_LANGUAGES]

    def queryset(self, request, queryset):
        if self.value() in OTHER_LANGUAGES:
            return queryset.missing_language(self.value())
        return queryset


class NeedsReviewFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        days = settings.PLEDGES_REVIEW_INTERVAL_DAYS
        return [
            (
                "needed",
                ngettext("Not reviewed for %(days)d day", "Not reviewed for %(days)d days", days) % {"days": days},
            )
        ]

    def queryset(self, request, queryset):
        return queryset.needing_review() if self.value() == "needed" else queryset
