"""Changes to many pledges at once (publish, assign an owner ...), refused whole if any is stale."""

from collections.abc import Collection, Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from pledges.models import Pledge
from pledges.services.history import EditConflict, conflict_messages, history_record, stale_records
from pledges.services.writes import records_update


def pledges_change(
    pledge_ids: Collection[int],
    *,
    changes: Mapping[str, Any],
    versions: Mapping[int, str],
    user: AbstractBaseUser | None,
    reason: str,
) -> list[Pledge]:
    """Apply the same field changes to many pledges at once (publish, assign an owner ...).

    `versions` ({pk: token}) are the versions the editor saw; if any of those pledges was saved
    since, nothing is written and EditConflict says what changed. Pledges that already hold the
    values are left alone. Each change is recorded in the audit history with `reason`.
    Returns the pledges that changed.
    """
    with transaction.atomic():
        # Lock every selected row, in one order, before reading: a concurrent save waits for us.
        locked = list(Pledge.objects.select_for_update().filter(pk__in=pledge_ids).order_by("pk"))
        stale = stale_records(locked, versions)
        if stale:
            raise EditConflict(conflict_messages(stale, versions))
        now = timezone.now()
        changed = [p for p in locked if any(getattr(p, name) != value for name, value in changes.items())]
        for pledge in changed:
            for name, value in changes.items():
                setattr(pledge, name, value)
        if changed:
            records_update(Pledge, changed, changes, now=now)
            history_record(Pledge, changed, created=False, user=user, reason=reason, now=now)
    return changed
