"""The admin's error summary: every error of a refused save, at the top of the page, each a link
to the field it belongs to (the field keeps its own message beside it)."""

from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag
def error_summary(adminform, inline_admin_formsets):
    """[(anchor, what, message)] for the record's form and each inline form, in page order."""
    items = []
    forms = [(adminform.form, None)] + [
        (form, inline.opts.verbose_name) for inline in inline_admin_formsets for form in inline.formset.forms
    ]
    for inline in inline_admin_formsets:
        for message in inline.formset.non_form_errors():
            items.append((f"{inline.formset.prefix}-group", inline.opts.verbose_name_plural, message))
    for form, inline_name in forms:
        for name, messages in form.errors.items():
            field = form.fields.get(name)
            if name == "__all__" or field is None or field.widget.is_hidden:
                anchor, what = (form.prefix or "content-main"), inline_name or ""
            else:
                anchor, what = f"id_{form.add_prefix(name)}", field.label or name
            if inline_name:  # which row: a new one, or the record it is ("Update of 2023-05-11")
                row = (
                    form.instance
                    if form.instance.pk
                    else pgettext("an inline row", "new %(what)s") % {"what": inline_name}
                )
                what = f"{row}: {what}" if name != "__all__" else str(row)
            items.extend((anchor, what, message) for message in messages)
    return items
