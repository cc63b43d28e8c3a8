"""The editors' workplace in the Django admin: pledges, progress updates with their sources,
file import and export, and the site's own settings. Importing the package registers every page."""

from pledges.admin import django_words, pledge, progress, reference, site

__all__ = ["django_words", "pledge", "progress", "reference", "site"]
