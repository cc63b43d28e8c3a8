from pledges.exporters import export_updates

from ._files import ExportCommand


class Command(ExportCommand):
    help = "Export all updates in the import layout (csv, json or xlsx)."
    export_function = staticmethod(export_updates)
