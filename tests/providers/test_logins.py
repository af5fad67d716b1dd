"""Logins made from the pages: the district gives a provider's administrator one, the provider's
administrator gives each caregiver one; every user changes their own password."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare.models import Role, RoleAssignment, User
from providers.models import Caregiver
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
GOOD = "Kangle-2026!"


@pytest.fixture
def district(tree):
    return user_with_role(Role.DISTRICT_REVIEWER, tree.district)


@pytest.fixture
def newcomer(world):
    """A caregiver added on the pages: no login yet."""
    return Caregiver.objects.create(
        provider=world.provider,
        name="孙秀兰",
        staff_number="S-NEW",
        phone="13900000001",
        trained_on=world.caregiver.trained_on,
    )


def test_provider_admin_gives_a_caregiver_a_login_that_opens_the_phone_pages(world, newcomer, client):
    client.force_login(world.admin)
    page = client.get(reverse("providers:caregiver_detail", args=[newcomer.pk])).content.decode()
    assert 'id="caregiver-login"' in page and reverse("providers:caregiver_login", args=[newcomer.pk]) in page
    client.post(reverse("providers:caregiver_login", args=[newcomer.pk]), {"username": "sunxl", "password": GOOD})
    newcomer.refresh_from_db()
    assert newcomer.user.username == "sunxl" and newcomer.user.first_name == "孙秀兰"
    assert list(RoleAssignment.objects.filter(user=newcomer.user).values_list("role", "provider_id")) == [
        (Role.CAREGIVER, world.provider.pk)
    ]
    client.logout()
    assert client.login(username="sunxl", password=GOOD)
    home = client.get(reverse("home")).content.decode()
    assert reverse("providers:my_visits") in home


def test_a_weak_password_or_a_taken_name_is_refused_in_chinese_and_nothing_is_written(world, newcomer, client):
    client.force_login(world.admin)
    url = reverse("providers:caregiver_login", args=[newcomer.pk])
    page = client.post(url, {"username": "sunxl", "password": "12345678"}, follow=True).content.decode()
    assert "密码" in page and "常见" in page
    page = client.post(url, {"username": world.admin.username, "password": GOOD}, follow=True).content.decode()
    assert world.admin.username in page and "已被使用" in page
    newcomer.refresh_from_db()
    assert newcomer.user is None and not User.objects.filter(username="sunxl").exists()


def test_provider_admin_sets_a_new_password_for_a_forgotten_one(world, client):
    client.force_login(world.admin)
    client.post(reverse("providers:caregiver_login", args=[world.caregiver.pk]), {"password": GOOD})
    client.logout()
    assert client.login(username=world.caregiver.user.username, password=GOOD)


def test_only_the_caregivers_own_provider_admin_makes_its_login(world, newcomer, district, client):
    url = reverse("providers:caregiver_login", args=[newcomer.pk])
    client.force_login(world.other_admin)
    assert client.post(url, {"username": "sunxl", "password": GOOD}).status_code == 404
    client.force_login(district)
    client.post(url, {"username": "sunxl", "password": GOOD})
    newcomer.refresh_from_db()
    assert newcomer.user is None


def test_district_gives_the_provider_administrator_a_login(world, district, client, tree):
    client.force_login(district)
    page = client.get(reverse("providers:provider_detail", args=[world.other.pk])).content.decode()
    assert 'id="admin-login-form"' in page
    client.post(
        reverse("providers:provider_admin_login", args=[world.other.pk]),
        {"username": "ankang-admin", "full_name": "钱主任", "password": GOOD},
    )
    user = User.objects.get(username="ankang-admin")
    assert user.has_role(Role.PROVIDER_ADMIN) and user.role_assignments.get().provider == world.other
    page = client.get(reverse("providers:provider_detail", args=[world.other.pk])).content.decode()
    assert "钱主任" in page
    client.force_login(user)
    listing = client.get(reverse("providers:caregiver_list")).content.decode()
    assert reverse("providers:caregiver_create", args=[world.other.pk]) in listing
    community = user_with_role(Role.COMMUNITY_WORKER, tree.a1)
    client.force_login(community)
    client.post(
        reverse("providers:provider_admin_login", args=[world.other.pk]),
        {"username": "sneaky", "full_name": "某人", "password": GOOD},
    )
    assert not User.objects.filter(username="sneaky").exists()


def test_logins_through_the_api(world, newcomer, district):
    api = APIClient()
    api.force_authenticate(world.admin)
    r = api.post(f"/api/v1/caregivers/{newcomer.pk}/login/", {"username": "sunxl", "password": GOOD})
    assert r.status_code == 201 and r.json()["username"] == "sunxl"
    assert Caregiver.objects.get(pk=newcomer.pk).user.username == "sunxl"
    api.force_authenticate(district)
    r = api.post(f"/api/v1/caregivers/{world.caregiver2.pk}/password/", {"password": GOOD})
    assert r.status_code == 403
    r = api.post(
        f"/api/v1/providers/{world.other.pk}/admin-login/",
        {"username": "ankang-admin", "full_name": "钱主任", "password": GOOD},
    )
    assert r.status_code == 201 and User.objects.get(username="ankang-admin").has_role(Role.PROVIDER_ADMIN)
    api.force_authenticate(world.admin)
    r = api.post(
        f"/api/v1/providers/{world.provider.pk}/admin-login/",
        {"username": "self-made", "full_name": "自封", "password": GOOD},
    )
    assert r.status_code == 403 and not User.objects.filter(username="self-made").exists()


def test_every_user_changes_their_own_password(world, client):
    client.force_login(world.admin)
    home = client.get(reverse("home")).content.decode()
    assert reverse("password_change") in home
    world.admin.set_password("old-Pass-2026")
    world.admin.save()
    client.force_login(world.admin)
    r = client.post(
        reverse("password_change"),
        {"old_password": "old-Pass-2026", "new_password1": GOOD, "new_password2": GOOD},
    )
    assert r.status_code == 302
    world.admin.refresh_from_db()
    assert world.admin.check_password(GOOD)
