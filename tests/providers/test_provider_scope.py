"""Who sees which provider: the district its library, a town or community the providers serving its
street, provider staff their own; each provider once however many of the viewer's streets it serves.
A community's work orders come in the same order as the district's."""

import datetime

import pytest

from eldercare.models import Role
from providers.models import ServiceAgreement
from providers.selectors import caregiver_list, order_list, provider_list
from tests.factories import ElderFactory, user_with_role

from .conftest import START
from .factories import make_caregiver, make_order, make_provider

pytestmark = pytest.mark.django_db


def test_each_viewer_sees_the_providers_serving_its_streets_once(tree):
    # Given one provider serving both streets, one serving street A, one serving street B
    both = make_provider(tree, name="两街道服务中心", streets=[tree.street_a, tree.street_b])
    only_a = make_provider(tree, name="龙川服务中心", streets=[tree.street_a])
    only_b = make_provider(tree, name="仙女服务中心", streets=[tree.street_b])
    for provider in (both, only_a, only_b):
        make_caregiver(provider, name=f"{provider.name}护工")
    viewers = {
        "district": user_with_role(Role.DISTRICT_REVIEWER, tree.district),
        "street A": user_with_role(Role.STREET_REVIEWER, tree.street_a),
        "community A1": user_with_role(Role.COMMUNITY_WORKER, tree.a1),
        "community B1": user_with_role(Role.COMMUNITY_WORKER, tree.b1),
        "provider": user_with_role(Role.PROVIDER_ADMIN, provider=only_b),
    }
    # When each lists the providers and their caregivers
    seen = {who: [p.name for p in provider_list(user=user).order_by("name")] for who, user in viewers.items()}
    caregivers = {who: caregiver_list(user=user).count() for who, user in viewers.items()}
    # Then each sees its own, none twice
    assert seen == {
        "district": sorted([both.name, only_a.name, only_b.name]),
        "street A": sorted([both.name, only_a.name]),
        "community A1": sorted([both.name, only_a.name]),
        "community B1": sorted([both.name, only_b.name]),
        "provider": [only_b.name],
    }
    assert caregivers == {"district": 3, "street A": 2, "community A1": 2, "community B1": 2, "provider": 1}


def test_a_community_sees_its_own_orders_newest_first_like_the_district(world, tree):
    # Given orders of elders in two communities on different days, two at the same hour
    other = ElderFactory(community=tree.b1)
    ServiceAgreement.objects.create(elder=other, provider=world.provider, signed_on=datetime.date(2025, 1, 1))
    days = [START - datetime.timedelta(days=n) for n in (3, 1, 2)]
    mine = [make_order(world, elder=world.elder, at=day) for day in days]
    mine.append(make_order(world, elder=world.elder2, at=days[1]))
    theirs = make_order(world, elder=other, at=START)
    community = user_with_role(Role.COMMUNITY_WORKER, tree.a1)
    district = user_with_role(Role.DISTRICT_REVIEWER, tree.district)
    # When the community worker and the district list the orders in the selector's order
    seen = list(order_list(user=community).values_list("pk", flat=True))
    everyone = list(order_list(user=district).values_list("pk", flat=True))
    # Then the community's are its own, newest first and the later id first on the same hour, in
    # the district's order
    assert seen == [mine[3].pk, mine[1].pk, mine[2].pk, mine[0].pk]
    assert everyone == [theirs.pk, *seen]
