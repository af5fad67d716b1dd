"""Each role sees only its part of the tree, on every page, search and API endpoint."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare.models import Elder, ElderCategory, Role

from ..factories import ElderFactory, user_with_role


@pytest.fixture
def elders(tree):
    return {
        "a1": ElderFactory(community=tree.a1, name="甲一"),
        "a2": ElderFactory(community=tree.a2, name="甲二"),
        "b1": ElderFactory(community=tree.b1, name="乙一"),
    }


# role fixture name -> names of the elders it must see (all others must be invisible)
def table_of(response) -> str:
    html = response.content.decode()
    return html[html.find("<table") : html.rfind("</table>")]


VISIBLE = {
    "community": {"甲一"},
    "community_b": {"乙一"},
    "street": {"甲一", "甲二"},
    "street_b": {"乙一"},
    "district": {"甲一", "甲二", "乙一"},
    "assessor": {"甲一", "甲二", "乙一"},
    "finance": {"甲一", "甲二", "乙一"},
    "supervisor": {"甲一", "甲二", "乙一"},
    "sysadmin": {"甲一", "甲二", "乙一"},
}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_list_detail_search_and_api_follow_the_scope(client, users, elders, role):
    user = users[role]
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    expected = VISIBLE[role]

    page = table_of(client.get(reverse("elder_list")))
    api_names = {row["name"] for row in api.get("/api/v1/elders/").json()["results"]}
    assert api_names == expected
    for name, elder in ((e.name, e) for e in elders.values()):
        assert (name in page) == (name in expected)
        detail = client.get(reverse("elder_detail", args=[elder.pk]))
        assert detail.status_code == (200 if name in expected else 404)
        assert api.get(f"/api/v1/elders/{elder.pk}/").status_code == (200 if name in expected else 404)
        found = table_of(client.get(reverse("elder_list"), {"q": name}))
        assert (name in found) == (name in expected)
        api_found = {r["name"] for r in api.get("/api/v1/elders/", {"search": name}).json()["results"]}
        assert api_found == ({name} if name in expected else set())


def test_provider_staff_see_only_elders_with_an_agreement(tree, elders):
    import datetime

    from providers.models import Provider, ServiceAgreement

    mine = Provider.objects.create(name="甲服务社", kind="social", licence_number="L-1", district=tree.district)
    other = Provider.objects.create(name="乙服务社", kind="business", licence_number="L-2", district=tree.district)
    ServiceAgreement.objects.create(elder=elders["a1"], provider=mine, signed_on=datetime.date(2026, 1, 1))
    ServiceAgreement.objects.create(elder=elders["b1"], provider=other, signed_on=datetime.date(2026, 1, 1))
    api = APIClient()
    api.force_authenticate(user_with_role(Role.PROVIDER_ADMIN, provider=mine))
    assert {r["name"] for r in api.get("/api/v1/elders/").json()["results"]} == {"甲一"}
    assert api.get(f"/api/v1/elders/{elders['b1'].pk}/").status_code == 404
    # A caregiver sees only the elders of their own work orders (tests/providers/test_caregiver_scope.py):
    # an agreement of the provider is not enough.
    api.force_authenticate(user_with_role(Role.CAREGIVER, provider=mine))
    assert api.get("/api/v1/elders/").json()["results"] == []
    assert api.get(f"/api/v1/elders/{elders['a1'].pk}/").status_code == 404


def test_export_is_scoped_and_masked(client, users, elders):
    import io

    import pandas as pd

    client.force_login(users["community"])
    response = client.get(reverse("elder_list"), {"export": "xlsx"})
    frame = pd.read_excel(io.BytesIO(response.content), dtype=str)
    assert list(frame["姓名"]) == ["甲一"]
    assert frame["身份证号"][0] == elders["a1"].id_masked
    assert "*" in frame["身份证号"][0]


def test_division_api_is_scoped(users, tree):
    api = APIClient()
    api.force_authenticate(users["community"])
    codes = {d["code"] for d in api.get("/api/v1/divisions/").json()["results"]}
    assert tree.a1.code in codes and tree.b1.code not in codes and tree.a2.code not in codes


def test_anonymous_is_sent_to_login(client, elders):
    assert client.get(reverse("elder_list")).status_code == 302
    assert APIClient().get("/api/v1/elders/").status_code in (401, 403)


def test_a_scope_filters_by_its_ids_through_a_relation_and_an_empty_one_finds_nothing(tree, elders):
    for elder in elders.values():
        ElderCategory.objects.create(elder=elder, category="dibao", evidence_date="2026-01-01")
    street_a = {tree.a1.pk, tree.a2.pk}
    assert set(Elder.objects.filter(community_id__any_of=street_a).values_list("name", flat=True)) == {"甲一", "甲二"}
    assert set(
        ElderCategory.objects.filter(elder__community__any_of=[tree.b1.pk]).values_list("elder__name", flat=True)
    ) == {"乙一"}
    assert not Elder.objects.filter(community_id__any_of=[]).exists()


@pytest.mark.postgres
def test_the_array_of_ids_has_the_columns_type_so_that_postgresql_hashes_it(tree, elders):
    # psycopg sends small ids as a smallint array; a bigint column compared with it is compared
    # with every id in turn, where with an array of its own type the ids are hashed once.
    found = Elder.objects.filter(community_id__any_of=[tree.a1.pk, tree.b1.pk])
    assert "::bigint[])" in str(found.query)
    assert set(found.values_list("name", flat=True)) == {"甲一", "乙一"}
