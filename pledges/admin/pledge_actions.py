"""The pledge list's bulk actions: review, publish, unpublish, assign an owner. Each refuses the
whole batch if a selected pledge was saved since the list was shown (the versions ride along
with the selection), and is recorded in every changed pledge's history."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pledges.admin.forms import AssignOwnerForm
from pledges.services import pledges_change
from pledges.services.history import EditConflict

# The hidden field beside each row's checkbox that carries the version the list showed.
VERSION_FIELD_PREFIX = "version-"


class PledgeActions:
    """PledgeAdmin's bulk actions (named in its `actions`)."""

    # Bulk actions. Each refuses the whole batch if a selected pledge was saved since the list
    # was shown, and is recorded in every changed pledge's history.

    def _apply(self, request, queryset, changes, reason, said):
        """Apply `changes`; the history records `reason` (in English, as every stored reason), the
        editor is told `said` in their language."""
        selected = set(queryset.values_list("pk", flat=True))
        versions = {
            int(name[len(VERSION_FIELD_PREFIX) :]): value
            for name, value in request.POST.items()
            if name.startswith(VERSION_FIELD_PREFIX) and name[len(VERSION_FIELD_PREFIX) :].isdigit()
        }
        versions = {pk: token for pk, token in versions.items() if pk in selected}
        try:
            changed = pledges_change(selected, changes=changes, versions=versions, user=request.user, reason=reason)
        except EditConflict as conflict:
            for message in conflict.messages:
                self.message_user(request, message, messages.ERROR)
            return None
        message = ngettext(
            "%(said)s: %(count)d pledge changed, %(same)d already so.",
            "%(said)s: %(count)d pledges changed, %(same)d already so.",
            len(changed),
        )
        self.message_user(
            request, message % {"said": said, "count": len(changed), "same": len(selected) - len(changed)}
        )
        return None

    @admin.action(description=_("Mark selected as reviewed today"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        changes = {"last_reviewed_on": timezone.localdate()}
        return self._apply(request, queryset, changes, "Marked as reviewed", _("Marked as reviewed"))

    @admin.action(description=_("Publish selected"), permissions=["change"])
    def publish(self, request, queryset):
        return self._apply(request, queryset, {"is_published": True}, "Published", _("Published"))

    @admin.action(description=_("Unpublish selected"), permissions=["change"])
    def unpublish(self, request, queryset):
        return self._apply(request, queryset, {"is_published": False}, "Unpublished", _("Unpublished"))

    @admin.action(description=_("Assign selected to an owner"), permissions=["change"])
    def assign_owner(self, request, queryset):
        form = AssignOwnerForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            owner = form.cleaned_data["owner"]
            said = _("Assigned to %(owner)s") % {"owner": owner} if owner else _("Assigned to nobody")
            return self._apply(request, queryset, {"owner": owner}, f"Assigned to {owner or 'nobody'}", said)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Assign an owner"),
            "opts": self.model._meta,
            "form": form,
            "pledges": queryset,
            "carried": [
                (name, value)
                for name, value in request.POST.items()
                if name.startswith(VERSION_FIELD_PREFIX) or name in ("select_across", "index")
            ],
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/pledges/pledge/assign_owner.html", context)
