"""The editors' workplace: pledges, progress updates with their sources, and file import/export."""

import tempfile

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from simple_history.admin import SimpleHistoryAdmin

from . import exporters, importers
from .forms import ImportForm
from .models import Actor, Country, Event, Pledge, ProgressUpdate, Source, Topic
from .services import pledges_refresh_verdicts
from .tables import ImportRejected, decode

IMPORT_PERMISSION = "pledges.import_pledges"


class FileImportExportMixin:
    """Adds "Import" (upload, preview, confirm) and "Export" to a model's admin.

    The upload goes through the same importer as the command line and the seeds; between
    preview and confirm the file waits in the editor's session, and the confirm applies it only
    if it would still make exactly the changes previewed.
    """

    change_list_template = "admin/pledges/change_list_with_files.html"
    import_function = None  # importers.import_pledges or importers.import_updates
    export_function = None

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name=f"{name}_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name=f"{name}_export"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": request.user.has_perm(IMPORT_PERMISSION)}
        return super().changelist_view(request, extra_context=extra_context)

    def import_view(self, request):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        opts = self.model._meta
        context = {**self.admin_site.each_context(request), "opts": opts, "title": f"Import {opts.verbose_name_plural}"}
        session_key = f"pending-import-{opts.model_name}"
        if request.method == "POST" and "confirm" in request.POST:
            pending = request.session.get(session_key)
            if not pending or pending["token"] != request.POST.get("token"):
                messages.error(request, "That preview has expired; choose the file again.")
                return redirect(request.path)
            try:
                report = type(self).import_function(
                    pending["text"],
                    user=request.user,
                    reason=f"Imported from {pending['name']}",
                    expected_fingerprint=pending["fingerprint"],
                )
            except ImportRejected as rejected:
                context.update(form=ImportForm(), errors=rejected.errors)
                return TemplateResponse(request, "admin/pledges/import.html", context)
            finally:
                request.session.pop(session_key, None)
            messages.success(request, report.summary)
            return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                text = _uploaded_text(upload)
                report = type(self).import_function(text, user=request.user, dry_run=True)
            except ImportRejected as rejected:
                context.update(form=form, errors=rejected.errors)
                return TemplateResponse(request, "admin/pledges/import.html", context)
            token = get_random_string(24)
            request.session[session_key] = {
                "token": token,
                "text": text,
                "name": upload.name,
                "fingerprint": report.fingerprint,
            }
            context.update(report=report, token=token, file_name=upload.name)
            return TemplateResponse(request, "admin/pledges/import_preview.html", context)
        context["form"] = form
        return TemplateResponse(request, "admin/pledges/import.html", context)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._export_response(self.get_queryset(request), request.GET.get("format", "csv"))

    @admin.action(description="Export selected as CSV")
    def export_selected(self, request, queryset):
        return self._export_response(queryset, "csv")

    def _export_response(self, queryset, file_format):
        if file_format not in exporters.FORMATS:
            file_format = "csv"
        # A temporary file keeps memory flat for large exports; it spills to disk past 1 MB.
        spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
        type(self).export_function(spool, queryset, file_format)
        spool.seek(0)
        stamp = timezone.localdate().isoformat()
        return FileResponse(
            spool, as_attachment=True, filename=f"{self.model._meta.verbose_name_plural}-{stamp}.{file_format}".replace(" ", "-")
        )


def _uploaded_text(upload):
    return decode(upload.read())


class CountryAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class ActorAdmin(SimpleHistoryAdmin):
    list_display = ("name", "role")
    search_fields = ("name", "role")


class EventAdmin(SimpleHistoryAdmin):
    list_display = ("name", "held_on")
    search_fields = ("name",)


class ProgressUpdateInline(admin.TabularInline):
    model = ProgressUpdate
    fields = ("occurred_on", "summary", "new_verdict", "measurement_value", "measurement_country", "is_published")
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Updates need sources, which are added on the update's own page.
        return False


@admin.register(Pledge)
class PledgeAdmin(FileImportExportMixin, SimpleHistoryAdmin):
    import_function = staticmethod(importers.import_pledges)
    export_function = staticmethod(exporters.export_pledges)
    list_display = ("title", "verdict", "deadline_text", "deadline_end", "owner", "is_published", "last_reviewed_on")
    list_filter = ("verdict", "is_published", "topic", "beneficiaries")
    list_select_related = ("owner",)
    search_fields = ("title", "quote", "summary", "source_title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("actor", "event", "owner", "beneficiaries")
    readonly_fields = ("verdict", "deadline_state_now")
    inlines = [ProgressUpdateInline]
    actions = ["export_selected"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "actor", "beneficiaries", "event", "announced_on", "topic")}),
        ("Words", {"fields": ("quote", "summary")}),
        ("Source document", {"fields": ("source_title", "source_publisher", "source_url", "source_published_on")}),
        ("Deadline", {"fields": ("deadline_text", "deadline_precision", "deadline_start", "deadline_end", "deadline_state_now")}),
        ("Verdict", {"fields": ("verdict",), "description": "Set by the newest published progress update that gives one."}),
        ("Quantitative target", {"fields": ("target_unit", "baseline_value", "baseline_on", "target_value")}),
        ("Editorial", {"fields": ("owner", "is_published", "last_reviewed_on")}),
    )

    def save_model(self, request, obj, form, change):
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.display(description="Deadline state")
    def deadline_state_now(self, obj):
        return obj.deadline_state().label if obj.pk else "-"


class SourceInline(admin.TabularInline):
    model = Source
    extra = 1
    min_num = 1
    max_num = 3
    validate_min = True
    fields = ("position", "url", "title", "publisher", "published_on")


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(FileImportExportMixin, SimpleHistoryAdmin):
    import_function = staticmethod(importers.import_updates)
    export_function = staticmethod(exporters.export_updates)
    list_display = ("pledge", "occurred_on", "new_verdict", "measurement_value", "is_published")
    list_filter = ("is_published", "new_verdict")
    list_select_related = ("pledge",)
    search_fields = ("summary", "pledge__title", "sources__title")
    autocomplete_fields = ("pledge", "measurement_country")
    inlines = [SourceInline]
    actions = ["export_selected"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pledges_refresh_verdicts({form.instance.pledge_id}, user=request.user, reason="Progress update saved")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pledges_refresh_verdicts({obj.pledge_id}, user=request.user, reason="Progress update deleted")

    def delete_queryset(self, request, queryset):
        pledge_ids = set(queryset.values_list("pledge_id", flat=True))
        super().delete_queryset(request, queryset)
        pledges_refresh_verdicts(pledge_ids, user=request.user, reason="Progress updates deleted")


admin.site.register(Country, CountryAdmin)
admin.site.register(Topic, TopicAdmin)
admin.site.register(Actor, ActorAdmin)
admin.site.register(Event, EventAdmin)
admin.site.site_header = "Pledge tracker"
admin.site.site_title = "Pledge tracker"

