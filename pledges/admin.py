"""The editors' workplace: pledges, progress updates with their sources, and file import/export."""

from django.conf import settings
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ORDER_VAR
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.paginator import Paginator
from django.db import connection, models, router, transaction
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.utils.html import format_html, format_html_join
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _, ngettext
from simple_history.admin import SimpleHistoryAdmin
from modeltranslation.admin import TranslationAdmin

from .amounts import preview_data
from .files.admin import FileImportExportMixin
from .files.layouts import PledgeResource, ProgressUpdateResource
from .forms import (
    AssignOwnerForm,
    PledgeAdminForm,
    ProgressUpdateAdminForm,
    ProgressUpdateInlineForm,
    ProgressUpdateInlineFormSet,
    SourcesFormSet,
)
from .history import EditConflict, describe_change, related_history, version_token
from .history import delta as history_delta
from .models import (
    SETTLED_VERDICTS,
    Country,
    DeadlineState,
    Event,
    Party,
    Pledge,
    ProgressUpdate,
    EditorSettings,
    Reminder,
    SiteText,
    Source,
    Target,
    TargetProgress,
    Topic,
    Unit,
)
from .reminders import request_sweep
from .services import pledge_revert_verdict_evidence, pledges_change, pledges_refresh_verdicts
from .templatetags.pledge_format import quantity

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
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change",
                                            args=[self.row(request).pk]))


class SiteTextAdmin(OneRowAdmin, TranslationAdmin):
    """The site's words, one row for the whole site."""

    fields = ("name", "standfirst")

    def row(self, request):
        row = SiteText.current()
        if row._state.adding:  # the row was lost (a flushed database): bring it back with the defaults
            row.save()
        return row


# Parties and events keep no audit history of their own (their "History" is Django's admin log).
class PartyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "role", "country", "speaks_for")
    list_filter = ("kind",)  # "Empty" lists the parties imports named and nobody has classified yet
    search_fields = ("name", "role", "country__code")
    autocomplete_fields = ("country", "speaks_for")


class EventAdmin(admin.ModelAdmin):
    list_display = ("name", "held_on", "place", "slug")
    search_fields = ("name", "place")
    prepopulated_fields = {"slug": ("name",)}


# Django 6's default already: an address typed without a scheme is taken as https.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class SourceInline(admin.TabularInline):
    model = Source
    formset = SourcesFormSet
    formfield_overrides = URL_FIELDS
    extra = 1
    min_num = 1
    max_num = 3
    validate_min = True
    fields = ("position", "url", "title", "publisher", "published_on", "grade")

    def get_formset(self, request, obj=None, **kwargs):
        # An update is evidence only with a source: deleting the last one is refused. (The admin
        # passes min_num to the formset but not validate_min, so without this it is not checked.)
        return super().get_formset(request, obj, validate_min=True, **kwargs)


class MeasurementPreviewMixin:
    """Pages with an update's measurement field: the preview script and what it needs (the units
    of the pledge's targets, their last values, the scale words; see pledges.amounts)."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        pledge = obj if isinstance(obj, Pledge) else getattr(obj, "pledge", None)
        targets = pledge.targets.select_related("unit") if pledge is not None and pledge.pk else []
        context["measurement_preview"] = preview_data(targets)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @property
    def media(self):
        return super().media + forms.Media(js=["pledges/measurement.js"], css={"all": ["pledges/admin.css"]})


# Form fields that are not the record's own: its version, and the verdict that updates set.
FORM_ONLY_FIELDS = frozenset({"version", "verdict", "confirm_jump"})


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
        return [(name, {**options, "fields": [f for f in options["fields"] if f != "version"]})
                for name, options in fieldsets]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history lets anyone who may view the history post a revert; only editors may.
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        if not str(version_id).isdigit() or not str(object_id).isdigit():
            raise Http404("No such version.")
        request.reverting_to = self.model.history.filter(history_id=version_id, **{self.model._meta.pk.attname: object_id}).first()
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        version = getattr(request, "reverting_to", None)
        if version is not None:
            obj._change_reason = f"Reverted to the version of {timezone.localtime(version.history_date):%Y-%m-%d %H:%M}"
        elif change and not set(form.changed_data) - FORM_ONLY_FIELDS:
            return  # Nothing of the record itself changed: no empty history entry.
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        if version is not None:
            self.after_revert(request, obj, version)

    def after_revert(self, request, obj, version):
        """Bring what depends on a reverted record back in line with it."""


class TargetInline(admin.TabularInline):
    """A pledge's quantitative targets: the first is the one the overview shows."""

    model = Target
    fields = ("position", "label", "unit", "target_value", "baseline_value", "baseline_on")
    extra = 0
    verbose_name = _("quantitative target")


