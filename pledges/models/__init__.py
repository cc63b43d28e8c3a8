"""The pledge record: who promised what, to whom, by when, and what has happened since.

Models hold the data and small pure computations (deadline state, progress against a target),
each rule a database constraint mirrored by one readable message (`deadline_errors`,
`target_errors` ...) that the admin and the importer share. Writes that span rows live in
`pledges.services`; reads that pages share in `pledges.public.selectors`.

Everything is imported from here (`from pledges.models import Pledge`); the modules only keep
each part of the record short enough to read.
"""

from .choices import (
    DATED_PRECISIONS,
    FOLLOW_UP_PASSIVE,
    SETTLED_VERDICTS,
    VERDICT_DEFINITIONS,
    DeadlinePrecision,
    DeadlineState,
    FollowUp,
    PeriodPrecision,
    SourceGrade,
    Verdict,
)
from .import_job import ImportJob
from .pledge import (
    SEARCH_CONFIG,
    SEARCHED_TEXT,
    Pledge,
    PledgeQuerySet,
    deadline_errors,
    follow_up_errors,
    search_vector,
)
from .progress import (
    ProgressUpdate,
    Source,
    evidence_errors,
    measurement_clash_error,
    new_update_key,
    period_errors,
    period_text,
    ruling_errors,
    update_errors,
)
from .reference import VALUE_PLACEHOLDER, Country, Event, Party, PartyKind, Topic, Unit, UnitKind, event_slug
from .reminder import Reminder
from .site import UNDATED_DAY, EditorSettings, PublicVersion, SiteText, VerdictTally, chosen_language, language_of
from .target import Target, TargetProgress, target_errors
from .validation import (
    EARLIEST_DATE,
    LATEST_DATE,
    date_range_error,
    dates_in_range_constraint,
    http_url_condition,
    single_party_error,
    unprintable_error,
    validate_date_in_range,
    validate_http_url,
    validate_printable,
    validate_single_party,
)

__all__ = [
    "SEARCH_CONFIG",
    "SEARCHED_TEXT",
    "search_vector",
    "DATED_PRECISIONS",
    "EARLIEST_DATE",
    "FOLLOW_UP_PASSIVE",
    "LATEST_DATE",
    "SETTLED_VERDICTS",
    "UNDATED_DAY",
    "VALUE_PLACEHOLDER",
    "VERDICT_DEFINITIONS",
    "Country",
    "DeadlinePrecision",
    "DeadlineState",
    "EditorSettings",
    "Event",
    "FollowUp",
    "ImportJob",
    "Party",
    "PartyKind",
    "PeriodPrecision",
    "Pledge",
    "PledgeQuerySet",
    "ProgressUpdate",
    "PublicVersion",
    "Reminder",
    "SiteText",
    "Source",
    "SourceGrade",
    "Target",
    "TargetProgress",
    "Topic",
    "Unit",
    "UnitKind",
    "Verdict",
    "VerdictTally",
    "chosen_language",
    "date_range_error",
    "dates_in_range_constraint",
    "deadline_errors",
    "event_slug",
    "evidence_errors",
    "follow_up_errors",
    "http_url_condition",
    "language_of",
    "measurement_clash_error",
    "new_update_key",
    "period_errors",
    "period_text",
    "single_party_error",
    "target_errors",
    "unprintable_error",
    "ruling_errors",
    "update_errors",
    "validate_date_in_range",
    "validate_http_url",
    "validate_printable",
    "validate_single_party",
]
