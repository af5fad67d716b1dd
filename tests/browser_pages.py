"""The demo district in a live server, and the pages each role reaches from its menu: shared by the
browser tests that walk every page of a role (accessibility, phone layouts)."""

import datetime
from collections.abc import Iterable, Iterator
from importlib import import_module
from io import StringIO

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection

from devtools.demo.core import DEMO_PASSWORD
from eldercare.models import User
from eldercare.nav import nav_items_for

SETTLEMENT_GUARDS = import_module("settlement.migrations.0002_guards")
# The reference data the migrations load (materials and the assessment instrument, reason codes,
# the necessities): a transactional test before this one on the same worker flushed it.
REFERENCE_DATA = (
    import_module("subsidies.applications.migrations.0003_seed_materials_and_instrument").seed,
    import_module("providers.migrations.0005_reason_codes").load,
    import_module("outreach.purchases.migrations.0002_necessities_catalogue").add,
)
SETTLEMENT_EVENTS = import_module("settlement.migrations.0003_quarter_returned")

# The demo is seeded on a working morning of December, as tests/devtools/test_seed_demo.py does.
DEMO_MORNING = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC)
DEMO_ELDERS = 60  # enough for every list to have rows and pages, few enough to seed in seconds


@pytest.fixture
def demo(live_server, settings, django_db_blocker):
    """The demo seeded and served, on its morning with the clock ticking. The settlement's SQLite
    triggers refuse the DELETE that flushes a locked month after a transactional test: dropped
    before the flush, as tests/settlement/conftest.py does."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    for load in REFERENCE_DATA:  # each loads idempotently (get_or_create, update_or_create)
        load(django_apps, None)
    with time_machine.travel(DEMO_MORNING, tick=True):
        call_command("seed_demo", elders=DEMO_ELDERS, stdout=StringIO())
        yield live_server
    if connection.vendor == "sqlite":
        with django_db_blocker.unblock(), connection.cursor() as cur:
            for name in [*SETTLEMENT_GUARDS._sqlite_names(), *SETTLEMENT_EVENTS.sqlite_names()]:
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")


def _urls(entries: Iterable[dict]) -> Iterator[str]:
    """The menu's links, whether the menu is a flat list of {"url": …} or groups of {"items": […]}."""
    for entry in entries:
        if "items" in entry:
            yield from _urls(entry["items"])
        elif entry.get("url"):
            yield entry["url"]


def menu_urls(username: str) -> list[str]:
    """The pages in the role's menu, in menu order, each once."""
    return list(dict.fromkeys(_urls(nav_items_for(User.objects.get(username=username)))))


def log_in(browser, live_server, username: str, **context):
    ctx = browser.new_context(bypass_csp=True, **context)  # axe is injected as a script
    page = ctx.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return ctx, page


def panel_first_links(page) -> list[str]:
    """The first link in each panel of the work list (the home page), as paths."""
    links = page.locator(".work-panel .card").evaluate_all(
        "cards => cards.map(c => c.querySelector('.list-group a, .card-footer a')).filter(Boolean)"
        ".map(a => a.getAttribute('href'))"
    )
    return list(dict.fromkeys(href for href in links if href and href.startswith("/")))
