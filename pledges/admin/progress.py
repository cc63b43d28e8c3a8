"""Progress updates on their own page, with their sources."""

from django.contrib import admin, messages
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from pledges.admin.base import URL_FIELDS, AuditedAdmin, MeasurementPreviewMixin
from pledges.admin.forms import PreciseDatesForm, reverted_version
from pledges.admin.update_forms import ProgressUpdateAdminForm, SourcesFormSet
from pledges.files.admin import FileImportExportMixin
from pledges.files.layouts import ProgressUpdateResource
from pledges.models import (
    LANGUAGES,
    WORKING_LANGUAGE,
    ProgressUpdate,
    Source,
    every_language,
    field_in,
)
from pledges.services import pledges_refresh_verdicts, update_sources_at, update_sources_restore


class SourceForm(PreciseDatesForm):
    precise_dates = {"published_on": "published_precision"}

    class Meta:
        model = Source
        fields = "__all__"


class SourceInline(admin.TabularInline):
    model = Source
    form = SourceForm
    formset = SourcesFormSet
    formfield_overrides = URL_FIELDS
    extra = 1
    min_num = 1
    max_num = 3
    validate_min = True
    fields = ("position", "url", "title", "publisher", "published_on", "grade", "archived_url", "link_state")
    readonly_fields = ("link_state",)

    @admin.display(description=_("Link check"))
    def link_state(self, source):
        return link_state(source)

    def get_formset(self, request, obj=None, **kwargs):
        # An update is evidence only with a source: deleting the last one is refused. (The admin
        # passes min_num to the formset but not validate_min, so without this it is not checked.)
        return super().get_formset(request, obj, validate_min=True, **kwargs)


def link_state(source):
    """What the last link check found, in words: not yet checked, answering, or broken since when."""
    if source is None or source.link_checked_at is None:
        return _("not checked yet")
    if source.broken_since is None:
        return _("answers (%(status)s)") % {"status": source.link_status}
    when = formats.date_format(timezone.localtime(source.broken_since), "DATE_FORMAT")
    what = source.link_error or source.link_status
    return _("broken since %(date)s: %(what)s") % {"date": when, "what": what}


class BrokenLinkFilter(admin.SimpleListFilter):
    title = _("link")
    parameter_name = "link"

    def lookups(self, request, model_admin):
        return [("broken", _("broken")), ("unchecked", _("not checked yet"))]

    def queryset(self, request, queryset):
        if self.value() == "broken":
            return queryset.filter(broken_since__isnull=False)
        if self.value() == "unchecked":
            return queryset.filter(link_checked_at__isnull=True)
        return queryset


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    """Every source an update cites, with what the periodic link check found (Sources → broken)."""

    list_display = ("title", "publisher", "url", "update", "link_status_words", "broken_since")
    list_filter = (BrokenLinkFilter,)
    list_select_related = ("update__pledge",)
    search_fields = ("title", "publisher", "url")
    ordering = ("-broken_since", "pk")
    show_full_result_count = False

    @admin.display(description=_("Link check"))
    def link_status_words(self, source):
        return link_state(source)

    def has_add_permission(self, request):
        return False  # a source is added on its update's page

    def has_change_permission(self, request, obj=None):
        return False  # and corrected there, with a note

    # Not deleted from this list either (no bulk action); deleting an update or a pledge still
    # deletes its sources, which the admin checks against this model's delete permission.
    actions = None


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(MeasurementPreviewMixin, FileImportExportMixin, AuditedAdmin):
    resource_classes = [ProgressUpdateResource]
    change_form_template = "admin/pledges/progressupdate/change_form.html"
    object_history_form_template = "admin/pledges/progressupdate/object_history_form.html"
    form = ProgressUpdateAdminForm
    list_display = ("pledge", "date", "new_verdict", "measurement_value", "measurement_country", "is_published")

    @admin.display(description=_("date"), ordering="occurred_on")
    def date(self, update):
        return update.occurred.text()

    list_filter = ("is_published", "new_verdict")
    list_select_related = ("pledge", "measurement_country")
    search_fields = ("summary", "pledge__title", "sources__title")
    show_full_result_count = False
    autocomplete_fields = ("pledge", "measurement_country")
    inlines = [SourceInline]
    actions = ["export_admin_action"]
    fields = (
        "pledge",
        "key",
        "occurred_on",
        every_language("summary"),
        "new_verdict",
        every_language("ruling"),
        ("measurement_qualifier", "measurement_value", "target", "measurement_country"),
        "milestone",
        "confirm_jump",
        ("measured_precision", "measured_start", "measured_end"),
        "is_published",
        every_language("correction"),
        "minor",
        "last_correction",
        "version",
    )
    readonly_fields = ("last_correction",)

    @admin.display(description=_("Last correction"))
    def last_correction(self, update):
        if not update.corrected_at:
            return "—"
        return (
            f"{formats.date_format(timezone.localtime(update.corrected_at), 'DATE_FORMAT')}: {update.correction_note}"
        )

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method == "POST":  # the page's note covers a change to the sources too
            kwargs["correction"] = request.POST.get("correction", "").strip()
            kwargs["minor"] = bool(request.POST.get("minor"))
        return kwargs

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        numbers = str(object_id).isdigit() and str(version_id).isdigit()  # else the base view's 404
        version = self.model.history.filter(history_id=version_id, id=object_id).first() if numbers else None
        if version is not None:  # the sources that version cited come back with it: show them
            extra_context = {
                **(extra_context or {}),
                "restored_sources": update_sources_at(update=version.instance, at=version.history_date),
            }
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        # The note in each language: correction, correction_ru, correction_zh_hans.
        notes = {
            language: (form.cleaned_data.get(field_in("correction", language)) or "").strip() for language in LANGUAGES
        }
        version = reverted_version(obj)
        if version is not None and ProgressUpdate.objects.filter(pk=obj.pk, is_published=True).exists():
            # Reverting a published update is a correction readers see, like any other.
            for language in LANGUAGES if not notes[WORKING_LANGUAGE] else ():
                with translation.override(language):
                    when = formats.date_format(timezone.localtime(version.history_date), "DATE_FORMAT")
                    notes[language] = _("Restored as it was on %(date)s.") % {"date": when}
        if change and notes[WORKING_LANGUAGE]:
            for language, note in notes.items():
                setattr(obj, field_in("correction_note", language), note)
            obj.corrected_at = timezone.now()
        elif change and form.cleaned_data.get("minor"):
            obj._change_reason = "Minor fix, not announced"
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pledges_refresh_verdicts({form.instance.pledge_id}, user=request.user, reason="Progress update saved")
        if not form.instance.is_published:
            self.message_user(
                request, _("Saved as a draft: not public. Tick “Is published” to show it."), messages.WARNING
            )

    def after_revert(self, request, obj, version):
        update_sources_restore(update=obj, at=version.history_date, user=request.user)
        pledges_refresh_verdicts({obj.pledge_id}, user=request.user, reason="Progress update reverted")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pledges_refresh_verdicts({obj.pledge_id}, user=request.user, reason="Progress update deleted")

    def delete_queryset(self, request, queryset):
        pledge_ids = set(queryset.values_list("pledge_id", flat=True))
        super().delete_queryset(request, queryset)
        pledges_refresh_verdicts(pledge_ids, user=request.user, reason="Progress updates deleted")
