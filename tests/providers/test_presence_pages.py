"""The district's visit verification page and the elder's home location, on the pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from eldercare.errors import NotAllowed
from providers.models import HomeLocation, VisitPolicy
from providers.services.presence import policy_for, policy_set

pytestmark = pytest.mark.django_db

POLICY_URL = reverse("providers:visit_policy")
VALID = {
    "early_minutes": "15",
    "late_minutes": "60",
    "use_location": "on",
    "geofence_metres": "500",
    "confirmation_required": "on",
    "long_visit_factor": "2.5",
}


def home_url(elder) -> str:
    return reverse("providers:home_location", args=[elder.pk])


# --- the district's rules ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["community", "street", "supervisor", "finance"])
def test_policy_set_is_refused_to_anyone_but_the_district(users, tree, role):
    with pytest.raises(NotAllowed):
        policy_set(district=tree.district, by=users[role], geofence_metres=500)
    assert not VisitPolicy.objects.exists()


def test_district_saves_the_rules_and_they_apply_to_its_elders(client, users, tree, elder_a1):
    client.force_login(users["district"])
    page = client.get(POLICY_URL)
    assert page.status_code == 200
    assert 'name="geofence_metres" value="300"' in page.content.decode()  # the defaults before any change

    r = client.post(POLICY_URL, {**VALID, "use_location": ""}, follow=True)

    assert r.redirect_chain == [(POLICY_URL, 302)]
    policy = VisitPolicy.objects.get(district=tree.district)
    assert (policy.early_minutes, policy.late_minutes, policy.geofence_metres) == (15, 60, 500)
    assert policy.use_location is False and policy.confirmation_required is True
    assert policy.long_visit_factor == Decimal("2.5")
    assert policy_for(elder_a1).geofence_metres == 500
    page = r.content.decode()
    assert "江都区的上门核验规则已保存" in page
    assert str(users["district"]) in page and "时间窗口 −15 / +60 分钟" in page  # the change, and by whom


def test_a_10_metre_geofence_shows_the_chinese_error_and_writes_nothing(client, users):
    client.force_login(users["district"])

    r = client.post(POLICY_URL, {**VALID, "geofence_metres": "10"})

    assert r.status_code == 200
    assert "电子围栏半径至少 50 米" in r.content.decode()
    assert not VisitPolicy.objects.exists()


def test_a_factor_below_one_is_refused(client, users):
    client.force_login(users["district"])
    r = client.post(POLICY_URL, {**VALID, "long_visit_factor": "0.5"})
    assert r.status_code == 200 and "倍数至少为 1" in r.content.decode()
    assert not VisitPolicy.objects.exists()


def test_supervisor_reads_the_rules_but_cannot_save(client, users):
    client.force_login(users["supervisor"])
    page = client.get(POLICY_URL).content.decode()
    assert 'id="policy-read-only"' in page and 'name="geofence_metres" value="300"' in page
    assert "disabled" in page
    assert client.post(POLICY_URL, VALID).status_code == 403
    assert not VisitPolicy.objects.exists()


@pytest.mark.parametrize("role", ["community", "street", "finance"])
def test_others_do_not_open_the_rules_page(client, users, role):
    client.force_login(users[role])
    assert client.get(POLICY_URL).status_code == 403


def test_the_menu_offers_the_page_to_the_district(client, users):
    client.force_login(users["district"])
    assert POLICY_URL in client.get(reverse("home")).content.decode()
    client.force_login(users["community"])
    assert POLICY_URL not in client.get(reverse("home")).content.decode()


# --- the elder's home --------------------------------------------------------------------------


def test_community_worker_locates_the_home_from_the_elder_page(client, users, elder_a1):
    client.force_login(users["community"])
    hub = client.get(elder_a1.get_absolute_url()).content.decode()
    assert home_url(elder_a1) in hub and "尚未定位" in hub

    # A phone gives more decimals than the six kept.
    r = client.post(home_url(elder_a1), {"lat": "32.42827149", "lng": "119.56996251"})

    assert r.status_code == 302
    home = HomeLocation.objects.get(elder=elder_a1)
    assert (home.lat, home.lng) == (Decimal("32.428271"), Decimal("119.569963"))
    assert home.source == HomeLocation.Source.COMMUNITY and home.set_by == users["community"]
    hub = client.get(elder_a1.get_absolute_url()).content.decode()
    assert "已定位：32.428271, 119.569963" in hub and str(users["community"]) in hub


def test_the_location_page_offers_the_phone_button_from_a_static_script(client, users, elder_a1):
    client.force_login(users["community"])
    page = client.get(home_url(elder_a1)).content.decode()
    assert 'id="locate-button"' in page and "用本机定位" in page
    assert "providers/home_locate.js" in page and "<script>" not in page


def test_out_of_range_coordinates_are_refused(client, users, elder_a1):
    client.force_login(users["community"])
    r = client.post(home_url(elder_a1), {"lat": "132.4", "lng": "119.5"})
    assert r.status_code == 200
    assert not HomeLocation.objects.filter(elder=elder_a1).exists()


def test_another_community_gets_404(client, users, elder_a1):
    client.force_login(users["community_b"])
    assert client.get(home_url(elder_a1)).status_code == 404
    assert client.post(home_url(elder_a1), {"lat": "32.4", "lng": "119.5"}).status_code == 404
    assert not HomeLocation.objects.exists()


@pytest.mark.parametrize("role", ["street", "district", "supervisor"])
def test_street_and_district_see_the_home_but_do_not_locate_it(client, users, elder_a1, role):
    HomeLocation.objects.create(
        elder=elder_a1, lat=Decimal("32.4"), lng=Decimal("119.5"), source="community", set_by=users["community"]
    )
    client.force_login(users[role])
    page = client.get(home_url(elder_a1)).content.decode()
    assert "32.400000" in page and 'id="home-read-only"' in page
    assert client.post(home_url(elder_a1), {"lat": "1", "lng": "1"}).status_code == 403
    assert HomeLocation.objects.get(elder=elder_a1).lat == Decimal("32.4")
    assert "32.400000" in client.get(elder_a1.get_absolute_url()).content.decode()


def test_the_provider_neither_sees_nor_locates_the_home(client, world):
    client.force_login(world.admin)
    assert home_url(world.elder) not in client.get(world.elder.get_absolute_url()).content.decode()
    assert client.get(home_url(world.elder)).status_code == 403
