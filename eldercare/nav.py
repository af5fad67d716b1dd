"""The navigation and the home page's work lists, assembled from what each app registers.

An app's `AppConfig.ready()` calls `register(NAV_ITEMS, worklist)`: menu entries visible to some
roles, and optionally `worklist(user) -> list[WorkPanel]` for the home page. Apps plug in without
the shell importing them; panels appear in the order the apps are installed.

Each entry belongs to one `NavGroup`, a task: the menu shows the groups (a dropdown where a user has
two entries or more, a plain link where they have one) so a role with twenty entries still gets a
menu of one row.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from .models import Role, User
from .paging import capped_count
from .selectors import elder_list
from .workdays import CALENDAR_ROLES, year_is_known


class NavGroup(models.TextChoices):
    """The menu's groups, in the menu's order."""

    REGISTRY = "registry", pgettext_lazy("menu", "Registry")
    SUBSIDIES = "subsidies", pgettext_lazy("menu", "Subsidies")
    SERVICES = "services", pgettext_lazy("menu", "Services")
    MONEY = "money", pgettext_lazy("menu", "Money")
    OUTREACH = "outreach", pgettext_lazy("menu", "Emergency outreach")
    ADMINISTRATION = "administration", pgettext_lazy("menu", "Administration")


@dataclass(frozen=True)
class NavItem:
    label: StrOrPromise
    url_name: str
    roles: tuple[str, ...]  # empty: every signed-in user
    order: int  # within its group
    group: NavGroup


@dataclass
class WorkPanel:
    title: str
    rows: list[dict] = field(default_factory=list)  # each row: {"label", "url", "detail", "flag"}
    url: str = ""
    count: int | None = None
    # The count stopped at the lists' cap (`paging.COUNT_CAP`): there are more, as the list says.
    capped: bool = False


Worklist = Callable[[User], list[WorkPanel]]

_REGISTERED: list[tuple[Sequence[NavItem], Worklist | None]] = []


def register(items: Sequence[NavItem], worklist: Worklist | None = None) -> None:
    """Called once by each app's `ready()`; registering the same items again is a no-op."""
    if not any(items is known and worklist is wl for known, wl in _REGISTERED):
        _REGISTERED.append((items, worklist))


def _sees_items_open_to_all(user: User) -> bool:
    """Everyone signed in sees the items open to all, except a partner supermarket's staff, whose
    only work is the orders placed with their supermarket."""
    return user.is_superuser or not (user.role_set and user.role_set <= {Role.SUPERMARKET})


def nav_links_for(user: User, path: str = "") -> list[dict]:
    """The user's menu entries, flat, in menu order: `label`, `url`, `name`, `group` and `active`
    (the entry whose URL is the longest prefix of `path`, the page being shown)."""
    groups = list(NavGroup)
    found = []
    common = _sees_items_open_to_all(user)
    for registered, _worklist in _REGISTERED:
        for item in registered:
            if item.roles and not (user.is_superuser or user.has_role(*item.roles)):
                continue
            if not item.roles and not common:
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            found.append((groups.index(item.group), item.order, str(item.label), url, item.url_name, item.group))
    found.sort()
    current = max((url for *_, url, _name, _group in found if path.startswith(url)), key=len, default=None)
    return [
        {"label": label, "url": url, "name": name, "group": group, "active": url == current}
        for _g, _o, label, url, name, group in found
    ]


def nav_items_for(user: User, path: str = "") -> list[dict]:
    """The user's menu by group, groups in `NavGroup`'s order: `key`, `label`, `items` (the
    entries of `nav_links_for`) and `active` (the current page is one of its entries)."""
    grouped: dict[NavGroup, list[dict]] = {}
    for link in nav_links_for(user, path):
        grouped.setdefault(link["group"], []).append(link)
    return [
        {
            "key": group.value,
            "label": str(group.label),
            "items": links,
            "active": any(link["active"] for link in links),
        }
        for group, links in grouped.items()
    ]


def work_panels_for(user: User) -> list[WorkPanel]:
    panels: list[WorkPanel] = []
    for _items, worklist in _REGISTERED:
        if worklist is not None:
            panels.extend(worklist(user))
    # What there is to do comes first; panels with nothing in them keep their order below.
    return sorted(panels, key=lambda p: not (p.rows or p.count))


# The core's own entries.
NAV_ITEMS = (
    NavItem(_("Elders"), "elder_list", (), 10, NavGroup.REGISTRY),
    NavItem(
        _("Audit trail"), "audit_log", ("supervisor", "district_reviewer", "sysadmin"), 90, NavGroup.ADMINISTRATION
    ),
    NavItem(_("Holiday calendar"), "calendar", ("district_reviewer", "sysadmin"), 95, NavGroup.ADMINISTRATION),
    NavItem(
        _("Offices and workstations"),
        "office_list",
        ("community_worker", "street_reviewer", "district_reviewer", "sysadmin"),
        96,
        NavGroup.ADMINISTRATION,
    ),
)


def worklist(user: User) -> list[WorkPanel]:
    """The registry panel: recently registered or changed elders in the user's area."""

    panels = []
    today = timezone.localdate()
    next_year = today.year + 1
    if today.month >= 10 and (user.is_superuser or user.has_role(*CALENDAR_ROLES)) and not year_is_known(next_year):
        # From October, deadlines (rectifications, reviews) run into the next year.
        panels.append(
            WorkPanel(
                title=str(_("Enter the official holidays of %(year)s") % {"year": next_year}),
                count=1,
                url=reverse("calendar"),
                rows=[
                    {
                        "label": str(
                            _("Deadlines that run into %(year)s cannot be set until then.") % {"year": next_year}
                        ),
                        "url": reverse("calendar"),
                        "detail": "",
                        "flag": True,
                    }
                ],
            )
        )
    if not user.has_role("community_worker", "street_reviewer", "district_reviewer") and not user.is_superuser:
        return panels
    elders = elder_list(user=user)
    recent = elders.order_by("-updated_at")[:5]
    count, capped = capped_count(elders)  # as the list counts them
    return [
        *panels,
        WorkPanel(
            title=str(_("Elders in your area")),
            count=count,
            capped=capped,
            url=reverse("elder_list"),
            rows=[
                {"label": e.name, "url": e.get_absolute_url(), "detail": e.community.name, "flag": False}
                for e in recent
            ],
        ),
    ]
