import datetime

import pytest

from eldercare.models import Role
from outreach import services as outreach_services
from outreach.inspections import services
from tests.factories import user_with_role
from tests.providers.factories import make_provider


@pytest.fixture
def people(users, tree):
    """The tree's users (community A1 and B1, street A and B, district) with phones for text
    messages, and a provider of street A with its administrator."""
    provider = make_provider(tree)
    found = {**users, "provider_admin": user_with_role(Role.PROVIDER_ADMIN, provider=provider)}
    for i, user in enumerate(found.values()):
        user.phone = f"1390000{i:04d}"
        user.save(update_fields=["phone"])
    found["provider"] = provider
    return found


@pytest.fixture
def heat_wave(people, tree):
    return outreach_services.response_declare(
        by=people["district"],
        district=tree.district,
        kind="heat_wave",
        name="2026年高温关爱",
        starts_on=datetime.date(2026, 2, 20),
    )


@pytest.fixture
def district_inspection(people, tree):
    """The district inspects 龙川社区 on 2026-03-05."""
    return services.inspection_record(
        by=people["district"],
        inspected_on=datetime.date(2026, 3, 5),
        place_kind="community",
        community=tree.a1,
        findings="台账不全，独居老人联系记录缺失",
    )
