"""Append-only records of the providers app: the database refuses to change or remove them, whatever
the code or the admin does. A visit correction is the one row that changes once: its decision
(status, decided by, at, note) is written on a proposed correction; nothing else, and never again."""

from django.db import migrations

# Tables whose rows are only ever inserted.
APPEND_ONLY = (
    "providers_workorderevent",
    "providers_providerstatusevent",
    "providers_callback",
    "providers_rectificationstep",
    "providers_cardissue",
    "providers_visitcorrection",
)
CORRECTION = "providers_visitcorrection"
# The columns of a correction that its decision leaves as proposed.
CORRECTION_FIXED = (
    "order_id",
    "reason_id",
    "note",
    "evidence",
    "checked_in_at",
    "checked_out_at",
    "original_checked_in_at",
    "original_checked_out_at",
    "proposed_by_id",
    "proposed_at",
)

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION providers_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END $$;
"""


def _pg_triggers() -> list[str]:
    sql = [_PG_FUNCTION]
    for table in APPEND_ONLY:
        ops = "DELETE" if table == CORRECTION else "UPDATE OR DELETE"
        sql.append(
            f"CREATE TRIGGER {table}_append_only BEFORE {ops} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION providers_append_only();"
        )
    old = ", ".join(f"OLD.{c}" for c in CORRECTION_FIXED)
    new = ", ".join(f"NEW.{c}" for c in CORRECTION_FIXED)
    sql.append(
        f"CREATE TRIGGER {CORRECTION}_decided_once BEFORE UPDATE ON {CORRECTION} FOR EACH ROW "
        f"WHEN (OLD.status <> 'proposed' OR ({old}) IS DISTINCT FROM ({new})) "
        "EXECUTE FUNCTION providers_append_only();"
    )
    return sql


def _pg_drop() -> list[str]:
    sql = [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in APPEND_ONLY]
    sql.append(f"DROP TRIGGER IF EXISTS {CORRECTION}_decided_once ON {CORRECTION};")
    sql.append("DROP FUNCTION IF EXISTS providers_append_only();")
    return sql


def sqlite_triggers() -> dict[str, str]:
    """{trigger name: CREATE statement} for SQLite (the embedded default). Tests drop them before
    a transactional test's flush, which deletes row by row on SQLite (tests/conftest.py)."""
    found = {}
    for table in APPEND_ONLY:
        for op in ("UPDATE", "DELETE"):
            name = f"{table}_no_{op.lower()}"
            when = ""
            if table == CORRECTION and op == "UPDATE":
                changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in CORRECTION_FIXED)
                when = f"WHEN OLD.status <> 'proposed' OR {changed} "
            found[name] = (
                f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {op} ON {table} {when}"
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END;"
            )
    return found


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in _pg_triggers():
            schema_editor.execute(sql, params=None)
    elif vendor == "sqlite":
        for sql in sqlite_triggers().values():
            schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in _pg_drop():
            schema_editor.execute(sql, params=None)
    elif vendor == "sqlite":
        for name in sqlite_triggers():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};", params=None)


class Migration(migrations.Migration):
    dependencies = [("providers", "0005_reason_codes")]

    operations = [migrations.RunPython(forwards, backwards)]
