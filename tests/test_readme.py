"""The README documents every column of both files, so the format table cannot go stale."""

import re

from pledges.files.layouts import PLEDGE_COLUMNS, UPDATE_COLUMNS
from tests.conftest import ROOT


def test_the_readme_opens_with_the_two_commands_and_documents_every_column():
    readme = (ROOT / "README.md").read_text()

    assert re.search(r"```sh\nmake run .*\nmake test .*\n```", readme)
    for column in PLEDGE_COLUMNS + UPDATE_COLUMNS:
        if column.column_name.startswith(("source2_", "source3_")):
            assert "`source2_*` and `source3_*`" in readme
            continue
        assert (
            f"| `{column.column_name}` | {'yes' if column.required else ''} | {column.meaning} | {column.format} |"
            in readme
        )
