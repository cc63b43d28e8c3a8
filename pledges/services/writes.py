"""The one bulk write of edited records: what `Stamped.stamp` says each write sets, set here for
writes that bypass `save()` (bulk UPDATE, COPY), so no writer stamps a field by hand."""

from collections.abc import Iterable, Sequence
from datetime import datetime

from pledges.models.stamped import Stamped


def records_stamp_new(records: Iterable[Stamped], *, now: datetime) -> None:
    """Stamp records about to be inserted in bulk: created and written at `now`."""
    for record in records:
        record.created_at = now  # type: ignore[attr-defined]
        record.stamp(now)


def records_update(
    model: type[Stamped], records: Sequence[Stamped], fields: Iterable[str], *, now: datetime, batch_size: int = 1000
) -> None:
    """Write `fields` of changed `records` in bulk UPDATEs, each record stamped at `now`."""
    for record in records:
        record.stamp(now)
    if records:
        model._default_manager.bulk_update(records, sorted({*fields, *model.STAMPED_FIELDS}), batch_size=batch_size)
