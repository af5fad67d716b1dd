"""Operations that run on PostgreSQL alone: SQLite, the embedded default, skips them.

The lists search names by fragment (`LIKE '%…%'`), which no B-tree serves; on PostgreSQL a
trigram GIN index (the pg_trgm extension) does. SQLite keeps scanning, which is fine at the size
of an embedded installation.
"""

from django.db import connection, migrations


def analyze(cur, *tables: str) -> None:
    """Planner statistics of tables a batch has just filled. A temporary table has none until
    analysed, and a table grown by a batch keeps those of its former size until autovacuum comes
    round: the planner then takes it for the few rows it had and joins it row by row."""
    if connection.vendor == "postgresql":
        for table in tables:
            cur.execute(f"ANALYZE {table}")


class PostgresOnlySQL(migrations.RunSQL):
    """`RunSQL` executed only when the database is PostgreSQL (both directions)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def trigram_extension() -> PostgresOnlySQL:
    """pg_trgm, kept on reversal (other indexes may use it). It ships with PostgreSQL (contrib) and
    is a trusted extension since PostgreSQL 13: the database's owner may create it."""
    return PostgresOnlySQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", reverse_sql=migrations.RunSQL.noop)


def trigram_index(*, table: str, column: str, name: str) -> PostgresOnlySQL:
    """A GIN trigram index on a text column: serves `column LIKE '%fragment%'` for fragments of
    three characters or more (shorter ones have no trigram to look up)."""
    return PostgresOnlySQL(
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)",
        reverse_sql=f"DROP INDEX IF EXISTS {name}",
    )


def prefix_index(*, table: str, column: str, name: str) -> PostgresOnlySQL:
    """A B-tree on a text column with `text_pattern_ops`: serves `column LIKE 'prefix%'` whatever
    the database's collation, for searches too short for the trigram index (one or two Chinese
    characters: a name's surname, or surname and first character)."""
    return PostgresOnlySQL(
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column} text_pattern_ops)",
        reverse_sql=f"DROP INDEX IF EXISTS {name}",
    )
