"""(being written)"""

from eldercare.hub import HubSection
from eldercare.nav import NavItem, WorkPanel

urlpatterns: list = []

NAV_ITEMS: tuple[NavItem, ...] = ()


def worklist(user) -> list[WorkPanel]:
    return []


def hub_sections(user, elder) -> list[HubSection]:
    return []
