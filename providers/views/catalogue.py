"""The catalogue: items and packages a provider offers, approved by the district."""

from django.urls import path  # noqa: F401

from eldercare.hub import HubSection
from eldercare.nav import NavItem, WorkPanel

urlpatterns: list = []

# Menu entries and home-page panels of this area (registered by ProvidersConfig.ready()).
NAV_ITEMS: tuple[NavItem, ...] = ()


def worklist(user) -> list[WorkPanel]:
    return []


def hub_sections(user, elder) -> list[HubSection]:
    """What this area shows on the elder's page (eldercare.hub)."""
    return []
