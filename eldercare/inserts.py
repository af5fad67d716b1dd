# ruff: noqa: S608 -- table and column names come from model metadata; values are bound parameters
"""One row inserted unless a unique key already holds it: `INSERT … ON CONFLICT DO NOTHING
RETURNING id` (PostgreSQL, and SQLite since 3.35).

A plain `create()` that may collide needs a savepoint around it so that the transaction survives
the IntegrityError; this needs none, which keeps the hot paths (a check-out, its ledger
transaction) free of savepoints. No signal is sent: use it for models that have no receivers.
"""

from django.db import connection, models


def insert_unless_taken(obj: models.Model) -> bool:
    """Insert `obj` (its primary key unset); True when inserted (the key is set on it), False when
    a unique constraint already holds a row with the same values (nothing is written)."""
    meta = obj._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT DO NOTHING RETURNING {pk}".format(
        table=quote(meta.db_table),
        columns=", ".join(quote(f.column) for f in fields),
        values=", ".join(["%s"] * len(fields)),
        pk=quote(meta.pk.column),
    )
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return True
