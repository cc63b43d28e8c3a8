from pledges.files.layouts import PledgeResource
from pledges.management.commands._files import ExportCommand


class Command(ExportCommand):
    help = "Export all pledges in the import layout (csv, tsv, json, xlsx or ods)."
    resource_class = PledgeResource
