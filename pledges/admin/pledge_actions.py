"""The pledge list's bulk actions: review, publish, unpublish, assign an owner. Each refuses the
whole batch if a selected pledge was saved since the list was shown (the versions ride along
with the selection), and is recorded in every changed pledge's history."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils import timezone

from pledges.admin.forms import AssignOwnerForm
from pledges.services import pledges_change
from pledges.services.history import EditConflict

# The hidden field beside each row's checkbox that carries the version the list showed.
VERSION_FIELD_PREFIX = "version-"


class PledgeActions:
    """PledgeAdmin's bulk actions (named in its `actions`)."""

    # Bulk actions. Each refuses the whole batch if a selected pledge was saved since the list
    # was shown, and is recorded in every changed pledge's history.

    def _apply(self, request, queryset, changes, reason):
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
        self.message_user(
            request, f"{reason}: {len(changed)} pledge(s) changed, {len(selected) - len(changed)} already so."
        )
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
                (name, value)
                for name, value in request.POST.items()
                if name.startswith(VERSION_FIELD_PREFIX) or name in ("select_across", "index")
            ],
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/pledges/pledge/assign_owner.html", context)
