"""The navigation and the home page's work lists, assembled from what each app registers.

An app's `AppConfig.ready()` calls `register(NAV_ITEMS, worklist)`: menu entries visible to some
roles, and optionally `worklist(user) -> list[WorkPanel]` for the home page. Apps plug in without
the shell importing them; panels appear in the order the apps are installed.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import User
from .selectors import elder_list


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]  # empty: every signed-in user
    order: int = 100


@dataclass
class WorkPanel:
    title: str
    rows: list[dict] = field(default_factory=list)  # each row: {"label", "url", "detail", "flag"}
    url: str = ""
    count: int | None = None


Worklist = Callable[[User], list[WorkPanel]]

_REGISTERED: list[tuple[Sequence[NavItem], Worklist | None]] = []


def register(items: Sequence[NavItem], worklist: Worklist | None = None) -> None:
    """Called once by each app's `ready()`; registering the same items again is a no-op."""
    if not any(items is known and worklist is wl for known, wl in _REGISTERED):
        _REGISTERED.append((items, worklist))


def nav_items_for(user: User) -> list[dict]:
    items = []
    for registered, _worklist in _REGISTERED:
        for item in registered:
            if item.roles and not (user.is_superuser or user.has_role(*item.roles)):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            items.append((item.order, str(item.label), url, item.url_name))
    items.sort()
    return [{"label": label, "url": url, "name": name} for _, label, url, name in items]


def work_panels_for(user: User) -> list[WorkPanel]:
    panels: list[WorkPanel] = []
    for _items, worklist in _REGISTERED:
        if worklist is not None:
            panels.extend(worklist(user))
    return panels


# The core's own entries.
NAV_ITEMS = (
    NavItem(_("Elders"), "elder_list", (), 10),
    NavItem(_("Audit trail"), "audit_log", ("supervisor", "district_reviewer", "sysadmin"), 90),
)


def worklist(user: User) -> list[WorkPanel]:
    """The registry panel: recently registered or changed elders in the user's area."""

    if not user.has_role("community_worker", "street_reviewer", "district_reviewer") and not user.is_superuser:
        return []
    elders = elder_list(user=user)
    recent = elders.order_by("-updated_at")[:5]
    return [
        WorkPanel(
            title=str(_("Elders in your area")),
            count=elders.count(),
            url=reverse("elder_list"),
            rows=[
                {"label": e.name, "url": e.get_absolute_url(), "detail": e.community.name, "flag": False}
                for e in recent
            ],
        )
    ]
