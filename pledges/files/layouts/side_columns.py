"""The numbered side columns: a pledge's targets (target_unit, baseline_value ... for the first,
target2_unit ... for the others) and an update's sources (source1_url ...)."""

from pledges.files.columns import Column
from pledges.files.lookups import LookupCell
from pledges.files.widgets import ChoiceCell, DateCell, DecimalCell, SlugCell, StepsCell, TextCell
from pledges.models import Qualifier, TargetKind, Unit

MAX_SOURCES = 3
SOURCE_PARTS = ("url", "title", "publisher", "published_on", "grade", "archived_url")

# What a pledges file may say of the event a pledge was made at, by Event field.
EVENT_COLUMNS = {"held_on": "event_held_on", "place": "event_place", "description": "event_description"}

MAX_TARGETS = 3
TARGET_PARTS = (
    "label",
    "unit",
    "baseline_value",
    "baseline_on",
    "target_value",
    "value_qualifier",
    "kind",
    "milestones",
)


def target_column_names(number):
    """{Target field: column name} of a pledge's target `number`: target_unit, baseline_value,
    ... for the first (the names of the one-target layout), target2_unit ... for the others."""
    if number == 1:
        return {
            "label": "target_label",
            "unit": "target_unit",
            "baseline_value": "baseline_value",
            "baseline_on": "baseline_on",
            "target_value": "target_value",
            "value_qualifier": "target_qualifier",
            "kind": "target_kind",
            "milestones": "target_steps",
        }
    return {
        "label": f"target{number}_label",
        "unit": f"target{number}_unit",
        "baseline_value": f"target{number}_baseline_value",
        "baseline_on": f"target{number}_baseline_on",
        "target_value": f"target{number}_value",
        "value_qualifier": f"target{number}_qualifier",
        "kind": f"target{number}_kind",
        "milestones": f"target{number}_steps",
    }


def target_columns(number):
    names = target_column_names(number)
    which = "the" if number == 1 else f"a {('second', 'third')[number - 2]}"
    example = (
        {
            "label": "annual trade",
            "unit": "usd",
            "baseline": "50100000000",
            "on": "2021-12-31",
            "value": "70000000000",
            "kind": "flow",
        }
        if number == 1
        else {
            "label": "government scholarships",
            "unit": "scholarships",
            "baseline": "0",
            "on": "2023-05-19",
            "value": "3000",
            "kind": "total",
        }
    )
    return (
        Column(
            names["label"],
            names["label"],
            TextCell(max_length=200),
            side=True,
            meaning=f"What {which} quantitative target counts.",
            example=example["label"],
        ),
        Column(
            names["unit"],
            names["unit"],
            LookupCell(Unit, "code", what="unit", max_length=30, vocabulary=True, format=SlugCell.format),
            side=True,
            meaning=f"Unit of {which} target, by its code; editors add units in the admin.",
            example=example["unit"],
        ),
        Column(
            names["baseline_value"],
            names["baseline_value"],
            DecimalCell(),
            side=True,
            meaning="Its value when the pledge was made.",
            example=example["baseline"],
        ),
        Column(
            names["baseline_on"],
            names["baseline_on"],
            DateCell(),
            side=True,
            meaning="Date of that baseline value.",
            example=example["on"],
        ),
        Column(
            names["target_value"],
            names["target_value"],
            DecimalCell(),
            side=True,
            meaning="The promised value (empty for a direction only).",
            example=example["value"],
        ),
        Column(
            names["value_qualifier"],
            names["value_qualifier"],
            ChoiceCell(Qualifier.choices),
            side=True,
            meaning="How exact the promised value is, as the pledge gives it: empty for exactly, about, more_than, "
            "at_least or up_to.",
            example="about" if number == 1 else "",
        ),
        Column(
            names["kind"],
            names["kind"],
            ChoiceCell(TargetKind.choices),
            side=True,
            meaning="What the number means: total (a running total, the default), level (a level to reach), "
            "flow (a yearly flow, each measurement a whole year), direction (no number) or milestones "
            "(named steps, each done or not).",
            example=example["kind"],
        ),
        Column(
            names["milestones"],
            names["milestones"],
            StepsCell(max_length=200),
            side=True,
            meaning="For milestones: the steps in order (no unit or values); an update marks the one it "
            "shows done (the updates file's milestone column).",
            example="field survey|intergovernmental agreement|construction start|opening",
        ),
    )
