"""The append-only guards of the migrations, for the tests that need them out of the way.

SQLite flushes a transactional test's tables with DELETE, which the guards refuse: the root
conftest puts them in place before each database test and drops them before such a flush
(PostgreSQL flushes with TRUNCATE, which row triggers do not see). The ledger checker's tests
tamper with rows on purpose, as someone at the database prompt with the owner's rights could:
`guards_lifted` lets them.
"""

from contextlib import contextmanager
from importlib import import_module

from django.db import connection

MIGRATIONS = (
    "eldercare.migrations.0005_append_only",
    "vouchers.migrations.0004_append_only",
    "vouchers.migrations.0005_balance_snapshots",
    "subsidies.applications.migrations.0005_append_only",
    "providers.migrations.0008_caregiver_reveal_log",
    "settlement.migrations.0007_stored_figures",
)

GUARDS = [guard for name in MIGRATIONS for guard in import_module(name).GUARDS]


def sqlite_install(cursor) -> None:
    for guard in GUARDS:
        for sql in guard.sqlite():
            cursor.execute(sql)


def sqlite_drop(cursor) -> None:
    for guard in GUARDS:
        for name in guard.sqlite_names():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


@contextmanager
def guards_lifted(*tables: str):
    """Let UPDATE and DELETE through on these tables for the block (the guards return after it)."""
    chosen = [g for g in GUARDS if g.table in tables]
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            # Every user trigger is off for the session (a superuser's switch, as for a restore);
            # ALTER TABLE … DISABLE TRIGGER would wait on the test's pending foreign-key checks.
            cursor.execute("SET session_replication_role = replica")
        else:
            for guard in chosen:
                for name in guard.sqlite_names():
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if postgresql:
                cursor.execute("SET session_replication_role = DEFAULT")
            else:
                for guard in chosen:
                    for sql in guard.sqlite():
                        cursor.execute(sql)
