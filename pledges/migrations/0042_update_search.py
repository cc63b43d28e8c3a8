"""The overview's search reads progress updates too (what happened, and the rulings): on
PostgreSQL from a GIN index on the same expression the search filters by
(pledges.models.update_search_vector), as migration 0024 does for pledges."""

from django.db import migrations

INDEX_NAME = "update_search"


def _index():
    from django.contrib.postgres.indexes import GinIndex

    from pledges.models import update_search_vector

    return GinIndex(update_search_vector(), name=INDEX_NAME)


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("pledges", "ProgressUpdate"), _index())


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("pledges", "ProgressUpdate"), _index())


class Migration(migrations.Migration):
    dependencies = [("pledges", "0041_unit_plural_forms")]
    operations = [migrations.RunPython(add, remove)]
