"""A quarter can be sent back (RETURNED) by the approver with a reason, then prepared again.

The constraint naming the statuses learns RETURNED (no approver, like PREPARED). Quarter events
become append-only in the database. On SQLite, changing a check constraint rebuilds the table,
and the guards of migration 0002 (some name the table) are dropped before it and put back after
it, both ways.
"""

from importlib import import_module

from django.db import migrations, models

GUARDS_0002 = import_module("settlement.migrations.0002_guards")

PG_EVENTS = """
CREATE OR REPLACE FUNCTION settlement_quarterevent_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'quarterly settlement events are append-only' USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER settlement_quarterevent_guard BEFORE UPDATE OR DELETE ON settlement_quarterevent
  FOR EACH ROW EXECUTE FUNCTION settlement_quarterevent_guard();
"""

PG_EVENTS_DROP = """
DROP TRIGGER IF EXISTS settlement_quarterevent_guard ON settlement_quarterevent;
DROP FUNCTION IF EXISTS settlement_quarterevent_guard();
"""

SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS settlement_quarterevent_{op.lower()}_guard BEFORE {op} ON settlement_quarterevent "
    "BEGIN SELECT RAISE(ABORT, 'quarterly settlement events are append-only'); END;"
    for op in ("UPDATE", "DELETE")
]


def sqlite_names() -> list[str]:
    return [s.split()[5] for s in SQLITE]


def _reinstall_0002(schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for sql in GUARDS_0002.SQLITE:
            schema_editor.execute(sql, params=None)


def _drop_0002(schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for name in GUARDS_0002._sqlite_names():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


def drop_before_rebuild(apps, schema_editor):
    _drop_0002(schema_editor)


def reinstall_after_reverse(apps, schema_editor):
    _reinstall_0002(schema_editor)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _reinstall_0002(schema_editor)
    if vendor == "postgresql":
        schema_editor.execute(PG_EVENTS, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE:
            schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_EVENTS_DROP, params=None)
    elif vendor == "sqlite":
        for name in sqlite_names():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")
        _drop_0002(schema_editor)


STATUS = models.CharField(
    choices=[("prepared", "Prepared, to approve"), ("returned", "Sent back, to prepare again"), ("approved", "Approved")],
    default="prepared",
    max_length=10,
    verbose_name="status",
)


class Migration(migrations.Migration):
    dependencies = [("settlement", "0002_guards")]

    operations = [
        migrations.RunPython(drop_before_rebuild, reinstall_after_reverse),
        migrations.AlterField(model_name="quartersettlement", name="status", field=STATUS),
        migrations.AlterField(model_name="historicalquartersettlement", name="status", field=STATUS),
        migrations.RemoveConstraint(model_name="quartersettlement", name="quarter_approved_has_approver"),
        migrations.AddConstraint(
            model_name="quartersettlement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("approved_at__isnull", True),
                        ("approved_by__isnull", True),
                        ("status__in", ["prepared", "returned"]),
                    ),
                    models.Q(("approved_at__isnull", False), ("approved_by__isnull", False), ("status", "approved")),
                    _connector="OR",
                ),
                name="quarter_approved_has_approver",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
