"""Following by e-mail: the form on the pledge, event, country and changes pages, and the pages
its e-mails link to (confirm, unsubscribe). The e-mails are sent by a worker
(pledges.subscriptions); these pages only write what it reads.

The forms post without Django's CSRF token: the pages that carry them are kept whole in the
cache and set no cookie. A forged post can do no more than anyone can do with the form itself:
ask for a confirmation e-mail, at most a few a day per address. The links' signed tokens are
what protect confirming and leaving.
"""

from django import forms
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from pledges import tasks
from pledges.models import Subscription
from pledges.public import selectors
from pledges.services.subscriptions import subscription_confirm, subscription_delete, subscription_request

Scope = Subscription.Scope


def followed_record(scope, key):
    """The public pledge, event or country a form names (None for everything, or if unknown)."""
    if scope == Scope.PLEDGE:
        return selectors.public_pledges().filter(slug=key).first()
    if scope == Scope.EVENT:
        return selectors.public_event(key)
    if scope == Scope.COUNTRY:
        return selectors.public_country(key)
    return None


class FollowForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Subscription.Frequency.choices,
        initial=Subscription.Frequency.AT_ONCE,
        widget=forms.RadioSelect,
    )
    scope = forms.ChoiceField(choices=Scope.choices, initial=Scope.EVERYTHING, widget=forms.HiddenInput)
    followed = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope and scope != Scope.EVERYTHING:
            data["record"] = followed_record(scope, data.get("followed", ""))
            if data["record"] is None:
                raise forms.ValidationError(_("There is nothing public to follow at this address."))
        return data


def follow_form(scope=Scope.EVERYTHING, key=""):
    """The form as a page shows it, for what that page is about."""
    return FollowForm(initial={"scope": scope, "followed": key}, auto_id="follow-%s")


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request):
    """GET: the form alone (for ?pledge=, ?event=, ?country= or everything). POST: the asking."""
    if request.method == "GET":
        scope = next((name for name in (Scope.PLEDGE, Scope.EVENT, Scope.COUNTRY) if name in request.GET), "")
        record = followed_record(scope, request.GET.get(scope, "")) if scope else None
        if scope and record is None:
            scope = ""
        scope = scope or Scope.EVERYTHING
        followed = Subscription(scope=scope, **({scope: record} if record else {})).followed_words()
        form = follow_form(scope, request.GET.get(scope, "") if record else "")
        return render(request, "pledges/following.html", {"state": "form", "form": form, "followed": followed})
    form = FollowForm(request.POST, auto_id="follow-%s")
    if not form.is_valid():
        return render(request, "pledges/following.html", {"state": "form", "form": form}, status=400)
    asked = subscription_request(
        email=form.cleaned_data["email"],
        scope=form.cleaned_data["scope"],
        followed=form.cleaned_data.get("record"),
        language=get_language(),
        frequency=form.cleaned_data["frequency"],
    )
    if asked is not None:  # a worker sends the confirmation now (or the next scheduled sweep)
        transaction.on_commit(tasks.request_subscription_sweep)
    return render(request, "pledges/following.html", {"state": "asked", "email": form.cleaned_data["email"]})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET: a button to confirm (a mail scanner following links must not confirm); POST: confirmed."""
    subscription = Subscription.objects.by_token(token)
    if subscription is None:
        return render(request, "pledges/following.html", {"state": "gone"}, status=404)
    if request.method == "POST":
        subscription_confirm(subscription=subscription)
    state = "confirmed" if subscription.confirmed_at else "confirm"
    return render(request, "pledges/following.html", {"state": state, "subscription": subscription})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: a button to leave; POST (the button, or a mail program's one-click request, RFC 8058):
    the subscription and its address deleted."""
    subscription = Subscription.objects.by_token(token)
    if request.method == "POST":
        if subscription is not None:
            subscription_delete(subscription=subscription)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(status=200)  # nobody reads a page: the mail program asked
        return render(request, "pledges/following.html", {"state": "left"})
    if subscription is None:
        return render(request, "pledges/following.html", {"state": "gone"}, status=404)
    return render(request, "pledges/following.html", {"state": "leave", "subscription": subscription})
