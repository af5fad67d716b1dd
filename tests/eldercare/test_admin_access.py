"""The Django admin is for the system administrator's repairs: every other role is turned away,
even a user someone marked as staff."""

import pytest

from eldercare.models import Role

from ..factories import user_with_role
from ..providers.factories import make_provider

pytestmark = pytest.mark.django_db

WORKING_ROLES = [r for r in Role.values if r != Role.SYSADMIN]


@pytest.mark.parametrize("role", WORKING_ROLES)
def test_working_roles_cannot_open_the_admin_even_as_staff(client, tree, role):
    if role in (Role.PROVIDER_ADMIN, Role.CAREGIVER):
        user = user_with_role(role, provider=make_provider(tree))
    else:
        user = user_with_role(role, tree.a1)
    user.is_staff = True
    user.save()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.get("/admin/eldercare/elder/").status_code == 302


def test_the_system_administrator_opens_the_admin(client, tree):
    user = user_with_role(Role.SYSADMIN, tree.district)
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
