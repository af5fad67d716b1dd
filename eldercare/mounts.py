"""Where each app's pages hang in the URL tree.

Each app's `AppConfig.ready()` calls `mount(prefix, urlconf)` with anything `include()` takes: a
module's dotted path, or a list of patterns (for a page that must keep a path under another
app's prefix). The project's URL conf adds them in the order the apps are installed; the core
itself imports no app.
"""

from typing import Any

MOUNTS: list[tuple[str, Any]] = []


def mount(prefix: str, urlconf: Any) -> None:
    if (prefix, urlconf) not in MOUNTS:
        MOUNTS.append((prefix, urlconf))