class ProgressUpdateInline(admin.StackedInline):
    model = ProgressUpdate
    template = "admin/pledges/progressupdate/stacked_new_first.html"  # the blank update first, not 3,500 px down
    form = ProgressUpdateInlineForm
    formset = ProgressUpdateInlineFormSet
    fields = (
        ("occurred_on", "is_published", "new_verdict"),
        "summary",
        ("measurement_value", "target", "measurement_country"),
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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("measurement_country", "target").prefetch_related("sources")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "target":  # the targets of the pledge on this page
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = Target.objects.filter(pledge_id=object_id).select_related("unit") if object_id \
                else Target.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.fields
        return ("occurred_on", "is_published", "new_verdict", "summary", "measurement_value", "target",
                "measurement_country", "measured_precision", "measured_start", "measured_end", "cited")

    @admin.display(description=_("Sources"))
    def cited(self, update):
        return format_html_join(", ", '<a href="{}">{}</a>', ((s.url, s.title) for s in update.sources.all()))


class OwnerFilter(admin.SimpleListFilter):
    """By owner, with "Mine" first: the view an editor starts the day with."""

    title = _("owner")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        others = (
            get_user_model().objects.filter(owned_pledges__isnull=False).exclude(pk=request.user.pk)
            .distinct().order_by("username")
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
        return [(party.pk, str(party)) for party in Party.objects.filter(Exists(named)).order_by("name")]


class DeadlineStateFilter(admin.SimpleListFilter):
    title = _("deadline state")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return DeadlineState.choices

    def queryset(self, request, queryset):
        if self.value() in DeadlineState.values:
            return queryset.in_deadline_state(self.value())
        return queryset


class NeedsReviewFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("needed", f"Not reviewed for {settings.PLEDGES_REVIEW_INTERVAL_DAYS} days")]

    def queryset(self, request, queryset):
        return queryset.needing_review() if self.value() == "needed" else queryset


class EstimatedCountPaginator(Paginator):
    """A paginator that does not count every row of a very large, unfiltered table.

    On PostgreSQL an unfiltered list takes the planner's row estimate once it passes
    `exact_below` rows (counting is a full scan there); filtered lists and smaller tables are
    counted exactly.
    """

    exact_below = 100_000

    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [query.model._meta.db_table])
                row = cursor.fetchone()
            if row and row[0] >= self.exact_below:
                return row[0]
        return super().count


def open_deadline(today=None):
    """A pledge whose deadline has not passed and whose verdict is not settled."""
    return Q(deadline_end__gte=today or timezone.localdate()) & ~Q(verdict__in=SETTLED_VERDICTS)


