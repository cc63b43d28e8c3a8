from pledges.exporters import export_pledges

from ._files import ExportCommand


class Command(ExportCommand):
    help = "Export all pledges in the import layout (csv, json or xlsx)."
    export_function = staticmethod(export_pledges)
