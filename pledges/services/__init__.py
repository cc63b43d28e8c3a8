"""The record's writes and rules: every change that spans rows goes through one of these services
(`<entity>_<action>`, keyword-only), which the admin, the importer and the tasks call alike. Each
runs in a transaction and keeps the audit history; the public data version follows from it."""

from pledges.services.pledges import (
    pledge_revert_verdict_evidence,
    pledges_change,
    pledges_refresh_verdicts,
    record_history,
)

__all__ = ["pledge_revert_verdict_evidence", "pledges_change", "pledges_refresh_verdicts", "record_history"]
