"""The menu of the roles outside the tree: a volunteer's is about their households, a partner
supermarket's staff see their orders and nothing of the registry."""

import pytest

from eldercare.models import Role
from eldercare.nav import nav_links_for

from ..factories import user_with_role

pytestmark = pytest.mark.django_db


def _names(user) -> set[str]:
    return {item["name"] for item in nav_links_for(user)}


def test_the_supermarkets_staff_see_their_orders_and_nothing_of_the_registry(tree):
    clerk = user_with_role(Role.SUPERMARKET, tree.district)
    names = _names(clerk)
    assert "outreach_purchases:runs" in names
    assert not names & {"elder_list", "outreach:today", "outreach_purchases:mine", "outreach_calls:today"}


def test_a_volunteer_sees_the_contacts_and_orders_of_their_households(volunteer):
    names = _names(volunteer)
    assert {"outreach:today", "outreach_purchases:mine"} <= names
    assert "outreach_purchases:runs" not in names
