"""The numbered side columns: a pledge's targets (target_unit, baseline_value ... for the first,
target2_unit ... for the others) and an update's sources (source1_url ...)."""

from pledges.files.columns import Column, translations
from pledges.files.lookups import LookupCell
from pledges.files.widgets import ChoiceCell, DateCell, DecimalCell, SlugCell, StepsCell, TextCell
from pledges.models import Qualifier, TargetKind, Unit

MAX_SOURCES = 3
SOURCE_PARTS = ("url", "title", "publisher", "published_on", "grade", "archived_url")

# What a pledges file may say of the event a pledge was made at, by Event field.
EVENT_COLUMNS = {
    "held_on": "event_held_on",
    "name_ru": "event_ru",
    "name_zh_hans": "event_zh_hans",
    "place": "event_place",
    "place_ru": "event_place_ru",
    "place_zh_hans": "event_place_zh_hans",
    "description": "event_description",
    "description_ru": "event_description_ru",
    "description_zh_hans": "event_description_zh_hans",
}

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
    "label_ru",
    "label_zh_hans",
    "milestones_ru",
    "milestones_zh_hans",
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
            "label_ru": "target_label_ru",
            "label_zh_hans": "target_label_zh_hans",
            "milestones_ru": "target_steps_ru",
            "milestones_zh_hans": "target_steps_zh_hans",
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
        "label_ru": f"target{number}_label_ru",
        "label_zh_hans": f"target{number}_label_zh_hans",
        "milestones_ru": f"target{number}_steps_ru",
        "milestones_zh_hans": f"target{number}_steps_zh_hans",
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
            "label_ru": "годовой товарооборот",
            "label_zh": "年贸易额",
        }
        if number == 1
        else {
            "label": "government scholarships",
            "unit": "scholarships",
            "baseline": "0",
            "on": "2023-05-19",
            "value": "3000",
            "kind": "total",
            "label_ru": "государственные стипендии",
            "label_zh": "政府奖学金",
        }
    )
    label = Column(
        TextCell(max_length=200),
        name=names["label"],
        side=True,
        meaning=f"What {which} quantitative target counts.",
        example=example["label"],
    )
    steps = Column(
        StepsCell(max_length=200),
        name=names["milestones"],
        side=True,
        meaning="For milestones: the steps in order (no unit or values); an update marks the one it "
        "shows done (the updates file's milestone column).",
        example="field survey|intergovernmental agreement|construction start|opening",
    )
    return (
        label,
        *translations(label, ru=example["label_ru"], zh=example["label_zh"]),
        Column(
            LookupCell(Unit, "code", what="unit", max_length=30, vocabulary=True, format=SlugCell.format),
            name=names["unit"],
            side=True,
            meaning=f"Unit of {which} target, by its code; editors add units in the admin.",
            example=example["unit"],
        ),
        Column(
            DecimalCell(),
            name=names["baseline_value"],
            side=True,
            meaning="Its value when the pledge was made.",
            example=example["baseline"],
        ),
        Column(
            DateCell(),
            name=names["baseline_on"],
            side=True,
            meaning="Date of that baseline value.",
            example=example["on"],
        ),
        Column(
            DecimalCell(),
            name=names["target_value"],
            side=True,
            meaning="The promised value (empty for a direction only).",
            example=example["value"],
        ),
        Column(
            ChoiceCell(Qualifier.choices),
            name=names["value_qualifier"],
            side=True,
            meaning="How exact the promised value is, as the pledge gives it: empty for exactly, about, more_than, "
            "at_least or up_to.",
            example="about" if number == 1 else "",
        ),
        Column(
            ChoiceCell(TargetKind.choices),
            name=names["kind"],
            side=True,
            meaning="What the number means: total (a running total, the default), level (a level to reach), "
            "flow (a yearly flow, each measurement a whole year), direction (no number) or milestones "
            "(named steps, each done or not).",
            example=example["kind"],
        ),
        steps,
        *translations(
            steps,
            ru="полевые изыскания|межправительственное соглашение|начало строительства|открытие",
            zh="实地勘察|政府间协定|开工|通车",
        ),
    )
