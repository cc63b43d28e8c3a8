from pledges.files.layouts import ProgressUpdateResource
from pledges.management.commands._files import ImportCommand


class Command(ImportCommand):
    help = "Import updates from a file in the documented layout (see README): csv, tsv, json, xlsx or ods."
    resource_class = ProgressUpdateResource
