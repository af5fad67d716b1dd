"""Database guards for append-only tables: the SQL that makes PostgreSQL and SQLite refuse an UPDATE
or a DELETE of a row, whatever the code (or a hand at the database prompt) tries.

The migrations of each app call `install` and `remove` from a RunPython, which branches on the
database: a PL/pgSQL trigger function per table raising `check_violation` on PostgreSQL, one
`RAISE(ABORT, …)` trigger per operation on SQLite (the embedded default). `refuse` names the
operations refused: ("UPDATE", "DELETE") for a journal, ("DELETE",) for a record that changes but
is never removed.

On SQLite a migration that rebuilds one of these tables (most AlterFields do) drops its triggers
with it: such a migration must call `install` again after the rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass

EVERYTHING = ("UPDATE", "DELETE")


@dataclass(frozen=True)
class Guard:
    table: str
    message: str
    refuse: tuple[str, ...] = EVERYTHING

    @property
    def name(self) -> str:
        return f"{self.table}_append_only"

    def postgresql(self) -> str:
        ops = " OR ".join(self.refuse)
        return f"""
CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{self.message}' USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER {self.name} BEFORE {ops} ON {self.table}
  FOR EACH ROW EXECUTE FUNCTION {self.name}();
"""

    def postgresql_drop(self) -> str:
        return f"DROP TRIGGER IF EXISTS {self.name} ON {self.table};\nDROP FUNCTION IF EXISTS {self.name}();\n"

    def sqlite_names(self) -> list[str]:
        return [f"{self.name}_{op.lower()}" for op in self.refuse]

    def sqlite(self) -> list[str]:
        return [
            f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {op} ON {self.table} "
            f"BEGIN SELECT RAISE(ABORT, '{self.message}'); END;"
            for name, op in zip(self.sqlite_names(), self.refuse, strict=True)
        ]


def install(schema_editor, guards: list[Guard]) -> None:
    vendor = schema_editor.connection.vendor
    for guard in guards:
        if vendor == "postgresql":
            schema_editor.execute(guard.postgresql(), params=None)
        elif vendor == "sqlite":
            for sql in guard.sqlite():
                schema_editor.execute(sql, params=None)


def remove(schema_editor, guards: list[Guard]) -> None:
    vendor = schema_editor.connection.vendor
    for guard in guards:
        if vendor == "postgresql":
            schema_editor.execute(guard.postgresql_drop(), params=None)
        elif vendor == "sqlite":
            for name in guard.sqlite_names():
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};", params=None)
