"""The one importer: the seeds, the commands and the tests call this; the admin calls the same
resources through django-import-export's own views."""

from pledges.files.errors import ImportRejected
from pledges.files.formats import format_named
from pledges.files.layouts import PledgeResource, ProgressUpdateResource


def import_file(
    resource_class,
    data,
    *,
    file_format="csv",
    user=None,
    dry_run=False,
    reason=None,
    file_name=None,
    expected_fingerprint=None,
    progress=None,
):
    """Import a file (bytes, or text for CSV) through a layout's resource; returns its ImportReport.

    Raises ImportRejected, with every error found (each naming its row and column), if any
    row is bad; nothing is then written. With `expected_fingerprint`, the import is refused
    unless it would make exactly the changes that were previewed. `progress(done, total)` is
    called as rows are read.
    """
    format_class = format_named(file_format) if isinstance(file_format, str) else file_format
    dataset = format_class().create_dataset(data)
    result = resource_class(progress=progress).import_data(
        dataset,
        dry_run=dry_run,
        user=user,
        reason=reason or f"{format_class.__name__} import",
        file_name=file_name,
        expected_fingerprint=expected_fingerprint,
    )
    if result.rejection is not None:
        raise result.rejection
    if result.has_errors():  # a fault in the code, not the file: say it as it is
        raise result.base_errors[0].error if result.base_errors else result.error_rows[0].errors[0].error
    return result.report


def import_pledges(data, **kwargs):
    """Import a pledges file (CSV unless `file_format` says otherwise); see `import_file`."""
    return import_file(PledgeResource, data, **kwargs)


def import_updates(data, **kwargs):
    """Import a progress-updates file; see `import_file`. Afterwards each affected pledge's
    verdict is the newest published update's new verdict."""
    return import_file(ProgressUpdateResource, data, **kwargs)


__all__ = ["ImportRejected", "import_file", "import_pledges", "import_updates"]
