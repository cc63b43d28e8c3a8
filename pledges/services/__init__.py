"""The record's writes and rules: every change that spans rows goes through one of these services
(`<entity>_<action>`, keyword-only), which the admin, the importer and the tasks call alike. Each
runs in a transaction and keeps the audit history; the public data version follows from it."""

from pledges.services.history import (
    history_record,
    pledge_targets_restore,
    update_sources_at,
    update_sources_restore,
)
from pledges.services.pledges import pledges_change
from pledges.services.verdicts import (
    pledge_revert_verdict_evidence,
    pledges_refresh_verdicts,
    update_verdict_errors,
)
from pledges.services.writes import records_stamp_new, records_update

__all__ = [
    "pledge_revert_verdict_evidence",
    "pledges_change",
    "pledges_refresh_verdicts",
    "pledge_targets_restore",
    "history_record",
    "records_stamp_new",
    "records_update",
    "update_sources_at",
    "update_sources_restore",
    "update_verdict_errors",
]
