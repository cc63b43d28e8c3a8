"""Search in each language on PostgreSQL: Russian words from GIN indexes on the Russian texts'
vectors (pledges.models.search_vector("ru"), update_search_vector("ru")), Chinese from trigram
indexes (pg_trgm) on the Chinese texts, as migrations 0024 and 0042 do for
English. SQLite searches without indexes."""

from django.db import migrations


def _indexes():
    from django.contrib.postgres.indexes import GinIndex

    from pledges.models import search_vector, update_search_vector

    return [
        ("Pledge", GinIndex(search_vector("ru"), name="pledge_search_ru")),
        ("ProgressUpdate", GinIndex(update_search_vector("ru"), name="update_search_ru")),
    ]


# Each Chinese text's trigrams, read as the search's `contains` lookup reads a column (as text:
# title_zh_hans::text). Written out: Django's OpClass leaves a cast without the parentheses
# PostgreSQL needs around an index expression.
TRIGRAM_INDEXES = {
    "pledge_search_zh": ("pledges_pledge", ("title_zh_hans", "quote_zh_hans", "summary_zh_hans")),
    "update_search_zh": ("pledges_progressupdate", ("summary_zh_hans", "ruling_zh_hans")),
}


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database's owner
        # may create it.
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for model, index in _indexes():
            schema_editor.add_index(apps.get_model("pledges", model), index)
        quote = schema_editor.quote_name
        for name, (table, columns) in TRIGRAM_INDEXES.items():
            expressions = ", ".join(f"(({quote(column)})::text) gin_trgm_ops" for column in columns)
            schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} USING gin ({expressions})")


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in _indexes():
            schema_editor.remove_index(apps.get_model("pledges", model), index)
        for name in TRIGRAM_INDEXES:
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [("pledges", "0043_record_in_three_languages")]
    operations = [migrations.RunPython(add, remove)]
