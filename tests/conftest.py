import datetime
import os

import pytest
from django.db import connection

from eldercare.models import Role

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run while
# one is running unless told it is safe. The tests own both sides, so it is.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from .factories import DivisionTree, ElderFactory, make_tree, user_with_role


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


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    settings.AXES_ENABLED = False
    # Real hashing costs a third of a second a user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


@pytest.fixture
def browser_context_args(browser_context_args):
    # The browser asks for English, as many office machines do; the platform must still speak Chinese.
    return {**browser_context_args, "locale": "en-US"}
