"""One seeded demo district for the security checks, shared by their tests and rolled back afterwards.

The security checks walk the product as each of the demo's roles: seeding the demo once for the
package (a small one, at a fixed date) instead of once per test keeps them within their time
budget. Their modules share one xdist group, so one worker runs them all, one after the other.
"""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from eldercare.models import User

# The demo's day (a Thursday of December, as the seeding test), frozen for the whole module.
DEMO_NOW = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC)
DEMO_ELDERS = 36  # four per community: every seeder still finds the households it needs

ROLE_LOGINS = (
    "community",
    "community2",
    "street",
    "town",
    "town2",
    "district",
    "assessor",
    "finance",
    "finance2",
    "supervisor",
    "provider",
    "caregiver",
    "caregiver2",
    "volunteer",
    "supermarket",
    "admin",
)


@pytest.fixture(scope="package")
def demo_world(django_db_setup, django_db_blocker):
    """The demo seeded inside a transaction that the end of the package rolls back."""
    with time_machine.travel(DEMO_NOW, tick=False), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", elders=DEMO_ELDERS, stdout=StringIO())
            yield {u.username: u for u in User.objects.filter(username__in=ROLE_LOGINS)}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(demo_world, db):
    """The seeded demo's users by login, inside the test's own (rolled back) transaction."""
    with time_machine.travel(DEMO_NOW, tick=False):
        yield demo_world
