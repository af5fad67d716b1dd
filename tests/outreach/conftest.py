import datetime

import pytest
import time_machine

from eldercare.models import User

TODAY = datetime.date(2026, 3, 16)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 16, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def volunteer(db) -> User:
    """A volunteer: a login with no role of the core, so nothing of the registry beyond its households."""
    return User.objects.create_user(username="volunteer", password="pw-12345678", full_name="志愿者 李明")
