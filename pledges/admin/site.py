"""The site's own pages: its name and standfirst, the reminder log, each editor's settings."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from pledges.admin.base import OneRowAdmin
from pledges.models import (
    EditorSettings,
    Reminder,
    SiteText,
)
from pledges.reminders.sweep import upcoming as upcoming_reminders


class SiteTextAdmin(OneRowAdmin, TranslationAdmin):
    """The site's words, one row for the whole site."""

    fields = ("name", "standfirst")

    def row(self, request):
        row = SiteText.current()
        if row._state.adding:  # the row was lost (a flushed database): bring it back with the defaults
            row.save()
        return row


admin.site.register(SiteText, SiteTextAdmin)


def _short_time(moment):
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else "-"


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The reminder log: what was sent, to whom and when, or why it failed. Read-only."""

    list_display = (
        "claimed",
        "recipient",
        "pledge_title",
        "kind",
        "due_on",
        "status",
        "sent",
        "attempts",
        "error",
    )
    list_filter = ("status", "kind")
    list_select_related = ("recipient", "pledge")
    search_fields = ("pledge__title", "recipient__username", "recipient__email")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # Above the log: what the sweep will send next, so an empty log still says when.
        upcoming = [
            (pledge, day, ", ".join(str(Reminder.Kind(item.kind).label) for item in due))
            for pledge, day, due in upcoming_reminders(timezone.localdate())
        ]
        return super().changelist_view(request, {**(extra_context or {}), "upcoming": upcoming})

    # Times as 2026-09-30 22:55: "Sept. 30, 2026, 10:55 p.m." alone took a sixth of 1280 px.
    @admin.display(description=_("Claimed at"), ordering="claimed_at")
    def claimed(self, reminder):
        return _short_time(reminder.claimed_at)

    @admin.display(description=_("Sent at"), ordering="sent_at")
    def sent(self, reminder):
        return _short_time(reminder.sent_at)

    # Long texts are cut so that the log fits 1280 px with every column; the whole is in the tooltip
    # and on the reminder's own page.
    @admin.display(description=_("Pledge"), ordering="pledge__title")
    def pledge_title(self, reminder):
        title = reminder.pledge.title
        return format_html('<span title="{}">{}</span>', title, Truncator(title).chars(48))

    @admin.display(description=_("Last error"))
    def error(self, reminder):
        if not reminder.last_error:
            return "-"
        return format_html('<span title="{}">{}</span>', reminder.last_error, Truncator(reminder.last_error).chars(60))


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
    """Django's user admin, with each editor's language (for their reminders and the admin).

    Editors and Viewers may look users up (owners are picked by name, history pages name who
    changed what), but only someone who may change users sees more than a name: no e-mail
    address, password hash, groups, flags, last login or language of anyone else.
    """

    inlines = [*UserAdmin.inlines, EditorSettingsInline]
    NAMES_ONLY = ("username", "first_name", "last_name")

    def _names_only(self, request):
        return not self.has_change_permission(request)

    def get_fieldsets(self, request, obj=None):
        if self._names_only(request):
            return [(None, {"fields": self.NAMES_ONLY})]
        return super().get_fieldsets(request, obj)

    def get_inlines(self, request, obj):
        return [] if self._names_only(request) else super().get_inlines(request, obj)

    def get_list_display(self, request):
        return self.NAMES_ONLY if self._names_only(request) else super().get_list_display(request)

    def get_list_filter(self, request):
        return () if self._names_only(request) else super().get_list_filter(request)

    def get_search_fields(self, request):
        return self.NAMES_ONLY if self._names_only(request) else super().get_search_fields(request)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserWithSettingsAdmin)
admin.site.site_header = _("Pledge tracker")
admin.site.site_title = _("Pledge tracker")
