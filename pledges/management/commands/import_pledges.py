from pledges.importers import import_pledges

from ._files import ImportCommand


class Command(ImportCommand):
    help = "Import pledges from a CSV file in the documented layout (see README)."
    import_function = staticmethod(import_pledges)
