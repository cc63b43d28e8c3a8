"""Builders for CSV files and records in tests."""

import csv
import io

from pledges.files.layouts import PLEDGE_COLUMNS, UPDATE_COLUMNS

PLEDGE_ROW = {
    "slug": "test-pledge",
    "title": "Build 10 bridges",
    "parties": "A Leader",
    "beneficiaries": "KZ|UZ",
    "event": "A summit",
    "announced_on": "2022-01-25",
    "quote": "We will build ten bridges",
    "summary": "Ten new bridges.",
    "topic": "transport",
    "source_title": "Leader's speech",
    "source_publisher": "A newspaper",
    "source_url": "https://example.org/speech",
    "source_published_on": "2022-01-25",
    "deadline_text": "by 2030",
    "deadline_precision": "year",
    "deadline_start": "",
    "deadline_end": "2030-12-31",
    "target_unit": "projects",
    "baseline_value": "0",
    "baseline_on": "2022-01-01",
    "target_value": "10",
    "owner": "",
    "published": "yes",
    "last_reviewed_on": "",
}

UPDATE_ROW = {
    "pledge": "test-pledge",
    "key": "first",
    "occurred_on": "2024-01-10",
    "summary": "Three bridges opened.",
    "new_verdict": "in_progress",
    "ruling": "In progress: three of the ten bridges are open.",
    "measurement_value": "3",
    "measurement_country": "",
    "published": "yes",
    "source1_url": "https://example.org/bridges",
    "source1_title": "Bridges open",
    "source1_publisher": "A newspaper",
    "source1_published_on": "2024-01-10",
    "source1_grade": "reporting",
}


def csv_bytes(rows, columns=None, delimiter=",", bom=False):
    """A CSV file of `rows` (dicts); the header is `columns` or the first row's keys."""
    columns = columns or list(rows[0])
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, delimiter=delimiter, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data = out.getvalue().encode()
    return b"\xef\xbb\xbf" + data if bom else data


def pledge_csv(*overrides, **kwargs):
    return csv_bytes([{**PLEDGE_ROW, **o} for o in (overrides or [{}])], **kwargs)


def update_csv(*overrides, **kwargs):
    return csv_bytes([{**UPDATE_ROW, **o} for o in (overrides or [{}])], **kwargs)


PLEDGE_HEADER = [c.column_name for c in PLEDGE_COLUMNS]
UPDATE_HEADER = [c.column_name for c in UPDATE_COLUMNS]


def change_form_data(response, **changes):
    """What a browser posts back from an admin change page, with `changes` applied.

    It reads the page's own forms (the record's and every inline's), so a test edits a page
    the way an editor does: open it, change some fields, save.
    """
    context = response.context
    forms = [context["adminform"].form]
    inlines = context.get("inline_admin_formsets", [])
    for inline in inlines:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {"_save": "Save"}
    for form in forms:
        for bound in form:
            if bound.field.show_hidden_initial:  # a browser posts the hidden initial value too
                data[bound.html_initial_name] = str(bound.initial if bound.initial is not None else "")
            value = bound.field.prepare_value(bound.value())  # as the widget writes it into the page
            if value is None or value is False:
                continue
            if value is True:
                data[bound.html_name] = "on"
            elif isinstance(value, (list, tuple)):
                data[bound.html_name] = [str(item) for item in value]
            else:
                data[bound.html_name] = str(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def a_pledge(**fields):
    """A saved pledge with plain defaults (a dated deadline at the end of 2030), for rule tests."""
    from datetime import date

    from pledges.models import Party, Pledge, Target, Topic, Unit

    n = Pledge.objects.count() + 1
    values = {
        "slug": f"pledge-{n}",
        "title": f"Pledge {n}",
        "topic": Topic.objects.get_or_create(slug="trade", defaults={"name": "Trade"})[0],
        "announced_on": date(2022, 1, 25),
        "quote": "We will.",
        "summary": "It will be done.",
        "source_title": "Speech",
        "source_publisher": "Publisher",
        "source_url": "https://example.org/speech",
        "deadline_text": "by 2030",
        "deadline_precision": "year",
        "deadline_end": date(2030, 12, 31),
        "last_reviewed_on": None,
    }
    parties = fields.pop("parties", None) or [Party.objects.get_or_create(name="A Leader")[0]]
    beneficiaries = fields.pop("beneficiaries", ())
    # A target, as the one-target layout wrote it: target_unit (a code), target_value, baseline_*.
    target = {
        name: fields.pop(column)
        for column, name in (
            ("target_unit", "unit"),
            ("target_value", "target_value"),
            ("baseline_value", "baseline_value"),
            ("baseline_on", "baseline_on"),
        )
        if column in fields
    }
    values.update(fields)
    pledge = Pledge.objects.create(**values)
    pledge.parties.set(parties)
    pledge.beneficiaries.set(beneficiaries)
    if target:
        target["unit"] = Unit.objects.get(code=target["unit"])
        Target.objects.create(pledge=pledge, **target)
    return pledge


def states(*codes):
    """The state parties of these countries (by ISO code), made as an import makes them."""
    from pledges.models import Country, Party

    return [
        Party.objects.get_or_create(country=country, defaults={"name": country.name, "kind": "state"})[0]
        for country in Country.objects.filter(code__in=codes)
    ]
