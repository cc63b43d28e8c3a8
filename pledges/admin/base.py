"""What the record's admin pages share: the audited base with edit conflicts, one-row pages, typed measurements."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from pledges.admin.amounts import preview_data
from pledges.admin.forms import reverted_version
from pledges.models import Pledge, WebAddressFormField
from pledges.services.history import delta as history_delta
from pledges.services.history import describe_change
from pledges.templatetags.admin_errors import error_summary


class OneRowAdmin:
    """An admin page for one row: its list goes straight to that row (`row(request)`), and
    nobody adds or deletes one."""

    def row(self, request):
        raise NotImplementedError

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.row(request).pk])
        )


# Django 6's default already: an address typed without a scheme is taken as https.
URL_FIELDS: dict[type[models.Field], dict[str, type]] = {models.URLField: {"form_class": WebAddressFormField}}


class MeasurementPreviewMixin:
    """Pages with an update's measurement field: the preview script and what it needs (the units
    of the pledge's targets, their last values, the scale words; see pledges.admin.amounts)."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        pledge = obj if isinstance(obj, Pledge) else getattr(obj, "pledge", None)
        targets = pledge.targets.select_related("unit") if pledge is not None and pledge.pk else []
        context["measurement_preview"] = preview_data(targets)
        # A refused save: every error once, in one box at the top, each a link to its field
        # (admin/pledges/_error_summary.html). Django's own box below it ("Please correct the
        # errors below.") and its second copy of the form's non-field errors are not shown.
        if context.get("errors"):
            context["problems"] = error_summary(context["adminform"], context.get("inline_admin_formsets", []))
            context["errors"] = None
        return super().render_change_form(request, context, add, change, form_url, obj)

    @property
    def media(self):
        return super().media + forms.Media(js=["pledges/measurement.js"], css={"all": ["pledges/admin.css"]})


# Form fields that are not the record's own: its version, and the verdict that updates set.
FORM_ONLY_FIELDS = frozenset({"version", "verdict", "confirm_jump", "minor"})


class AuditedAdmin(SimpleHistoryAdmin):
    """An admin with a field-by-field history page, reverts that are recorded, and versioned saves.

    Its form must be a `VersionedForm`; the change and revert views run in one transaction, so
    the form's row lock holds until the save commits.
    """

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # simple-history's own diff skips fields an editor cannot type (the verdict); ours shows them.
        records = list(historical_records)
        for newer, older in zip(records, records[1:]):
            newer.history_delta_changes = [
                {"field": label, "old": old, "new": new}
                for label, old, new in (describe_change(self.model, c) for c in history_delta(newer, older))
            ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets
        # A reader sees the record, not the form's bookkeeping.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "version"]})
            for name, options in fieldsets
        ]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history lets anyone who may view the history post a revert; only editors may.
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        if not (str(object_id).isdigit() and str(version_id).isdigit()):
            raise Http404("No such version.")  # simple-history finds the version by both, or 404
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        version = reverted_version(obj)
        if version is not None:
            obj._change_reason = f"Reverted to the version of {timezone.localtime(version.history_date):%Y-%m-%d %H:%M}"
        elif change and not set(form.changed_data) - FORM_ONLY_FIELDS:
            return  # Nothing of the record itself changed: no empty history entry.
        super().save_model(request, obj, form, change)
        if version is not None:
            self.after_revert(request, obj, version)

    def after_revert(self, request, obj, version):
        """Bring what depends on a reverted record back in line with it."""
