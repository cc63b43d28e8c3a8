"""The pledge page: its targets and updates inline, bulk actions, revert, history."""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR
from django.db import transaction
from django.db.models import Case, F, OuterRef, Prefetch, Subquery, Value, When
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pledges.admin.base import URL_FIELDS, AuditedAdmin, MeasurementPreviewMixin
from pledges.admin.filters import (
    DeadlineStateFilter,
    MissingLanguageFilter,
    NamedEventFilter,
    NamedPartyFilter,
    NeedsReviewFilter,
    OwnerFilter,
)
from pledges.admin.forms import PledgeAdminForm
from pledges.admin.inlines import ProgressUpdateInline, PublishedUpdatesInline, TargetInline
from pledges.admin.pagination import EstimatedCountPaginator, OpenFirstPaginator, open_deadline
from pledges.admin.pledge_actions import VERSION_FIELD_PREFIX, PledgeActions
from pledges.files.admin import FileImportExportMixin
from pledges.files.layouts import PledgeResource
from pledges.models import (
    LANGUAGE_NAMES,
    OTHER_LANGUAGES,
    Pledge,
    ProgressUpdate,
    Target,
    TargetProgress,
    every_language,
)
from pledges.services import pledge_revert_verdict_evidence, pledge_targets_restore, pledges_refresh_verdicts
from pledges.services.history import related_history, version_token
from pledges.tasks import request_sweep
from pledges.templatetags.pledge_format import quantity