class OpenFirstPaginator(EstimatedCountPaginator):
    """The pledge list in its own order, open deadlines first, read as two index-ordered parts.

    Sorting by "open first" is an expression of today's date that no index serves: at 1,000,000
    pledges PostgreSQL sorted every row for each page (0.9 s, bench/RESULTS.md). The open pledges
    (by deadline, then title) and then the others (the same) are each read from an index, and a
    page takes its rows from the first part, then the second.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        listed = self.object_list
        open_part = listed.filter(open_deadline()).order_by("deadline_end", "title", "pk")
        other_part = listed.exclude(open_deadline()).order_by(F("deadline_end").asc(nulls_last=True), "title", "pk")
        ids = list(open_part.values_list("pk", flat=True)[bottom:top])
        if len(ids) < top - bottom:  # the page reaches past the open part
            open_count = bottom + len(ids) if ids else open_part.count()
            ids += list(other_part.values_list("pk", flat=True)[max(bottom - open_count, 0):top - open_count])
        by_id = {pledge.pk: pledge for pledge in listed.filter(pk__in=ids).order_by()}
        return self._get_page([by_id[pk] for pk in ids if pk in by_id], number, self)


VERSION_FIELD_PREFIX = "version-"


@admin.register(Pledge)
class PledgeAdmin(MeasurementPreviewMixin, FileImportExportMixin, AuditedAdmin):
    resource_classes = [PledgeResource]
    form = PledgeAdminForm
    exclude = ("verdict",)  # The model's field is not typed; the form's own verdict field stands in.
    formfield_overrides = URL_FIELDS
    list_display = (
        "title", "verdict", "deadline", "progress", "owner", "last_update_on", "last_reviewed_on", "is_published",
    )
    list_filter = (
        "verdict",
        DeadlineStateFilter,
        "topic",
        ("parties", NamedPartyFilter),
        ("beneficiaries", NamedPartyFilter),
        OwnerFilter,
        "is_published",
        NeedsReviewFilter,
    )
    list_select_related = ("owner",)
    search_fields = ("title", "quote", "summary", "source_title", "updates__sources__title")
    # Counting every pledge on each page view is a full scan on a large table; the filtered
    # count that pagination needs is enough.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    list_per_page = 50
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("parties", "event", "owner", "beneficiaries", "follows")
    readonly_fields = ("deadline_state_now", "current_value", "progress_now", "on_track_now")
    inlines = [ProgressUpdateInline, TargetInline]
    # The export button's page (django-import-export's), with a link to add an update at the top.
    change_form_template = "admin/pledges/pledge/change_form.html"
    # simple-history's page, with the history of the pledge's updates, sources and targets below.
    object_history_template = "admin/pledges/pledge/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "related_history": related_history(int(object_id)) if str(object_id).isdigit() else []}
        return super().history_view(request, object_id, extra_context)
    actions = ["mark_reviewed", "publish", "unpublish", "assign_owner", "export_admin_action"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "parties", "beneficiaries", "event", "announced_on", "topic")}),
        (_("Words"), {"fields": ("quote", "summary")}),
        (_("Source document"), {"fields": ("source_title", "source_publisher", "source_url", "source_published_on")}),
        (_("Deadline"), {"fields": ("deadline_text", "deadline_precision", ("deadline_start", "deadline_end"), "deadline_state_now")}),
        (_("Verdict"), {"fields": ("verdict", "ruling")}),
        (_("Progress of the first target (the targets are listed below)"), {"fields": (
            ("current_value", "progress_now", "on_track_now"),
        )}),
        (_("Follows an earlier pledge"), {"fields": (("follows", "follow_up"),)}),
        (_("Editorial"), {"fields": ("owner", "is_published", "last_reviewed_on", "version")}),
    )

    class Media:
        css = {"all": ("pledges/admin.css",)}

    def get_queryset(self, request):
        last_update = ProgressUpdate.objects.filter(pledge=OuterRef("pk")).order_by("-occurred_on").values("occurred_on")[:1]
        measured = ProgressUpdate.objects.filter(measurement_value__isnull=False).only(
            "pledge_id", "occurred_on", "measurement_value", "measurement_country_id", "target_id", "measured_end"
        )
        return (
            Pledge.objects.annotate(
                last_update_on=Subquery(last_update),
            )
            .prefetch_related(Prefetch("updates", queryset=measured, to_attr="measured_updates"),
                              Prefetch("targets", queryset=Target.objects.select_related("unit")))
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        # Open deadlines (not passed, not settled) first, nearest first: what an editor can still
        # act on. (The list's pages are read part by part, by OpenFirstPaginator.)
        return (
            Case(When(open_deadline(), then=Value(0)), default=Value(1)).asc(),
            F("deadline_end").asc(nulls_last=True),
            "title",
        )

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # In its own order (no column chosen), the list is read in its two parts from the indexes.
        paginator = EstimatedCountPaginator if ORDER_VAR in request.GET else OpenFirstPaginator
        return paginator(queryset, per_page, orphans, allow_empty_first_page)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if getattr(request, "reverting_to", None) is not None:
            return (*fields, "verdict")  # A revert restores the verdict of that version, with its evidence.
        return fields

    def action_checkbox(self, obj):
        # The version shown goes along with the selection: a bulk action refuses stale rows.
        version = format_html(
            '<input type="hidden" name="{}{}" value="{}">', VERSION_FIELD_PREFIX, obj.pk, version_token(obj.updated_at)
        )
        return format_html("{}{}", super().action_checkbox(obj), version)

    @admin.display(description=_("Deadline"), ordering="deadline_end")
    def deadline(self, obj):
        state = obj.deadline_state()
        return format_html(
            '<span class="deadline deadline-{}" title="{}">{}<br><small>{} · {}</small></span>',
            state, state.label, obj.deadline_text or "-", obj.deadline_end or "no date", state.label,
        )

    @admin.display(description=_("Progress"))
    def progress(self, obj):
        return self.progress_now(obj) if obj.first_target else ""

    @admin.display(description=_("Last update"), ordering="last_update_on")
    def last_update_on(self, obj):
        return obj.last_update_on

    @admin.display(description=_("Deadline state"))
    def deadline_state_now(self, obj):
        return obj.deadline_state().label if obj.pk else "-"

    def _progress(self, obj):
        if not obj.pk:
            return TargetProgress()
        if not hasattr(obj, "_admin_progress"):
            # The list prefetches the measured updates; a change page reads them.
            measured = getattr(obj, "measured_updates", None)
            target = obj.first_target
            obj._admin_progress = TargetProgress() if target is None else target.progress(
                obj.updates.all() if measured is None else measured)
        return obj._admin_progress

    @admin.display(description=_("Current value"))
    def current_value(self, obj):
        progress = self._progress(obj)
        if progress.current_value is None:
            return "-"
        return f"{quantity(progress.current_value, obj.first_target.unit)} (as of {progress.as_of})"

    @admin.display(description=_("Progress"))
    def progress_now(self, obj):
        percent = self._progress(obj).percent
        return "-" if percent is None else f"{percent}%"

    @admin.display(description=_("On track"))
    def on_track_now(self, obj):
        progress = self._progress(obj)
        if progress.on_track is None:
            return "-"
        verdict = "yes" if progress.on_track else "no"
        return f"{verdict} (the straight line to the target expects {quantity(progress.expected_value)} by then)"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pledges_refresh_verdicts({form.instance.pk}, user=request.user, reason="Verdict from progress update")
        drafts = [f.instance for formset in formsets if formset.model is ProgressUpdate for f in formset.forms
                  if f.has_changed() and not self._deleting(formset, f) and not f.instance.is_published]
        if drafts:  # "changed successfully" alone would read as if readers could see them
            self.message_user(request, ngettext(
                "%(count)d progress update was saved as a draft: not public. Tick “Is published” to show it.",
                "%(count)d progress updates were saved as drafts: not public. Tick “Is published” to show them.",
                len(drafts)) % {"count": len(drafts)}, messages.WARNING)
        # A changed deadline or owner may make a reminder due now; ask for a sweep once saved.
        transaction.on_commit(request_sweep)

    @staticmethod
    def _deleting(formset, form):
        return formset.can_delete and formset._should_delete_form(form)

    def after_revert(self, request, obj, version):
        pledge_revert_verdict_evidence(obj, restored_at=version.history_date, user=request.user)

    # Bulk actions. Each refuses the whole batch if a selected pledge was saved since the list
    # was shown, and is recorded in every changed pledge's history.

    def _apply(self, request, queryset, changes, reason):
        selected = set(queryset.values_list("pk", flat=True))
        versions = {
            int(name[len(VERSION_FIELD_PREFIX):]): value
            for name, value in request.POST.items()
            if name.startswith(VERSION_FIELD_PREFIX) and name[len(VERSION_FIELD_PREFIX):].isdigit()
        }
        versions = {pk: token for pk, token in versions.items() if pk in selected}
        try:
            changed = pledges_change(selected, changes=changes, versions=versions, user=request.user, reason=reason)
        except EditConflict as conflict:
            for message in conflict.messages:
                self.message_user(request, message, messages.ERROR)
            return None
        self.message_user(request, f"{reason}: {len(changed)} pledge(s) changed, {len(selected) - len(changed)} already so.")
        return None

    @admin.action(description="Mark selected as reviewed today", permissions=["change"])
    def mark_reviewed(self, request, queryset):
        return self._apply(request, queryset, {"last_reviewed_on": timezone.localdate()}, "Marked as reviewed")

    @admin.action(description="Publish selected", permissions=["change"])
    def publish(self, request, queryset):
        return self._apply(request, queryset, {"is_published": True}, "Published")

    @admin.action(description="Unpublish selected", permissions=["change"])
    def unpublish(self, request, queryset):
        return self._apply(request, queryset, {"is_published": False}, "Unpublished")

    @admin.action(description="Assign selected to an owner", permissions=["change"])
    def assign_owner(self, request, queryset):
        form = AssignOwnerForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            owner = form.cleaned_data["owner"]
            return self._apply(request, queryset, {"owner": owner}, f"Assigned to {owner or 'nobody'}")
        context = {
            **self.admin_site.each_context(request),
            "title": "Assign an owner",
            "opts": self.model._meta,
            "form": form,
            "pledges": queryset,
            "carried": [
                (name, value) for name, value in request.POST.items()
                if name.startswith(VERSION_FIELD_PREFIX) or name in ("select_across", "index")
            ],
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/pledges/pledge/assign_owner.html", context)


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(MeasurementPreviewMixin, FileImportExportMixin, AuditedAdmin):
    resource_classes = [ProgressUpdateResource]
    change_form_template = "admin/pledges/progressupdate/change_form.html"
    form = ProgressUpdateAdminForm
    list_display = ("pledge", "occurred_on", "new_verdict", "measurement_value", "measurement_country", "is_published")
    list_filter = ("is_published", "new_verdict")
    list_select_related = ("pledge", "measurement_country")
    search_fields = ("summary", "pledge__title", "sources__title")
    show_full_result_count = False
    autocomplete_fields = ("pledge", "measurement_country")
    inlines = [SourceInline]
    actions = ["export_admin_action"]
    fields = (
        "pledge", "key", "occurred_on", "summary", "new_verdict", ("measurement_value", "target", "measurement_country"),
        "confirm_jump", ("measured_precision", "measured_start", "measured_end"), "is_published", "version",
    )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pledges_refresh_verdicts({form.instance.pledge_id}, user=request.user, reason="Progress update saved")
        if not form.instance.is_published:
            self.message_user(request, _("Saved as a draft: not public. Tick “Is published” to show it."),
                              messages.WARNING)

    def after_revert(self, request, obj, version):
        pledges_refresh_verdicts({obj.pledge_id}, user=request.user, reason="Progress update reverted")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pledges_refresh_verdicts({obj.pledge_id}, user=request.user, reason="Progress update deleted")

    def delete_queryset(self, request, queryset):
        pledge_ids = set(queryset.values_list("pledge_id", flat=True))
        super().delete_queryset(request, queryset)
        pledges_refresh_verdicts(pledge_ids, user=request.user, reason="Progress updates deleted")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The reminder log: what was sent, to whom and when, or why it failed. Read-only."""

    list_display = ("claimed_at", "recipient", "pledge_title", "kind", "due_on", "status", "sent_at", "attempts",
                    "error")
    list_filter = ("status", "kind")
    list_select_related = ("recipient", "pledge")
    search_fields = ("pledge__title", "recipient__username", "recipient__email")
    show_full_result_count = False
    date_hierarchy = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Long texts are cut so that the log fits 1280 px with every column; the whole is in the tooltip
    # and on the reminder's own page.
    @admin.display(description="Pledge", ordering="pledge__title")
    def pledge_title(self, reminder):
        title = reminder.pledge.title
        return format_html('<span title="{}">{}</span>', title, Truncator(title).chars(48))

    @admin.display(description=_("Last error"))
    def error(self, reminder):
        if not reminder.last_error:
            return "-"
        return format_html('<span title="{}">{}</span>', reminder.last_error, Truncator(reminder.last_error).chars(60))


