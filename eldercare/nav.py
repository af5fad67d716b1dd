"""The navigation and the home page's work lists are assembled from each app's `nav` module.

An app declares `NAV_ITEMS` (menu entries visible to some roles) and may define
`worklist(user) -> list[WorkPanel]` for the home page. Apps plug in without touching the shell.
"""

from dataclasses import dataclass, field
from importlib import import_module

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import User

APPS = ("eldercare", "subsidies", "providers", "vouchers", "vouchers.settlement")


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


def _modules():
    for app in APPS:
        try:
            yield import_module(f"{app}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.nav":
                raise


def nav_items_for(user: User) -> list[dict]:
    items = []
    for module in _modules():
        for item in getattr(module, "NAV_ITEMS", ()):
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
    for module in _modules():
        worklist = getattr(module, "worklist", None)
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
    from .selectors import elder_list

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
