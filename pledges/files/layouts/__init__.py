"""The pledge and progress-update files: one declaration of each layout, a column a line.

The README's column tables, the public /pledges.csv, the seeds, the admin and every command
read these resources. A new column is one `Column(...)` line (and, for a side column, its part
of the layout's write path).
"""

from pledges.files.layouts.pledges import PledgeResource
from pledges.files.layouts.side_columns import MAX_SOURCES, MAX_TARGETS, SOURCE_PARTS, target_column_names
from pledges.files.layouts.updates import ProgressUpdateResource

PLEDGE_COLUMNS = tuple(PledgeResource.fields.values())
UPDATE_COLUMNS = tuple(ProgressUpdateResource.fields.values())

__all__ = [
    "MAX_SOURCES",
    "SOURCE_PARTS",
    "MAX_TARGETS",
    "PLEDGE_COLUMNS",
    "UPDATE_COLUMNS",
    "PledgeResource",
    "ProgressUpdateResource",
    "target_column_names",
]