admin.site.register(Country, CountryAdmin)
admin.site.register(Topic, TopicAdmin)
admin.site.register(Party, PartyAdmin)
admin.site.register(Unit, UnitAdmin)
admin.site.register(Event, EventAdmin)
admin.site.register(SiteText, SiteTextAdmin)


@admin.register(EditorSettings)
class EditorSettingsAdmin(OneRowAdmin, admin.ModelAdmin):
    """Each person's own settings (their language): one row each, made on their first visit;
    nobody sees or changes anyone else's."""

    fields = ("language",)

    def row(self, request):
        return EditorSettings.objects.get_or_create(user=request.user)[0]

    def has_change_permission(self, request, obj=None):
        own = obj is None or obj.user_id == request.user.pk
        return own and super().has_change_permission(request, obj)

    def has_view_permission(self, request, obj=None):
        own = obj is None or obj.user_id == request.user.pk
        return own and super().has_view_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user=request.user)


class EditorSettingsInline(admin.StackedInline):
    model = EditorSettings
    can_delete = False
    verbose_name_plural = _("Editor's settings")


class UserWithSettingsAdmin(UserAdmin):
    """Django's user admin, with each editor's language (for their reminders and the admin)."""

    inlines = [*UserAdmin.inlines, EditorSettingsInline]


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserWithSettingsAdmin)
admin.site.site_header = _("Pledge tracker")
admin.site.site_title = _("Pledge tracker")

