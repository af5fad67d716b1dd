"""Database guards: a locked month and an approved quarter refuse every change, whatever the code."""

from django.db import migrations

PG = [
    # (function name, table, condition on the parent row that refuses, parent lookup)
    """
    CREATE OR REPLACE FUNCTION settlement_month_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'locked' THEN
        RAISE EXCEPTION 'settlement month % is locked', OLD.month USING ERRCODE = 'check_violation';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER settlement_month_guard BEFORE UPDATE OR DELETE ON settlement_servicemonth
      FOR EACH ROW EXECUTE FUNCTION settlement_month_guard();
    """,
    """
    CREATE OR REPLACE FUNCTION settlement_month_child_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE parent bigint;
    BEGIN
      IF TG_OP = 'DELETE' THEN parent := OLD.service_month_id; ELSE parent := NEW.service_month_id; END IF;
      IF EXISTS (SELECT 1 FROM settlement_servicemonth WHERE id = parent AND status = 'locked')
         OR (TG_OP = 'UPDATE' AND EXISTS (
           SELECT 1 FROM settlement_servicemonth WHERE id = OLD.service_month_id AND status = 'locked')) THEN
        RAISE EXCEPTION 'settlement month % is locked', parent USING ERRCODE = 'check_violation';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER settlement_monthline_guard BEFORE INSERT OR UPDATE OR DELETE ON settlement_monthline
      FOR EACH ROW EXECUTE FUNCTION settlement_month_child_guard();
    CREATE TRIGGER settlement_confirmation_guard BEFORE INSERT OR UPDATE OR DELETE ON settlement_townconfirmation
      FOR EACH ROW EXECUTE FUNCTION settlement_month_child_guard();
    """,
    """
    CREATE OR REPLACE FUNCTION settlement_quarter_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'approved' THEN
        RAISE EXCEPTION 'quarterly settlement % is approved', OLD.quarter USING ERRCODE = 'check_violation';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER settlement_quarter_guard BEFORE UPDATE OR DELETE ON settlement_quartersettlement
      FOR EACH ROW EXECUTE FUNCTION settlement_quarter_guard();
    """,
    """
    CREATE OR REPLACE FUNCTION settlement_quarter_child_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE parent bigint;
    BEGIN
      IF TG_OP = 'DELETE' THEN parent := OLD.settlement_id; ELSE parent := NEW.settlement_id; END IF;
      IF EXISTS (SELECT 1 FROM settlement_quartersettlement WHERE id = parent AND status = 'approved') THEN
        RAISE EXCEPTION 'quarterly settlement % is approved', parent USING ERRCODE = 'check_violation';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER settlement_quarterline_guard BEFORE INSERT OR UPDATE OR DELETE ON settlement_quarterline
      FOR EACH ROW EXECUTE FUNCTION settlement_quarter_child_guard();
    CREATE TRIGGER settlement_quarterneed_guard BEFORE INSERT OR UPDATE OR DELETE ON settlement_quarterneed
      FOR EACH ROW EXECUTE FUNCTION settlement_quarter_child_guard();
    """,
]

PG_DROP = """
DROP TRIGGER IF EXISTS settlement_month_guard ON settlement_servicemonth;
DROP TRIGGER IF EXISTS settlement_monthline_guard ON settlement_monthline;
DROP TRIGGER IF EXISTS settlement_confirmation_guard ON settlement_townconfirmation;
DROP TRIGGER IF EXISTS settlement_quarter_guard ON settlement_quartersettlement;
DROP TRIGGER IF EXISTS settlement_quarterline_guard ON settlement_quarterline;
DROP TRIGGER IF EXISTS settlement_quarterneed_guard ON settlement_quarterneed;
DROP FUNCTION IF EXISTS settlement_month_guard();
DROP FUNCTION IF EXISTS settlement_month_child_guard();
DROP FUNCTION IF EXISTS settlement_quarter_guard();
DROP FUNCTION IF EXISTS settlement_quarter_child_guard();
"""


def _sqlite_child(table: str, op: str, parent_table: str, fk: str, status: str, row: str) -> str:
    name = f"{table}_{op.lower()}_guard"
    return (
        f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {op} ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {parent_table} WHERE id = {row}.{fk} AND status = '{status}') "
        f"BEGIN SELECT RAISE(ABORT, '{parent_table} is {status}'); END;"
    )


SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS settlement_servicemonth_update_guard BEFORE UPDATE ON settlement_servicemonth "
    "WHEN OLD.status = 'locked' BEGIN SELECT RAISE(ABORT, 'settlement month is locked'); END;",
    "CREATE TRIGGER IF NOT EXISTS settlement_servicemonth_delete_guard BEFORE DELETE ON settlement_servicemonth "
    "WHEN OLD.status = 'locked' BEGIN SELECT RAISE(ABORT, 'settlement month is locked'); END;",
    "CREATE TRIGGER IF NOT EXISTS settlement_quartersettlement_update_guard BEFORE UPDATE ON settlement_quartersettlement "
    "WHEN OLD.status = 'approved' BEGIN SELECT RAISE(ABORT, 'quarterly settlement is approved'); END;",
    "CREATE TRIGGER IF NOT EXISTS settlement_quartersettlement_delete_guard BEFORE DELETE ON settlement_quartersettlement "
    "WHEN OLD.status = 'approved' BEGIN SELECT RAISE(ABORT, 'quarterly settlement is approved'); END;",
]
for _table in ("settlement_monthline", "settlement_townconfirmation"):
    for _op, _row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
        SQLITE.append(_sqlite_child(_table, _op, "settlement_servicemonth", "service_month_id", "locked", _row))
for _table in ("settlement_quarterline", "settlement_quarterneed"):
    for _op, _row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
        SQLITE.append(_sqlite_child(_table, _op, "settlement_quartersettlement", "settlement_id", "approved", _row))


def _sqlite_names() -> list[str]:
    return [s.split()[5] for s in SQLITE]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in PG:
            schema_editor.execute(sql, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE:
            schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif vendor == "sqlite":
        for name in _sqlite_names():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("settlement", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
