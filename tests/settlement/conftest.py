from importlib import import_module

import pytest

from .scenario import build


@pytest.fixture
def q4(tree):
    return build(tree)


@pytest.fixture
def sqlite_guards_off_at_teardown(django_db_blocker):
    """SQLite flushes a transactional test's tables with DELETE, which the guards refuse for a
    locked month, an approved quarter or a quarter's events: drop them before the flush, `_sqlite_guards` puts them
    back for the next test. (PostgreSQL flushes with TRUNCATE, which row triggers do not see.)"""
    yield
    from django.db import connection

    guards = import_module("settlement.migrations.0002_guards")
    events = import_module("settlement.migrations.0003_quarter_returned")
    if connection.vendor == "sqlite":
        with django_db_blocker.unblock(), connection.cursor() as cur:
            for name in [*guards._sqlite_names(), *events.sqlite_names()]:
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")


@pytest.fixture(autouse=True)
def _sqlite_guards(request, django_db_blocker):
    if "django_db" not in request.keywords:
        return
    from django.db import connection

    request.getfixturevalue("django_db_setup")
    guards = import_module("settlement.migrations.0002_guards")
    events = import_module("settlement.migrations.0003_quarter_returned")
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                for sql in [*guards.SQLITE, *events.SQLITE]:
                    cur.execute(sql)