@admin.register(Pledge)
class PledgeAdmin(PledgeActions, MeasurementPreviewMixin, FileImportExportMixin, AuditedAdmin):
    resource_classes = [PledgeResource]
    form = PledgeAdminForm
    formfield_overrides = URL_FIELDS
    list_display = (
        "title",
        "verdict",
        "deadline",
        "progress",
        "owner",
        "last_update_on",
        "last_reviewed_on",
        "is_published",
    )
    list_filter = (
        "verdict",
        DeadlineStateFilter,
        "topic",
        ("event", NamedEventFilter),
        ("parties", NamedPartyFilter),
        ("beneficiaries", NamedPartyFilter),
        OwnerFilter,
        "is_published",
        NeedsReviewFilter,
        MissingLanguageFilter,
    )
    list_select_related = ("owner",)
    search_fields = ("title", "quote", "summary", "source_title", "updates__sources__title")
    # Counting every pledge on each page view is a full scan on a large table; the filtered
    # count that pagination needs is enough.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    list_per_page = 50
    autocomplete_fields = ("parties", "event", "owner", "beneficiaries", "follows", "more_topics", "also_follows")
    readonly_fields = (
        "verdict",  # derived from the updates (services.pledges_refresh_verdicts), never typed here
        *every_language("ruling"),
        "translations_missing",
        "deadline_state_now",
        "current_value",
        "progress_now",
        "on_track_now",
    )
    inlines = [ProgressUpdateInline, PublishedUpdatesInline, TargetInline]
    # The export button's page (django-import-export's), with a link to add an update at the top.
    change_form_template = "admin/pledges/pledge/change_form.html"
    # simple-history's page, with the history of the pledge's updates, sources and targets below.
    object_history_template = "admin/pledges/pledge/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "related_history": related_history(int(object_id)) if str(object_id).isdigit() else [],
        }
        return super().history_view(request, object_id, extra_context)

    actions = ["mark_reviewed", "publish", "unpublish", "assign_owner", "export_admin_action"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    every_language("title"),
                    "slug",
                    "parties",
                    "beneficiaries",
                    "event",
                    "announced_on",
                    "topic",
                    "more_topics",
                )
            },
        ),
        (
            _("Words"),
            {
                "fields": (
                    every_language("quote"),
                    ("quote_language", "quote_translated_by"),
                    "quote_original",
                    every_language("summary"),
                )
            },
        ),
        (_("Source document"), {"fields": ("source_title", "source_publisher", "source_url", "source_published_on")}),
        (
            _("Deadline"),
            {
                "fields": (
                    every_language("deadline_text"),
                    "deadline_precision",
                    ("deadline_start", "deadline_end"),
                    "deadline_state_now",
                )
            },
        ),
        (
            _("Verdict"),
            {
                "fields": ("verdict", every_language("ruling")),
                "description": _(
                    "The verdict and its ruling follow the newest published progress update that gives a verdict. "
                    "To change them, add an update below that gives the new verdict, with its ruling and a source."
                ),
            },
        ),
        (_("Languages"), {"fields": ("translations_missing",)}),
        (
            _("Progress of the first target (the targets are listed below)"),
            {"fields": (("current_value", "progress_now", "on_track_now"),)},
        ),
        (_("Follows an earlier pledge"), {"fields": (("follows", "follow_up"), "also_follows")}),
        (_("Editorial"), {"fields": ("owner", "is_published", "last_reviewed_on", "version")}),
    )

    class Media:
        css = {"all": ("pledges/admin.css",)}

    def get_queryset(self, request):
        last_update = (
            ProgressUpdate.objects.filter(pledge=OuterRef("pk")).order_by("-occurred_on").values("occurred_on")[:1]
        )
        measured = ProgressUpdate.objects.filter(measurement_value__isnull=False).only(
            "pledge_id",
            "occurred_on",
            "measurement_value",
            "measurement_qualifier",
            "measurement_country_id",
            "target_id",
            "measured_precision",
            "measured_start",
            "measured_end",
        )
        return (
            Pledge.objects.annotate(
                last_update_on=Subquery(last_update),
            )
            .prefetch_related(
                Prefetch("updates", queryset=measured, to_attr="measured_updates"),
                Prefetch("targets", queryset=Target.objects.select_related("unit")),
            )
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

    @admin.display(description=_("Texts to translate"))
    def translations_missing(self, pledge):
        """How many of the page's texts are still only in English, per language."""
        if pledge is None or pledge.pk is None:
            return "—"
        counts = []
        for language in OTHER_LANGUAGES:
            count = pledge.texts_missing(language)
            counts.append(
                ngettext("%(language)s: %(count)d text missing", "%(language)s: %(count)d texts missing", count)
                % {"language": LANGUAGE_NAMES[language], "count": count}
                if count
                else _("%(language)s: complete") % {"language": LANGUAGE_NAMES[language]}
            )
        return " · ".join(counts)

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
            state,
            state.label,
            obj.deadline_text or "-",
            formats.date_format(obj.deadline_end, "DATE_FORMAT") if obj.deadline_end else _("no date"),
            state.label,
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
            obj._admin_progress = (
                TargetProgress()
                if target is None
                else target.progress(obj.updates.all() if measured is None else measured)
            )
        return obj._admin_progress

    @admin.display(description=_("Current value"))
    def current_value(self, obj):
        progress = self._progress(obj)
        if progress.current_value is None:
            return "-"
        return _("%(value)s (as of %(date)s)") % {
            "value": quantity(progress.current_value, obj.first_target.unit),
            "date": formats.date_format(progress.as_of, "DATE_FORMAT"),
        }

    @admin.display(description=_("Progress"))
    def progress_now(self, obj):
        progress = self._progress(obj)
        if progress.steps:
            return f"{progress.steps_done}/{len(progress.steps)}"
        percent = progress.percent
        return (
            "-" if percent is None else _("%(percent)s%%") % {"percent": formats.number_format(percent, use_l10n=True)}
        )

    @admin.display(description=_("On track"))
    def on_track_now(self, obj):
        progress = self._progress(obj)
        if progress.on_track is None:
            return "-"
        words = (
            _("yes (the straight line to the target expects %(value)s by then)")
            if progress.on_track
            else _("no (the straight line to the target expects %(value)s by then)")
        )
        return words % {"value": quantity(progress.expected_value)}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pledges_refresh_verdicts({form.instance.pk}, user=request.user, reason="Verdict from progress update")
        drafts = [
            f.instance
            for formset in formsets
            if formset.model is ProgressUpdate
            for f in formset.forms
            if f.has_changed() and not self._deleting(formset, f) and not f.instance.is_published
        ]
        if drafts:  # "changed successfully" alone would read as if readers could see them
            self.message_user(
                request,
                ngettext(
                    "%(count)d progress update was saved as a draft: not public. Tick “Is published” to show it.",
                    "%(count)d progress updates were saved as drafts: not public. Tick “Is published” to show them.",
                    len(drafts),
                )
                % {"count": len(drafts)},
                messages.WARNING,
            )
        # A changed deadline or owner may make a reminder due now; ask for a sweep once saved.
        transaction.on_commit(request_sweep)

    @staticmethod
    def _deleting(formset, form):
        return formset.can_delete and formset._should_delete_form(form)

    def after_revert(self, request, obj, version):
        pledge_targets_restore(pledge=obj, at=version.history_date, user=request.user)
        pledge_revert_verdict_evidence(obj, restored_at=version.history_date, user=request.user)
