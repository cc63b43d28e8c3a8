"""The overview's search served by an index on PostgreSQL: a GIN index on the same expression the
search filters by (pledges.models.search_vector), so PostgreSQL reads the matching pledges from it
instead of computing every pledge's words. SQLite's fallback search has no such index."""

from django.db import migrations

INDEX_NAME = "pledge_search"


def _index():
    from django.contrib.postgres.indexes import GinIndex

    from pledges.models import search_vector

    return GinIndex(search_vector(), name=INDEX_NAME)


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("pledges", "Pledge"), _index())


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("pledges", "Pledge"), _index())


class Migration(migrations.Migration):
    dependencies = [("pledges", "0023_verdict_tally")]
    operations = [migrations.RunPython(add, remove)]
