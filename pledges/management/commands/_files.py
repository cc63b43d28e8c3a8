"""What the import and export commands share: thin wrappers over pledges.files."""

import getpass
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from pledges.files.errors import ImportRejected
from pledges.files.exports import export_file
from pledges.files.formats import BY_NAME, format_of_file
from pledges.files.imports import import_file
from pledges.files.resources import RecordResource


class TerminalProgress:
    """A progress bar on a terminal: the rows read of the file's rows."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream

    def __call__(self, done, total):
        filled = self.WIDTH * done // total if total else self.WIDTH
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:,} of {total:,} rows", ending="")
        if done >= total:
            self.stream.write("")
        self.stream.flush()


class ImportCommand(BaseCommand):
    """Import one file through the layout's resource; any bad row rejects it whole (exit 1)."""

    resource_class: type[RecordResource]  # the layout, set by each command

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file (CSV: UTF-8, comma or semicolon separated); - for stdin")
        parser.add_argument(
            "--format", choices=sorted(BY_NAME), help="The file's format (default: from its extension, else csv)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and print what each row would change; write nothing."
        )
        parser.add_argument(
            "--user",
            help="The editor the audit history names (a user name); "
            "without it, the history says which system user ran the command.",
        )

    def handle(self, *args, file, format, dry_run, user, **options):
        if file == "-":
            data, name = sys.stdin.buffer.read(), "standard input"
        else:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"{file}: no such file")
            data, name = path.read_bytes(), path.name
        file_format = BY_NAME[format] if format else format_of_file(name)
        editor, reason = None, f"Imported from {name} on the command line by {getpass.getuser()}"
        if user:
            editor = get_user_model().objects.filter(username=user).first()
            if editor is None:
                raise CommandError(f"--user {user}: no such user")
            reason = f"Imported from {name} on the command line"
        try:
            progress = TerminalProgress(self.stderr) if self.stderr.isatty() else None
            report = import_file(
                type(self).resource_class,
                data,
                file_format=file_format,
                dry_run=dry_run,
                user=editor,
                reason=reason,
                progress=progress,
            )
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(f"{name}: {error}")
            if rejected.more:
                self.stderr.write(f"{name}: {rejected.more}")
            raise CommandError(f"{name}: rejected with {rejected.total:,} error(s); nothing was written.") from None
        for warning in report.warnings:
            self.stderr.write(f"{name}: warning: {warning}")
        if dry_run:
            for line in report.lines():
                self.stdout.write(line)
        self.stdout.write(report.summary)


class ExportCommand(BaseCommand):
    """Write every record in the import layout to a file or standard output."""

    resource_class: type[RecordResource]  # the layout, set by each command

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=sorted(BY_NAME),
            help="csv (default), tsv, json, xlsx or ods; default from --output's extension",
        )
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, format, output, **options):
        file_format = format or (format_of_file(output).__name__.lower() if output else "csv")
        if output:
            with open(output, "wb") as stream:
                count = export_file(type(self).resource_class, stream, file_format=file_format)
            self.stderr.write(f"Wrote {count} rows to {output}")
        else:
            export_file(type(self).resource_class, sys.stdout.buffer, file_format=file_format)
            sys.stdout.buffer.flush()
