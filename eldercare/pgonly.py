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


def keys_checked_by_batch(cur) -> bool:
    """Whether this connection may switch off the database's row-by-row foreign-key checks for the
    rows a batch inserts (`SET LOCAL session_replication_role = replica`: a superuser's switch, or
    since PostgreSQL 15 a role granted `SET ON PARAMETER session_replication_role`). The batch then
    checks every key itself, set-based (`keys_held`). Never on SQLite."""
    if connection.vendor != "postgresql":
        return False
    cur.execute("SELECT current_setting('is_superuser') = 'on', current_setting('server_version_num')::int")
    superuser, version = cur.fetchone()
    if superuser:
        return True
    if version < 150000:
        return False
    cur.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
    return bool(cur.fetchone()[0])


def keys_held(cur, *, table: str, ids: str, params: list) -> int:
    """Lock, as the database's own foreign-key check would (FOR KEY SHARE, until the transaction
    ends: nobody may delete them or change their key meanwhile), the rows of `table` whose ids the
    query `ids` gives, in one statement; returns how many of those ids have no row (NULLs are not
    keys). PostgreSQL only."""
    # The table comes from model metadata and the ids' query from the batch; values are bound.
    cur.execute(
        f"""WITH wanted AS (SELECT DISTINCT w.id FROM ({ids}) w(id) WHERE w.id IS NOT NULL),
                 held AS (SELECT t.id FROM {table} t WHERE t.id IN (SELECT id FROM wanted) FOR KEY SHARE OF t)
            SELECT (SELECT COUNT(*) FROM wanted) - (SELECT COUNT(*) FROM held)""",  # noqa: S608
        params,
    )
    return int(cur.fetchone()[0])
