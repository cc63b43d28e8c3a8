"""Bulk writes and reads for many rows: PostgreSQL COPY where available, bulk_create elsewhere.

COPY is several times faster than multi-row INSERT for thousands of rows, most of that
because rows skip Django's per-value preparation and go to psycopg's C adapters. Every model
the importer writes has plain columns (text, numbers, dates, booleans, foreign keys), which
psycopg adapts the same way Django would, and for a JSON column (a target's steps) is told so.
"""

from django.db import connection, models
from django.db.models.expressions import RawSQL
from psycopg.types.json import Jsonb


def field_values(instance):
    """A model instance's column values by attname, without its primary key."""
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key
    }


def _field(model, attname):
    return next((f for f in model._meta.concrete_fields if f.attname == attname), None)


def insert(model, rows, *, return_ids=False):
    """Insert `rows` (dicts of attname -> value, all with the same keys) into `model`'s table.

    With return_ids, returns the new primary keys in the order of `rows`.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create([model(**row) for row in rows], batch_size=500)
        return [obj.pk for obj in objects] if return_ids else None
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    columns = list(rows[0])
    ids = None
    # COPY adapts a list as an array; a JSON column (a target's steps) takes it as JSON.
    json_columns = {index for index, name in enumerate(columns) if isinstance(_field(model, name), models.JSONField)}
    if json_columns:
        rows = [
            {name: Jsonb(value) if index in json_columns else value for index, (name, value) in enumerate(row.items())}
            for row in rows
        ]
    # COPY goes past Django's cursor wrapper; this turns psycopg's errors into Django's
    # (IntegrityError and so on), as the ORM's own writes would raise.
    with connection.wrap_database_errors, connection.cursor() as cursor:
        if return_ids:
            # Take the keys from the table's own sequence first, so COPY can write them.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk_column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            columns.append(pk_column)
        quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
        with cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            if ids is None:
                for row in rows:
                    copy.write_row(tuple(row.values()))
            else:
                for row, pk in zip(rows, ids):
                    copy.write_row((*row.values(), pk))
    return ids


def filter_in(queryset, field_name, values):
    """`queryset` filtered to `field_name` in `values`, however many values there are.

    On PostgreSQL as one array parameter (`= ANY(%s)`): `__in` of 100,000 slugs is 100,000
    parameters for Django to prepare and PostgreSQL to parse, 1.2 s of a 19 s import.
    """
    values = list(values)
    if connection.vendor != "postgresql" or len(values) < 1000:
        return queryset.filter(**{f"{field_name}__in": values})
    opts = queryset.model._meta
    quote = connection.ops.quote_name
    return queryset.filter(
        pk__in=RawSQL(
            f"SELECT {quote(opts.pk.column)} FROM {quote(opts.db_table)} "
            f"WHERE {quote(opts.get_field(field_name).column)} = ANY(%s)",
            [values],
        )
    )
