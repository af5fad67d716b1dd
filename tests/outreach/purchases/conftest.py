import datetime

import pytest

from eldercare.models import Role
from outreach.purchases.models import Necessity, PartnerSupermarket, SupermarketStaff

from ...factories import ElderFactory, user_with_role
from ..factories import responsible


@pytest.fixture
def worker(tree):
    return user_with_role(Role.COMMUNITY_WORKER, tree.a1)


@pytest.fixture
def worker_b(tree):
    return user_with_role(Role.COMMUNITY_WORKER, tree.b1)


@pytest.fixture
def shop(tree):
    """The partner supermarket of the whole district, its payment code a link."""
    return PartnerSupermarket.objects.create(
        name="江都爱心超市", district=tree.district, payment_qr="https://pay.example.cn/jiangdu-aixin"
    )


@pytest.fixture
def other_shop(tree):
    """A supermarket serving 仙女镇 only."""
    found = PartnerSupermarket.objects.create(name="仙女镇便民超市", district=tree.district, payment_qr="wxp://other")
    found.streets.add(tree.street_b)
    return found


@pytest.fixture
def clerk(tree, shop):
    """A supermarket clerk: the supermarket staff role and a link to the supermarket."""
    user = user_with_role(Role.SUPERMARKET, tree.district, username="clerk")
    SupermarketStaff.objects.create(supermarket=shop, user=user)
    return user


@pytest.fixture
def other_clerk(tree, other_shop):
    user = user_with_role(Role.SUPERMARKET, tree.district, username="other-clerk")
    SupermarketStaff.objects.create(supermarket=other_shop, user=user)
    return user


@pytest.fixture
def rice(db):
    return Necessity.objects.get(name="大米")


@pytest.fixture
def oil(db):
    return Necessity.objects.get(name="食用油")


@pytest.fixture
def paper(db):
    return Necessity.objects.get(name="卫生纸")


@pytest.fixture
def households(tree, worker, volunteer):
    """Four households of 龙川社区: the volunteer is responsible for the first two; one in 新都村."""
    elders = [
        ElderFactory(community=tree.a1, name=f"龙川老人{i}", birth_date=datetime.date(1945, 5, 1)) for i in range(3)
    ]
    elders.append(ElderFactory(community=tree.b1, name="新都老人", birth_date=datetime.date(1944, 2, 2)))
    for elder in elders[:2]:
        responsible(elder, worker, user=volunteer)
    return elders
