from pledges.files.layouts import ProgressUpdateResource
from pledges.management.commands._files import ExportCommand


class Command(ExportCommand):
    help = "Export all updates in the import layout (csv, tsv, json, xlsx or ods)."
    resource_class = ProgressUpdateResource
