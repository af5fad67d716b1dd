"""The elder's page is the hub for everything about them: each app contributes sections.

An app's `AppConfig.ready()` calls `register(sections)`, where `sections(user, elder)` returns the
`HubSection`s that user may see about that elder (apply, agreements, visits, card, account...).
The shell renders them in `order`, without importing the apps.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from .models import Elder, User


@dataclass
class HubAction:
    label: str
    url: str
    method: str = "get"  # "post": a form with the CSRF token (and a reason field when `reason`)
    reason: bool = False


@dataclass
class HubSection:
    title: str
    order: int = 100
    rows: list[dict] = field(default_factory=list)  # each row: {"label", "url", "detail", "flag"}
    actions: list[HubAction] = field(default_factory=list)
    empty: str = ""


Sections = Callable[[User, Elder], list[HubSection]]

_REGISTERED: list[Sections] = []


def register(sections: Sections) -> None:
    if sections not in _REGISTERED:
        _REGISTERED.append(sections)


def sections_for(user: User, elder: Elder) -> list[HubSection]:
    found = [s for fn in _REGISTERED for s in fn(user, elder)]
    return sorted(found, key=lambda s: s.order)
