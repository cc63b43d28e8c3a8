"""What the pledge page holds inline: its targets, and its progress updates with their first source."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from pledges.admin.forms import TargetForm
from pledges.admin.update_forms import ProgressUpdateInlineForm, ProgressUpdateInlineFormSet
from pledges.models import (
    ProgressUpdate,
    Target,
    every_language,
)


class TargetInline(admin.StackedInline):
    """A pledge's quantitative targets: the first is the one the overview shows. Stacked, so a
    target's label and steps stand beside their translations within the page's width."""

    model = Target
    form = TargetForm
    fields = (
        ("position", "kind", "unit"),
        every_language("label"),
        ("value_qualifier", "target_value", "baseline_value", "baseline_on"),
        every_language("milestones"),
    )
    extra = 0
    verbose_name = _("quantitative target")
    verbose_name_plural = _("quantitative targets")


class PublishedUpdatesInline(admin.TabularInline):
    """The pledge's published updates, read only, each with all its sources and a link to correct it.

    A published update is evidence readers rely on: it is corrected on its own page, with a note
    readers see, never typed over here (typing into the first form once overwrote the published
    2025 trade figure without a word).
    """

    model = ProgressUpdate
    template = "admin/pledges/progressupdate/published_list.html"
    fields = ("occurred_on",)  # the template shows the whole update
    extra = 0
    can_delete = False
    verbose_name = _("published progress update")
    verbose_name_plural = _("published progress updates")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(is_published=True)
            .select_related("target__unit", "measurement_country")
            .prefetch_related("sources")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProgressUpdateInline(admin.StackedInline):
    model = ProgressUpdate
    template = "admin/pledges/progressupdate/stacked_new_first.html"  # the blank update first, not 3,500 px down
    form = ProgressUpdateInlineForm
    formset = ProgressUpdateInlineFormSet
    fields = (
        ("occurred_on", "is_published", "new_verdict"),
        every_language("summary"),
        every_language("ruling"),
        ("measurement_qualifier", "measurement_value", "target", "measurement_country"),
        "milestone",
        "confirm_jump",
        ("measured_precision", "measured_start", "measured_end"),
        ("source_url", "source_title"),
        ("source_publisher", "source_published_on", "source_grade"),
        "version",
    )
    autocomplete_fields = ("measurement_country",)
    readonly_fields = ("cited",)  # shown to readers in place of the source fields
    show_change_link = True
    extra = 1
    verbose_name = _("progress update")
    verbose_name_plural = _("new and draft progress updates")

    def get_queryset(self, request):
        # Drafts only: published updates are listed read only (PublishedUpdatesInline).
        return (
            super()
            .get_queryset(request)
            .filter(is_published=False)
            .select_related("measurement_country", "target")
            .prefetch_related("sources")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "target":  # the targets of the pledge on this page
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = (
                Target.objects.filter(pledge_id=object_id).select_related("unit")
                if object_id
                else Target.objects.none()
            )
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            # Read once for the page: a model choice field queries again for every update's row.
            field.choices = list(field.choices)
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.fields
        return (
            "occurred_on",
            "is_published",
            "new_verdict",
            *every_language("summary"),
            *every_language("ruling"),
            "measurement_qualifier",
            "measurement_value",
            "target",
            "measurement_country",
            "milestone",
            "measured_precision",
            "measured_start",
            "measured_end",
            "cited",
        )

    @admin.display(description=_("Sources"))
    def cited(self, update):
        return format_html_join(", ", '<a href="{}">{}</a>', ((s.url, s.title) for s in update.sources.all()))
