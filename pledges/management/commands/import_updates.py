from pledges.importers import import_updates

from ._files import ImportCommand


class Command(ImportCommand):
    help = "Import updates from a CSV file in the documented layout (see README)."
    import_function = staticmethod(import_updates)
