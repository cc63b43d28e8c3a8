"""File import and export in the admin: django-import-export's own views, on our resources.

The library gives the upload form with its format choice, the preview and confirm pages, the
export form and the "Export selected" action; permissions follow its settings
(IMPORT_EXPORT_IMPORT_PERMISSION_CODE, IMPORT_EXPORT_EXPORT_PERMISSION_CODE). What is added:
the preview is the resource's plan in full text; the confirm carries the preview's fingerprint
and is refused if the rows changed meanwhile; a rejected file lists every error by row and
column; spreadsheet exports neutralise formulas in a way that imports back unchanged.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from import_export.admin import ExportActionMixin, ImportMixin
from import_export.forms import ConfirmImportForm, ImportForm, SelectableFieldsExportForm
from import_export.tmp_storages import CacheStorage

from config.middleware import request_id
from pledges.files.errors import ImportRejected
from pledges.files.formats import FORMATS, SPREADSHEETS, WORKBOOKS
from pledges.files.jobs import RESOURCES, end_dead_jobs, goes_to_background, import_job_confirm, import_job_start
from pledges.models import ImportJob


class UploadStorage(CacheStorage):
    """Where an upload waits between the preview and the confirm: the cache, shared by every web
    process, for PLEDGES_IMPORT_CONFIRM_SECONDS (the library keeps it a day). A refused upload is
    removed at once (`_import_page`), a confirmed one by the library."""

    @property
    def CACHE_LIFETIME(self):
        return settings.PLEDGES_IMPORT_CONFIRM_SECONDS


class BoundedImportForm(ImportForm):
    """The library's upload form, refusing a file over PLEDGES_IMPORT_MAX_BYTES before reading it."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.PLEDGES_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; the most is {settings.PLEDGES_IMPORT_MAX_BYTES:,}."
            )
        return upload


class CsvFirstExportForm(SelectableFieldsExportForm):
    """The library's export form with CSV, the first format, chosen to begin with."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.initial.setdefault("format", "0")


class ConfirmImportWithFingerprintForm(ConfirmImportForm):
    """The library's confirm form, with the digest of the changes the editor was shown."""

    fingerprint = forms.CharField(widget=forms.HiddenInput)


class FileImportExportMixin(ImportMixin, ExportActionMixin):
    """The library's import and export views and its "Export selected" action (as its own
    ImportExportActionModelAdmin combines them), on a layout's resource."""

    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
    formats = FORMATS
    import_form_class = BoundedImportForm
    export_form_class = CsvFirstExportForm
    confirm_form_class = ConfirmImportWithFingerprintForm
    import_template_name = "admin/pledges/import.html"

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "import/jobs/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name=f"{opts.app_label}_{opts.model_name}_import_job",
            ),
        ] + super().get_urls()

    def import_action(self, request, **kwargs):
        """The library's import page; a file over the background threshold goes to a worker."""
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid():
                upload = form.cleaned_data["import_file"]
                file_format = self.get_import_formats()[int(form.cleaned_data["format"])].__name__.lower()
                data = b"".join(upload.chunks())
                if goes_to_background(data, file_format):
                    layout = next(name for name, resource in RESOURCES.items() if resource in self.resource_classes)
                    job = import_job_start(
                        user=request.user, layout=layout, file_name=upload.name, file_format=file_format, data=data
                    )
                    return redirect(self._job_url(job))
        response = self._import_page(request, **kwargs)
        return response

    def _job_url(self, job):
        opts = self.model._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_import_job", args=[job.pk], current_app=self.admin_site.name
        )

    def import_job_view(self, request, job_id):
        """A background import: its progress, then its preview and Confirm, then its result."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        end_dead_jobs()  # a job whose worker died says so, rather than "Checking the file" for ever
        job = get_object_or_404(ImportJob, pk=job_id, user=request.user)  # an editor's own imports
        if request.method == "POST" and "confirm" in request.POST:
            import_job_confirm(job)
            return redirect(request.path)
        history = self._history_links(job)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "job": job,
            "title": f"Import of {job.file_name}",
            "rows": [{**row, "history_url": history.get(row["key"])} for row in job.outcome.get("rows", [])],
        }
        return TemplateResponse(request, "admin/pledges/import_job.html", context)

    def _history_links(self, job):
        """Each listed row's record history, once the job has written it."""
        if job.status != ImportJob.Status.DONE:
            return {}
        opts = self.model._meta
        keys = [row["key"] for row in job.outcome.get("rows", [])]
        if job.layout == ImportJob.Layout.PLEDGES:
            pks = dict(self.model.objects.filter(slug__in=keys).values_list("slug", "pk"))
        else:
            pairs = [key.split("/", 1) for key in keys if "/" in key]
            found = self.model.objects.filter(pledge__slug__in={p for p, _k in pairs}, key__in={k for _p, k in pairs})
            pks = {f"{slug}/{key}": pk for slug, key, pk in found.values_list("pledge__slug", "key", "pk")}
        return {key: reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[pk]) for key, pk in pks.items()}

    def get_import_form_initial(self, request):
        return {**super().get_import_form_initial(request), "format": "0"}  # CSV, unless the file's name says

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.get("form")
        data_kwargs = super().get_import_data_kwargs(**kwargs)
        data_kwargs.pop("request", None)
        if isinstance(form, ConfirmImportWithFingerprintForm):
            data_kwargs["expected_fingerprint"] = form.cleaned_data["fingerprint"]
        return data_kwargs

    def _import_page(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        confirm_form, result = context.get("confirm_form"), context.get("result")
        # The library names the stored copy on the uploaded file (the form's errors drop it from
        # cleaned_data when the file cannot be read).
        upload = getattr(getattr(context.get("form"), "files", {}).get("import_file"), "tmp_storage_name", None)
        if confirm_form is None and upload:  # refused: nothing will confirm it, so nothing keeps it
            self.get_tmp_storage_class()(name=upload, **self.get_tmp_storage_class_kwargs()).remove()
        context["request_id"] = request_id.get()  # a server fault's page names its log lines
        if confirm_form is not None and result is not None and result.report is not None:
            # The page is rendered after this: the confirm carries what the preview shows.
            confirm_form.initial["fingerprint"] = result.report.fingerprint
        return response

    def process_result(self, result, request):
        if result.has_errors():  # the library would say "Import finished" whatever happened
            form = self.get_import_form_class(request)(
                self.get_import_formats(), self.get_import_resource_classes(request)
            )
            context = {
                **self.admin_site.each_context(request),
                "title": "Import",
                "opts": self.model._meta,
                "form": form,
                "result": result,
                "media": self.media + form.media,
                "request_id": request_id.get(),
            }
            return TemplateResponse(request, [self.import_template_name], context)
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        for warning in result.report.warnings:
            messages.warning(request, str(warning))
        messages.success(request, f"{result.report.summary}.")

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportRejected):  # the file itself (its bytes, its CSV) cannot be read
            for line in [str(error) for error in e.errors] + ([e.more] if e.more else []):
                form.add_error("import_file", line)
            return
        super().add_data_read_fail_error_to_form(form, e)

    def get_export_filename(self, request, queryset, file_format):
        name = str(self.model._meta.verbose_name_plural).replace(" ", "-")
        return f"{name}-{timezone.localdate().isoformat()}.{file_format.get_extension()}"

    def get_export_data(self, file_format, request, queryset, **kwargs):
        kwargs["neutralise_formulas"] = type(file_format) in SPREADSHEETS
        kwargs["typed"] = type(file_format) in WORKBOOKS
        return super().get_export_data(file_format, request, queryset, **kwargs)
