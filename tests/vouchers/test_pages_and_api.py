"""Account pages, the PDF statement and the API answer only within the viewer's scope."""

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from eldercare.models import Role
from eldercare.money import cny
from tests.factories import ElderFactory, user_with_role
from vouchers.models import Account
from vouchers.services import account_for_elder, provider_account, redemption_create

from .factories import ProviderFactory, grant

pytestmark = pytest.mark.django_db

LIST = "/vouchers/"
JAN = datetime.datetime(2026, 1, 20, 10, tzinfo=datetime.UTC)


@pytest.fixture
def booked(tree, elder_a1, provider):
    with time_machine.travel(JAN, tick=False):
        grant(elder_a1, "2026-01", 150, tree)
        redemption_create(elder=elder_a1, amount=cny(120), provider=provider, idempotency_key="v1", reference="WO-1")
    return elder_a1


def test_account_page_shows_balance_within_scope(client, users, booked):
    client.force_login(users["community"])
    response = client.get(f"/vouchers/elders/{booked.pk}/")
    assert response.status_code == 200
    assert "30.00" in response.content.decode()
    for outsider in ("community_b", "street_b"):
        client.force_login(users[outsider])
        assert client.get(f"/vouchers/elders/{booked.pk}/").status_code == 404


def test_provider_sees_only_its_own_account(client, tree, booked, provider):
    staff = user_with_role(Role.PROVIDER_ADMIN, provider=provider)
    other = ProviderFactory(district=tree.district)
    client.force_login(staff)
    assert client.get(f"/vouchers/elders/{booked.pk}/").status_code == 404
    own = provider_account(provider=provider)
    assert client.get(f"/vouchers/accounts/{own.pk}/").status_code == 200
    assert client.get(f"/vouchers/accounts/{provider_account(provider=other).pk}/").status_code == 404


def test_api_balance_and_entries_are_scoped(users, booked):
    api = APIClient()
    subsidy = account_for_elder(elder=booked, kind=Account.Kind.SUBSIDY)
    api.force_authenticate(users["street"])
    listed = api.get(f"/api/v1/voucher-accounts/?elder={booked.pk}&kind=subsidy").json()
    assert [row["balance"] for row in listed["results"]] == ["30.00"]
    entries = api.get(f"/api/v1/voucher-accounts/{subsidy.pk}/entries/").json()["results"]
    assert sorted(e["amount"] for e in entries) == ["-120.00", "150.00"]
    api.force_authenticate(users["community_b"])
    assert api.get(f"/api/v1/voucher-accounts/{subsidy.pk}/").status_code == 404
    assert api.get(f"/api/v1/voucher-accounts/{subsidy.pk}/entries/").status_code == 404
    assert api.get("/api/v1/voucher-accounts/").json()["results"] == []


def test_finance_sees_funding_accounts(users, tree, booked):
    api = APIClient()
    api.force_authenticate(users["finance"])
    rows = api.get("/api/v1/voucher-accounts/?kind=funding").json()["results"]
    assert sorted(r["balance"] for r in rows) == ["-105.00", "-45.00"]


def test_month_statement_pdf_in_chinese(client, users, booked):
    client.force_login(users["district"])
    response = client.get(f"/vouchers/elders/{booked.pk}/statement/2026-01.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(users["community_b"])
    assert client.get(f"/vouchers/elders/{booked.pk}/statement/2026-01.pdf").status_code == 404


def test_account_page_opens_the_chosen_months_statement_without_script(client, users, booked):
    """The month picker is a plain GET form (the content security policy forbids inline script)."""
    client.force_login(users["district"])
    page = client.get(f"/vouchers/elders/{booked.pk}/").content.decode()
    assert "onsubmit" not in page and f'action="/vouchers/elders/{booked.pk}/statement/"' in page
    response = client.get(f"/vouchers/elders/{booked.pk}/statement/", {"month": "2026-01"})
    assert response.status_code == 302 and response["Location"] == f"/vouchers/elders/{booked.pk}/statement/2026-01.pdf"
    assert client.get(f"/vouchers/elders/{booked.pk}/statement/", {"month": "2026-13"}).status_code == 404
    client.force_login(users["community_b"])
    assert client.get(f"/vouchers/elders/{booked.pk}/statement/", {"month": "2026-01"}).status_code == 404


def test_district_reviewer_freezes_and_unfreezes_through_the_page(client, users, booked):
    client.force_login(users["district"])
    client.post(f"/vouchers/elders/{booked.pk}/freeze/", {"cause": "deceased", "reason": "社区上报去世"})
    subsidy = account_for_elder(elder=booked, kind=Account.Kind.SUBSIDY)
    assert (subsidy.status, subsidy.status_cause, subsidy.status_reason) == ("frozen", "deceased", "社区上报去世")
    client.force_login(users["street"])
    client.post(f"/vouchers/elders/{booked.pk}/unfreeze/", {"reason": "误报"})
    subsidy.refresh_from_db()
    assert subsidy.status == "frozen"
    client.force_login(users["district"])
    client.post(f"/vouchers/elders/{booked.pk}/unfreeze/", {"reason": "死亡报告有误"})
    subsidy.refresh_from_db()
    assert subsidy.status == "active"


def test_elder_of_another_street_is_not_reachable_by_status_actions(client, users, tree):
    elder = ElderFactory(community=tree.b1)
    client.force_login(users["street"])
    assert client.post(f"/vouchers/elders/{elder.pk}/freeze/", {"cause": "deceased", "reason": "x"}).status_code == 404


def test_the_account_list_searches_by_post_and_pages_without_the_text_in_the_address(client, users, tree):
    for i in range(51):
        account_for_elder(elder=ElderFactory(community=tree.a1, name=f"孙{i:02d}"), kind=Account.Kind.SUBSIDY)
    account_for_elder(elder=ElderFactory(community=tree.a1, name="李四"), kind=Account.Kind.SUBSIDY)
    client.force_login(users["community"])
    response = client.post(LIST, {"q": "孙", "kind": "subsidy"})
    assert response.status_code == 302
    location = response["Location"]
    assert "s=" in location and "kind=subsidy" in location and "q=" not in location
    first = client.get(location)
    assert len(first.context["page"]) == 50 and first.context["q"] == "孙"
    # The next page keeps the search through its key, never through the text.
    second_url = LIST + location[location.index("?") :] + "&page=2"
    assert f"s={first.context['s']}&" in first.content.decode()
    assert [a.elder.name for a in client.get(second_url).context["page"]] == ["孙50"]


def test_the_account_list_refuses_a_number_in_the_address(client, users, booked):
    client.force_login(users["community"])
    assert client.get(LIST, {"q": booked.id_number}).status_code == 400
    assert client.get(LIST, {"q": "13812345678"}).status_code == 400
    assert {a.elder for a in client.get(LIST, {"q": booked.name}).context["page"]} == {booked}


def test_the_account_list_finds_an_elder_as_the_registry_does(client, users, booked):
    """The registry's search: pinyin initials and the last digits of the ID number find the elder's
    accounts as they find the elder (the search text is posted, never put in the address)."""
    from eldercare.searchkeys import name_initials

    account_for_elder(elder=ElderFactory(community=booked.community, name="李四"), kind=Account.Kind.SUBSIDY)
    client.force_login(users["community"])
    for text in (name_initials(booked.name), booked.id_number[-4:]):
        location = client.post(LIST, {"q": text})["Location"]
        assert {a.elder for a in client.get(location).context["page"]} == {booked}, text
