import datetime

import pytest
import time_machine

from eldercare.models import Role, RoleAssignment, User

TODAY = datetime.date(2026, 3, 16)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 16, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def volunteer(tree) -> User:
    """A volunteer of 龙川社区: a role outside the tree, so nothing of the registry beyond its households."""
    user = User.objects.create_user(username="volunteer", password="pw-12345678", full_name="志愿者 李明")
    RoleAssignment.objects.create(user=user, role=Role.VOLUNTEER, division=tree.a1)
    return user
