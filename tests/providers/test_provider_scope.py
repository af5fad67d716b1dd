"""Who sees which provider: the district its library, a town or community the providers serving its
street, provider staff their own; each provider once however many of the viewer's streets it serves."""

import pytest

from eldercare.models import Role
from providers.selectors import caregiver_list, provider_list
from tests.factories import user_with_role

from .factories import make_caregiver, make_provider

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
