"""The progress-update forms: a measurement typed as "106.5bn" and checked against the last one,
the first source on the update's own row, and the pledge page's updates, whose new verdict needs
its evidence."""

from datetime import date

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pledges.admin.amounts import AmountField, jump
from pledges.admin.forms import PreciseDateField, PreciseDatesForm, VersionedForm
from pledges.models import (
    FIELD_IN,
    SOURCE_SUBSTANTIVE_FIELDS,
    SUBSTANTIVE_FIELDS,
    TRANSLATED_SUBSTANTIVE_FIELDS,
    DatePrecision,
    Pledge,
    ProgressUpdate,
    Source,
    SourceGrade,
    WebAddressFormField,
    correction_errors,
    evidence_errors,
    measurement_clash_error,
    validate_document_url,
    validate_http_url,
    validate_printable,
)
from pledges.services import update_verdict_errors
from pledges.templatetags.pledge_format import quantity


class MeasurementForm(PreciseDatesForm, VersionedForm):
    """An update's form whose measurement may be typed as "106.5bn", and which asks before saving a
    value more than ten times, or less than a tenth of, its target's last one (a slip of scale).
    Its date is as precise as the source: a day, a month or a year. A new update is public unless
    the editor keeps it a draft."""

    precise_dates = {"occurred_on": "occurred_precision"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and "is_published" in self.fields:
            self.fields["is_published"].initial = True

    def clean(self):
        cleaned = super().clean()
        # The row decides its verdict; one given anew must be one the pledge can take.
        anew = self.instance.pk is None or {"new_verdict", "is_published", "occurred_on"} & set(self.changed_data)
        pledge = getattr(self.instance, "pledge", None) if self.instance.pledge_id else cleaned.get("pledge")
        if anew and pledge is not None and "occurred_on" not in self.errors:
            for field, message in update_verdict_errors(
                pledge=pledge,
                update_id=self.instance.pk,
                new_verdict=cleaned.get("new_verdict") or "",
                is_published=bool(cleaned.get("is_published")),
                occurred_on=cleaned.get("occurred_on"),
            ).items():
                self.add_error(field, message)
        return cleaned

    measurement_value = AmountField(
        label=_("Measurement value"),
        required=False,
        help_text=_("In the target's unit. Type it in full or with a scale word: 106500000000, 106.5bn, 2.5 million."),
    )
    confirm_jump = forms.BooleanField(
        label=_("Yes, this value is right"),
        required=False,
        help_text=_("Asked only for a value more than ten times, or less than a tenth of, the last one."),
    )

    def _post_clean(self):
        super()._post_clean()  # the model's checks first: they choose a one-target pledge's target
        update = self.instance
        if (
            self.has_error("measurement_value")
            or update.measurement_value is None
            or not update.target_id
            or self.cleaned_data.get("confirm_jump")
            or not {"measurement_value", "target", "measurement_country"} & set(self.changed_data)
        ):
            return
        last = update.target.last_value(
            country=update.measurement_country, before=update.measured_on, exclude=update.pk
        )
        ratio = jump(update.measurement_value, last)
        if ratio is not None:
            message = (
                _("%(value)s is more than ten times the last value, %(last)s.")
                if ratio > 1
                else _("%(value)s is less than a tenth of the last value, %(last)s.")
            )
            unit = update.target.unit
            self.add_error(
                "measurement_value",
                forms.ValidationError(
                    "{} {}".format(
                        message % {"value": quantity(update.measurement_value, unit), "last": quantity(last, unit)},
                        _("If that is right, tick “Yes, this value is right” and save again."),
                    ),
                    code="measurement_jump",
                ),
            )


def correction_fields():
    """The note and the "minor" box a change to a published update asks for (its own page)."""
    note = forms.CharField(
        label=_("Correction note"),
        required=False,
        validators=[validate_printable],
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
        help_text=_(
            "For a published update: what was wrong and what changed. Readers see “Corrected on <date>: <note>” "
            "on the update and in the changes log."
        ),
    )
    minor = forms.BooleanField(
        label=_("Minor fix (spelling, wording): kept in the history, not announced"), required=False
    )
    return note, minor


class ProgressUpdateAdminForm(MeasurementForm):
    """An update on its own page: where a published update is corrected, with a note readers see."""

    correction, minor = correction_fields()
    correction_ru = forms.CharField(
        label=format_lazy(_("{field} ({language})"), field=_("Correction note"), language=FIELD_IN["ru"]),
        required=False,
        validators=[validate_printable],
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )
    correction_zh_hans = forms.CharField(
        label=format_lazy(_("{field} ({language})"), field=_("Correction note"), language=FIELD_IN["zh-hans"]),
        required=False,
        validators=[validate_printable],
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )

    class Meta:
        model = ProgressUpdate
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:  # the instance still holds what is stored until _post_clean
            withdrawing = (
                self.instance.is_published and "is_published" in self.changed_data and not cleaned.get("is_published")
            )
            for message in correction_errors(
                was_published=self.instance.is_published,
                changed=[
                    self.fields[name].label
                    for name in SUBSTANTIVE_FIELDS + TRANSLATED_SUBSTANTIVE_FIELDS
                    if name in self.changed_data and (name in SUBSTANTIVE_FIELDS or self.initial.get(name))
                ],
                withdrawing=withdrawing,
                note=cleaned.get("correction", ""),
                minor=bool(cleaned.get("minor")),
            ).values():
                self.add_error("correction", message)
        return cleaned

    def lock_related(self):
        # The save refreshes the pledge's verdict; take the pledge's lock first, as its page does.
        Pledge.objects.select_for_update().filter(pk=self.instance.pledge_id).first()


class ProgressUpdateInlineForm(MeasurementForm):
    """A progress update on its pledge's page, with its first source in the same row.

    Further sources (up to three) are added on the update's own page.
    """

    # Required, and marked so: a row left blank is not an update (the formset skips it), one in use
    # is evidence only with its source.
    NEEDS_SOURCE = {"required": _("A progress update needs a source: give its URL, title and publisher.")}
    source_url = WebAddressFormField(
        label=_("Source URL"),
        max_length=500,
        validators=[validate_http_url, validate_document_url],
        error_messages=NEEDS_SOURCE,
    )
    source_title = forms.CharField(
        label=_("Source title"), max_length=300, validators=[validate_printable], error_messages=NEEDS_SOURCE
    )
    source_publisher = forms.CharField(
        label=_("Publisher"), max_length=200, validators=[validate_printable], error_messages=NEEDS_SOURCE
    )
    source_published_on = PreciseDateField(label=_("Source date"), required=False)
    source_grade = forms.ChoiceField(
        label=_("Source grade"), choices=SourceGrade.choices, initial=SourceGrade.REPORTING
    )

    SOURCE_FIELDS = {
        "source_url": "url",
        "source_title": "title",
        "source_publisher": "publisher",
        "source_published_on": "published_on",
        "source_grade": "grade",
    }

    class Meta:
        model = ProgressUpdate
        fields = (
            "occurred_on",
            "summary",
            "new_verdict",
            "ruling",
            "measurement_qualifier",
            "measurement_value",
            "target",
            "measurement_country",
            "milestone",
            "measured_precision",
            "measured_start",
            "measured_end",
            "is_published",
        )
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "ruling": forms.Textarea(attrs={"rows": 2, "cols": 40}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.first_source = self.instance.sources.first() if self.instance.pk else None
        if self.first_source:
            for name, attribute in self.SOURCE_FIELDS.items():
                self.fields[name].initial = getattr(self.first_source, attribute)
            self.fields["source_published_on"].initial = self.first_source.published

    # A stored update whose row on its pledge's page is as stored is not written again (the
    # formset saves changed rows only). So its version is not checked: a save of it meanwhile
    # that left it as this page shows it is no conflict (one this page would undo makes the row
    # differ, and is refused). Nor are the constraints the database enforced when it was
    # written, which Django would ask the database about again, a query and a savepoint each:
    # about 20 queries a row on every save of the page. The model's own rules still run
    # (Model.clean ignores exclusions): the update's date against the pledge's, which the page
    # may change.
    def writes_stored_record(self):
        return super().writes_stored_record() and self.has_changed()

    # Django has no public hook for the fields a form leaves out of its model's validation: this
    # private method is the one, kept as small as it can be (tests/test_admin_editing.py counts
    # the page's queries, and fails if a Django upgrade changes what it does).
    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.instance.pk is not None and not self.has_changed():
            exclude.update(field.name for field in self.instance._meta.concrete_fields)
        return exclude

    def clean(self):
        cleaned = super().clean()
        if self.first_source is not None or self.has_changed():
            # An update is evidence only with a source; it cannot be saved without one.
            for name in ("source_url", "source_title", "source_publisher"):
                if not cleaned.get(name) and name not in self.errors:  # a bad value has its own message
                    self.add_error(name, _("A progress update needs a source: give its URL, title and publisher."))
            weak = evidence_errors(
                new_verdict=cleaned.get("new_verdict"), grades=self.source_grades(cleaned.get("source_grade"))
            )
            if weak and "source_grade" not in self.errors:
                self.add_error("source_grade", weak["new_verdict"])
        return cleaned

    def source_grades(self, first_grade):
        """The grades of this update's sources once saved: the first as in the form, the rest stored."""
        others = (
            list(self.instance.sources.exclude(position=1).values_list("grade", flat=True)) if self.instance.pk else []
        )
        return [first_grade or SourceGrade.REPORTING, *others]

    def save(self, commit=True):
        update = super().save(commit=False)  # stamped by its save()
        if commit:
            update.save()
            self._save_m2m()
            self.save_source(update)
        return update

    def save_source(self, update):
        values = {attribute: self.cleaned_data.get(name) for name, attribute in self.SOURCE_FIELDS.items()}
        if not values["url"]:
            return
        published = values.pop("published_on")  # a PreciseDate: the day and how much of it is known
        values["published_on"] = date(published.year, published.month, published.day) if published else None
        values["published_precision"] = published.precision if published else DatePrecision.DAY
        source = self.first_source or Source(update=update, position=1)
        if all(getattr(source, name) == value for name, value in values.items()) and source.pk:
            return
        for name, value in values.items():
            setattr(source, name, value if value is not None else ("" if name != "published_on" else None))
        source.save()


class ProgressUpdateInlineFormSet(forms.BaseInlineFormSet):
    """The pledge page's updates: each row decides its own verdict (MeasurementForm.clean)."""

    def clean(self):
        super().clean()
        self._refuse_two_measurements_a_day()

    def _refuse_two_measurements_a_day(self):
        # Each row checks itself against the database (ProgressUpdate.clean); two new rows on this
        # page can only be checked against each other here.
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or self._should_delete_form(form) or data.get("measurement_value") is None:
                continue
            measured_on = data.get("measured_end") or data.get("occurred_on")
            place = (data.get("target"), data.get("measurement_country"), measured_on)
            if place in seen and measured_on:
                form.add_error("occurred_on", measurement_clash_error(measured_on, place[1]))
            seen.add(place)


class SourcesFormSet(forms.BaseInlineFormSet):
    """An update's sources on its own page: one to three, and one not weak if it gives a verdict.
    Adding, removing or replacing a published update's source is a correction: it needs the
    page's note (the admin passes it) unless marked minor."""

    def __init__(self, *args, correction="", minor=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.correction, self.minor = correction, minor

    def clean(self):
        super().clean()
        stored = self.instance.pk and ProgressUpdate.objects.filter(pk=self.instance.pk, is_published=True).exists()
        if stored and self.changes_evidence():
            message = correction_errors(
                was_published=True, changed=[_("sources")], withdrawing=False, note=self.correction, minor=self.minor
            ).get("correction_note")
            if message:
                raise forms.ValidationError(message, code="correction_needed")
        kept = [
            form.cleaned_data.get("grade")
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not self._should_delete_form(form)
            and form.cleaned_data.get("url")
        ]
        weak = evidence_errors(new_verdict=self.instance.new_verdict, grades=kept)
        if weak:
            raise forms.ValidationError(weak["new_verdict"], code="weak_evidence")

    def changes_evidence(self):
        """Whether a source is added, removed or changed in what readers rely on (not only its
        grade or archived copy)."""
        return any(
            self._should_delete_form(form) if form.instance.pk is not None else form.has_changed()
            for form in self.forms
        ) or any(
            set(form.changed_data) & set(SOURCE_SUBSTANTIVE_FIELDS)
            for form in self.initial_forms
            if not self._should_delete_form(form)
        )
