import contextlib
import datetime
import importlib
import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from hypothesis import settings as hypothesis_settings
from playwright.sync_api import Browser
from pytest_django.fixtures import validate_django_db

from eldercare.models import Role

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run while
# one is running unless told it is safe. The tests own both sides, so it is.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from . import appendonly
from .factories import DivisionTree, ElderFactory, make_tree, user_with_role

# No example is timed: the machines running the tests are shared, and a slow example is not a wrong one.
hypothesis_settings.register_profile("shared-machines", deadline=None)
hypothesis_settings.load_profile("shared-machines")

PROVIDERS_APPEND_ONLY = importlib.import_module("providers.migrations.0006_append_only")


def pytest_configure(config):
    """Compile the translation catalogues once, before any test: the .mo files are git-ignored.

    `bin/dev` compiles them too, but plain `pytest` from a fresh clone must not fail some twenty
    tests that read Chinese. Only the controller compiles: pytest-xdist starts its workers after
    this hook has run here, so they find the catalogues written and leave them alone.
    """
    if hasattr(config, "workerinput"):
        return
    stale = _stale_catalogues()
    if not stale:
        return
    if shutil.which("msgfmt"):
        # What bin/dev runs, from the same folder (compilemessages also walks the current one).
        with contextlib.chdir(settings.BASE_DIR):
            call_command("compilemessages", ignore_patterns=[".venv"], verbosity=0)
    else:
        # No GNU gettext on this machine: compile with Python instead of failing on missing text.
        for po in stale:
            _msgfmt(po)
    # A catalogue Django read before it was compiled stays cached in this process; forget it, as
    # Django's own setting_changed handler does when LOCALE_PATHS changes.
    from django.utils.translation import trans_real

    trans_real._translations = {}
    trans_real._default = None


def _stale_catalogues() -> list[Path]:
    """The .po files under LOCALE_PATHS whose .mo is missing or older than they are."""
    stale = []
    for base in settings.LOCALE_PATHS:
        for po in sorted(Path(base).rglob("*.po")):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                stale.append(po)
    return stale


def _msgfmt(po: Path) -> None:
    """Compile po's .mo with polib (translated entries only, as GNU msgfmt), written aside and
    renamed so that a reader never sees half a catalogue."""
    mo = po.with_suffix(".mo")
    tmp = mo.with_suffix(".mo.tmp")
    polib.pofile(str(po)).save_as_mofile(str(tmp))
    os.replace(tmp, mo)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(
                pytest.mark.skipif(
                    connection.vendor != "postgresql",
                    reason="needs PostgreSQL (row locks and real concurrency); CI runs it with DATABASE_URL set",
                )
            )


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    # Tasks run in process in tests; a dedicated test checks the real broker on CI.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from eldercare.celery import app

    app.conf.task_always_eager = True


DB_FIXTURES = ("db", "transactional_db", "live_server")


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        (marker and validate_django_db(marker)[0])
        or "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
    )


@pytest.fixture(autouse=True)
def _append_only_guards(request, django_db_blocker):
    """On SQLite, the append-only guards are in place for every database test and dropped before
    the DELETE that flushes a transactional test's tables (see tests/appendonly.py)."""
    if connection.vendor != "sqlite" or not (
        "django_db" in request.keywords or any(f in request.fixturenames for f in DB_FIXTURES)
    ):
        yield
        return
    request.getfixturevalue("_django_db_helper")
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        appendonly.sqlite_install(cursor)
    yield
    if _transactional(request):
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            appendonly.sqlite_drop(cursor)


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    settings.AXES_ENABLED = False


@pytest.fixture
def tree(db) -> DivisionTree:
    return make_tree()


@pytest.fixture
def users(tree):
    """One user per role, scoped like the demo: community A1, street A, district."""
    return {
        "community": user_with_role(Role.COMMUNITY_WORKER, tree.a1),
        "community_b": user_with_role(Role.COMMUNITY_WORKER, tree.b1),
        "street": user_with_role(Role.STREET_REVIEWER, tree.street_a),
        "street_b": user_with_role(Role.STREET_REVIEWER, tree.street_b),
        "district": user_with_role(Role.DISTRICT_REVIEWER, tree.district),
        "assessor": user_with_role(Role.ASSESSOR, tree.district),
        "finance": user_with_role(Role.FINANCE, tree.district),
        "supervisor": user_with_role(Role.SUPERVISOR, tree.district),
        "sysadmin": user_with_role(Role.SYSADMIN, tree.district),
    }


@pytest.fixture
def elder_a1(tree):
    return ElderFactory(community=tree.a1, birth_date=datetime.date(1950, 3, 15))


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: Playwright cannot download its own browser here."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


# The questions the pages asked before an irreversible action (data-confirm), answered "OK" as
# the person at the screen would; a test reads them from the `confirmations` fixture.
CONFIRMATIONS: list[str] = []
_new_context = Browser.new_context


def _accept(dialog) -> None:
    CONFIRMATIONS.append(dialog.message)
    dialog.accept()


def _answering_context(self, *args, **kwargs):
    context = _new_context(self, *args, **kwargs)
    context.on("page", lambda page: page.on("dialog", _accept))
    return context


Browser.new_context = _answering_context


@pytest.fixture(autouse=True)
def confirmations() -> list[str]:
    CONFIRMATIONS.clear()
    return CONFIRMATIONS


@pytest.fixture
def browser_context_args(browser_context_args):
    # The browser asks for English, as many office machines do; the platform must still speak Chinese.
    return {**browser_context_args, "locale": "en-US"}


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    from eldercare import sms

    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache: each test starts with none."""
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _providers_append_only_off_for_the_flush(request, django_db_blocker):
    """SQLite flushes a transactional test's tables with DELETE, which the providers' append-only
    triggers refuse: drop them before the flush (`providers_append_only` puts them back where a test
    needs them). PostgreSQL flushes with TRUNCATE, which row triggers do not see."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in request.fixturenames
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so torn down (flushed) after this
    yield
    if connection.vendor == "sqlite":
        with django_db_blocker.unblock(), connection.cursor() as cur:
            for name in PROVIDERS_APPEND_ONLY.sqlite_triggers():
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")


@pytest.fixture
def providers_append_only(db):
    """The providers' append-only triggers in place (a transactional test may have dropped them)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            for sql in PROVIDERS_APPEND_ONLY.sqlite_triggers().values():
                cur.execute(sql)
