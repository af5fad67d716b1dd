"""Every list is scoped: a volunteer sees the orders of the households in their care, a supermarket's
staff the runs placed with it, a community worker the community's; 404 otherwise."""

import pytest

from eldercare.models import Role
from outreach.purchases import nav, selectors, services
from outreach.purchases.models import OrderStatus

from ...factories import user_with_role
from .steps import order, pack_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(tree, worker, worker_b, volunteer, clerk, other_clerk, households, rice):
    """One order per household; 龙川's go to 江都爱心超市, 新都村's to 仙女镇便民超市."""
    made = [order(e, worker if e.community == tree.a1 else worker_b, (rice, 1)) for e in households]
    services.purchase_run_make(community=tree.a1, by=worker)
    services.purchase_run_make(community=tree.b1, by=worker_b)
    for o in made:
        o.refresh_from_db()
    return made


def _ids(qs) -> set[int]:
    return {o.pk for o in qs}


def test_a_volunteer_sees_only_the_orders_of_the_households_in_their_care(orders, volunteer):
    assert _ids(selectors.request_list(user=volunteer)) == {orders[0].pk, orders[1].pk}
    assert list(selectors.run_list(user=volunteer)) == []
    with pytest.raises(Exception, match="No PurchaseRequest"):
        selectors.request_get(user=volunteer, pk=orders[2].pk)


def test_the_volunteer_role_adds_nothing_of_the_tree(tree, orders, volunteer):
    volunteer.role_assignments.create(role=Role.VOLUNTEER, division=tree.a1)
    volunteer = volunteer.__class__.objects.get(pk=volunteer.pk)
    assert _ids(selectors.request_list(user=volunteer)) == {orders[0].pk, orders[1].pk}


def test_supermarket_staff_see_only_their_supermarkets_runs(orders, clerk, other_clerk, shop, other_shop):
    assert {r.supermarket for r in selectors.run_list(user=clerk)} == {shop}
    assert [r.community.name for r in selectors.run_list(user=clerk)] == ["龙川社区"]
    assert _ids(selectors.request_list(user=clerk)) == {o.pk for o in orders[:3]}
    assert _ids(selectors.request_list(user=other_clerk)) == {orders[3].pk}


def test_the_role_without_the_link_or_the_link_without_the_role_sees_nothing(tree, orders, shop):
    role_only = user_with_role(Role.SUPERMARKET, tree.district)
    assert list(selectors.run_list(user=role_only)) == []
    link_only = user_with_role(Role.ASSESSOR, tree.district)
    shop.staff.create(user=link_only)
    assert list(selectors.run_list(user=link_only)) == []
    assert list(selectors.request_list(user=link_only)) == []


def test_a_community_worker_sees_the_communitys_and_not_anothers(tree, orders, worker, worker_b, users):
    assert _ids(selectors.request_list(user=worker)) == {o.pk for o in orders[:3]}
    assert _ids(selectors.request_list(user=worker_b)) == {orders[3].pk}
    assert [r.community for r in selectors.run_list(user=worker_b)] == [tree.b1]
    assert _ids(selectors.request_list(user=users["district"])) == {o.pk for o in orders}
    assert _ids(selectors.request_list(user=users["street"])) == {o.pk for o in orders[:3]}


def test_pages_answer_404_outside_what_the_user_sees(client, orders, volunteer, worker_b, other_clerk, clerk):
    run_a1 = orders[0].run
    client.force_login(volunteer)
    assert client.get(f"/outreach/purchases/orders/{orders[0].pk}/").status_code == 200
    assert client.get(f"/outreach/purchases/orders/{orders[2].pk}/").status_code == 404
    assert client.get(f"/outreach/purchases/runs/{run_a1.pk}/").status_code == 404
    assert client.get(f"/outreach/purchases/elders/{orders[2].elder_id}/order/").status_code == 404
    client.force_login(worker_b)
    assert client.get(f"/outreach/purchases/orders/{orders[0].pk}/").status_code == 404
    assert client.post(f"/outreach/purchases/orders/{orders[0].pk}/cancel/").status_code == 404
    client.force_login(other_clerk)
    assert client.get(f"/outreach/purchases/runs/{run_a1.pk}/").status_code == 404
    assert client.get(f"/outreach/purchases/runs/{run_a1.pk}/orders/{orders[0].pk}/pack/").status_code == 404
    client.force_login(clerk)
    assert client.get(f"/outreach/purchases/runs/{run_a1.pk}/orders/{orders[0].pk}/pack/").status_code == 200
    assert client.get(f"/outreach/purchases/runs/{orders[3].run_id}/").status_code == 404


def test_work_list_counts_equal_the_lists_they_open(client, tree, orders, worker, volunteer, clerk, rice, households):
    # Given one order of 龙川 packed, handed over and delivered, one more waiting
    pack_all(orders[0], clerk)
    pack_all(orders[1], clerk)
    services.request_cancel(request=orders[2], by=worker)
    services.run_hand_over(run=orders[0].run, by=clerk)
    services.request_deliver(request=orders[0], by=worker)
    order(households[2], worker, (rice, 3))
    panels = nav.worklist(worker)
    assert {p.url.split("status=")[1]: p.count for p in panels} == {"requested": 1, "handed_over": 1, "delivered": 1}
    assert [r["label"] for r in panels[0].rows] == ["龙川老人2"]
    client.force_login(worker)
    for panel in panels:
        page = client.get(panel.url)
        assert page.context["page"].paginator.count == panel.count
    # the volunteer: the open orders of their two households
    (mine,) = nav.worklist(volunteer)
    assert mine.count == 2
    client.force_login(volunteer)
    assert client.get(mine.url).context["page"].paginator.count == 2
    # the clerk: the run is handed over, nothing left to pack
    assert nav.worklist(clerk) == []


def test_the_clerks_work_list_shows_runs_to_pack(client, orders, clerk):
    (panel,) = nav.worklist(clerk)
    assert panel.count == 1 and panel.rows[0]["label"] == "龙川社区 #1"
    assert panel.rows[0]["detail"].endswith("0/3")
    client.force_login(clerk)
    assert client.get(panel.url).context["page"].paginator.count == 1
    assert selectors.run_list(user=clerk, open_only=True).get().households == 3


def test_a_cancelled_order_is_not_in_the_consolidated_order(tree, orders, worker):
    services.request_cancel(request=orders[1], by=worker)
    (line,) = selectors.consolidated_order(run=orders[0].run)
    assert (line.label, line.quantity, line.households) == ("大米", 2, 2)
    assert OrderStatus.CANCELLED == selectors.request_get(user=worker, pk=orders[1].pk).status
