"""Forms the editors fill in: file uploads, and the admin's versioned record forms."""

from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import to_historic

from pledges.models import (
    DatePrecision,
    Pledge,
    PreciseDate,
    Target,
    WebAddressFormField,
    follow_up_errors,
    name_slug,
    owner_choices,
    validate_date_in_range,
)
from pledges.services.history import conflict_messages, stale_versions, version_token


def reverted_version(obj):
    """On a revert page, the history record `obj` was made from; None on any other page.

    simple-history's revert view builds its form on `HistoricalRecord.instance`, which carries its
    record (`to_historic`): so every hook given the object (form, read-only fields, save) knows
    the version without a query or the page's address."""
    return to_historic(obj) if obj is not None else None


def https_by_default(db_field, **kwargs):
    """Form fields for a model's fields, where an address is a `WebAddressFormField` (https unless typed otherwise)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("form_class", WebAddressFormField)
    return db_field.formfield(**kwargs)


class VersionField(forms.CharField):
    """The version of the record an editor opened: what they saw, never an edit of theirs, so a row
    whose fields are as stored counts as unchanged (and is not saved) whatever version it carries."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


# Dates are typed as files write them, ISO 8601, in every language; the box says so in the editor's.
DATE_PLACEHOLDER = _("YYYY-MM-DD")


class PreciseDateField(forms.CharField):
    """A date typed as precisely as the source gives it: a day, a month or a year (2023-12-05,
    2023-12, 2023), cleaned to a PreciseDate. A text box: the admin's calendar picks days only."""

    default_error_messages = {
        "invalid": _("Give a day (2023-12-05), a month (2023-12) or a year (2023), as precisely as the source says.")
    }

    def __init__(self, **kwargs):
        # No max_length: its validator would measure the cleaned PreciseDate; the box says it.
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"size": 10, "maxlength": 10, "placeholder": DATE_PLACEHOLDER})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, PreciseDate):
            return value.iso
        return value.isoformat() if isinstance(value, date) else value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            parsed = PreciseDate.parse(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        validate_date_in_range(parsed.last_day)
        return parsed

    def has_changed(self, initial, data):
        try:
            data = self.to_python(data)
        except forms.ValidationError:
            return True
        return (self.prepare_value(initial) or "") != (self.prepare_value(data) or "")


class StepsField(forms.CharField):
    """A target's named steps, one a line, in order (kept as a list)."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 40})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def has_changed(self, initial, data):
        return (initial or []) != self.to_python(data)


class TargetForm(forms.ModelForm):
    milestones = StepsField(
        label=_("steps"),
        required=False,
        help_text=_("For a target of milestones: one step a line, in order. An update marks the one it shows done."),
    )
    milestones_ru = StepsField(label=Target._meta.get_field("milestones_ru").verbose_name, required=False)
    milestones_zh_hans = StepsField(label=Target._meta.get_field("milestones_zh_hans").verbose_name, required=False)

    class Meta:
        model = Target
        fields = "__all__"


class PreciseDatesForm(forms.ModelForm):
    """A model form whose dates in `precise_dates` (date field: its precision field) are typed as
    a day, a month or a year; the precision is set with the date, never shown on its own."""

    precise_dates: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, precision in self.precise_dates.items():
            self.fields.pop(precision, None)
            field = self.fields.get(name)
            if field is None or isinstance(field, PreciseDateField):
                continue
            self.fields[name] = PreciseDateField(
                label=field.label, required=field.required, help_text=field.help_text, disabled=field.disabled
            )
            initial = self.initial.get(name)
            if isinstance(initial, date) and not isinstance(initial, PreciseDate):
                self.initial[name] = PreciseDate.of(initial, getattr(self.instance, precision, None))

    def _post_clean(self):
        # The model gets a plain date and the precision beside it.
        for name, precision in self.precise_dates.items():
            value = self.cleaned_data.get(name)
            if name in self.fields and name in self.cleaned_data:
                setattr(self.instance, precision, value.precision if value else DatePrecision.DAY)
                self.cleaned_data[name] = date(value.year, value.month, value.day) if value else None
        super()._post_clean()


class VersionedForm(forms.ModelForm):
    """A model form that refuses to save over someone else's newer save (see pledges.services.history).

    It carries, hidden, the version of the record the editor opened. Cleaning locks the row
    (until the admin's transaction ends) and compares versions.
    """

    version = VersionField(label=_("Version"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            updated_at = self.instance.updated_at
            if reverted_version(self.instance) is not None:
                # A revert form shows an old version; the version it saves over is today's.
                updated_at = (
                    type(self.instance)
                    ._default_manager.filter(pk=self.instance.pk)
                    .values_list("updated_at", flat=True)
                    .first()
                )
            self.fields["version"].initial = version_token(updated_at)

    def lock_related(self):
        """Lock rows this save will also write, before this form's own (one lock order everywhere)."""

    def writes_stored_record(self):
        """Whether saving this form writes over a stored record (whose version is then checked)."""
        return self.instance.pk is not None and not self.instance._state.adding

    def clean(self):
        cleaned = super().clean()
        if self.writes_stored_record():
            self.lock_related()
            versions = {self.instance.pk: cleaned.get("version") or ""}
            stale = stale_versions(type(self.instance), versions)
            if stale:
                raise forms.ValidationError(conflict_messages(stale, versions), code="conflict")
        return cleaned


class PledgeAdminForm(PreciseDatesForm, VersionedForm):
    """The pledge change form (its verdict is read-only: the updates decide it); the announcement
    and its source are dated as precisely as the source says."""

    precise_dates = {"announced_on": "announced_precision", "source_published_on": "source_published_precision"}

    class Meta:
        model = Pledge
        fields = "__all__"
        formfield_callback = https_by_default

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields and not self.fields["slug"].disabled:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "Its stable public address. Left empty, it is made from the title, its words split at dashes."
            )

    def clean_slug(self):
        # Made here, not by the admin's script, which runs words together across a dash.
        slug = self.cleaned_data.get("slug")
        return slug or name_slug(self.data.get(self.add_prefix("title"), ""))[:120]

    def clean(self):
        cleaned = super().clean()
        if "also_follows" in cleaned:  # the link rules with the other earlier pledges (the model's see one)
            errors = follow_up_errors(
                follows=cleaned.get("follows"),
                how=cleaned.get("follow_up"),
                slug=cleaned.get("slug"),
                announced_on=cleaned.get("announced_on"),
                also_follows=list(cleaned["also_follows"]),
            )
            if "also_follows" in errors:
                self.add_error("also_follows", errors["also_follows"])
        return cleaned


class AssignOwnerForm(forms.Form):
    """The owner a bulk "assign" action gives the selected pledges."""

    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(owner_choices(), is_active=True).distinct().order_by("username"),
        required=False,
        empty_label="Nobody",
    )
