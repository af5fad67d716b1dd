"""Role × route × jurisdiction: every named route is classified in route_table.py, and each demo
role opens exactly the routes the table gives it, never with an object outside its jurisdiction;
and nothing it opens (page, API answer, XLSX, PDF) shows a demo person's full ID number or mobile
unless that very request logged a reveal (the audited reveals, the outreach contact page, the
approval form printed with the full number).

One seeded demo per module; one client per role (force_login, the same session serves the API).
A route that only acts (POST_ONLY) is tried by the administrator and anonymously only.
"""

import pytest
from django.test import Client
from django.urls import reverse

from eldercare.models import Elder, RevealLog
from providers.models import WorkOrder
from tests.security import route_table as T
from tests.security import routes as R
from tests.security.conftest import ROLE_LOGINS
from tests.security.numbers import demo_numbers, full_numbers, text_of
from tests.security.observe import get, outcome

# One worker runs the security checks, so the demo is seeded once for all of them (--dist loadgroup).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("seeded-demo")]

DENIED = {"403", "404", "405", "401", "400", "410", "login"}


def classification(name: str):
    namespace = name.split(":", 1)[0] if ":" in name else None
    if name in T.ROUTES:
        return T.ROUTES[name]
    return T.NAMESPACES.get(namespace)


def test_every_route_is_classified_and_every_entry_is_a_route():
    routes = R.walk()
    unclassified = sorted(n for n in routes if classification(n) is None)
    stale = sorted(n for n in T.ROUTES if n not in routes)
    assert unclassified == [], f"classify these routes in tests/security/route_table.py: {unclassified}"
    assert stale == [], f"these routes no longer exist: {stale}"


def _expected_open(entry, login: str) -> bool | None:
    if entry == T.PUBLIC:
        return True
    if login == "anonymous":
        return False
    if entry == T.ANY_SIGNED_IN:
        return True
    if entry in (T.POST_ONLY, T.NOBODY):
        return False
    if entry == T.NO_DEMO_OBJECT:
        return None
    return login in entry


@pytest.mark.parametrize("login", ("anonymous",) + ROLE_LOGINS)
def test_each_role_opens_what_the_table_allows_and_nothing_outside_its_scope(world, login):
    user = world.get(login)
    client = Client()
    if user is not None:
        client.force_login(user)
    lookup_user = user or world["community"]
    unexpected_allows: list[str] = []
    unexpected_denials: list[str] = []
    full_shown: list[str] = []
    known: list[str] = []
    ids, phones = demo_numbers()
    assert ids and phones
    for name, route in R.walk().items():
        entry = classification(name)
        if name.startswith("admin:") and name != "admin:index":
            continue
        if entry == T.POST_ONLY and login not in ("admin", "anonymous"):
            continue
        expected = _expected_open(entry, login)
        inside = R.url_for(route, lookup_user, inside=True)
        if inside is not None and expected is not None:
            reveals = RevealLog.objects.filter(user=user).count() if user else 0
            response = get(client, inside)
            seen = outcome(response)
            if user is not None and response.status_code == 200:
                logged = RevealLog.objects.filter(user=user).count() > reveals
                kinds = [] if logged else full_numbers(text_of(response), ids, phones)
                full_shown += [f"{name} {inside}: {kind}" for kind in kinds]
            if seen == "open" and not expected:
                (known if (name, login) in T.KNOWN_LEAKS else unexpected_allows).append(f"{name} {inside}")
            elif expected and seen != "open":
                unexpected_denials.append(f"{name} {inside} -> {seen}")
            elif not expected:
                assert seen in DENIED, f"{name} {inside} -> {seen}"
        if user is None:
            continue
        outside = R.url_for(route, user, inside=False)
        if outside is not None:
            response = get(client, outside)
            if response.status_code == 200:
                (known if (name, login) in T.KNOWN_LEAKS else unexpected_allows).append(f"{name} {outside} (outside)")
    if known:
        print(f"known leaks for {login}: {known}")
    assert unexpected_allows == [], f"{login} opens: {unexpected_allows}"
    assert unexpected_denials == [], f"{login} is refused: {unexpected_denials}"
    assert full_shown == [], f"{login} sees full numbers: {full_shown}"


# Routes of one elder that a caregiver opens only for the elders it serves (has a work order with).
ELDER_ROUTES = ("elder_detail", "elder-detail", "life_event_verify")


@pytest.mark.parametrize("login", ("caregiver", "caregiver2"))
def test_a_caregiver_opens_only_the_elders_it_serves(world, login):
    user = world[login]
    client = Client()
    client.force_login(user)
    served = set(WorkOrder.objects.filter(caregiver__user=user).values_list("elder_id", flat=True))
    provider = user.caregiver.provider_id
    unserved = (
        Elder.objects.filter(service_agreements__provider_id=provider, service_agreements__ends_on__isnull=True)
        .exclude(pk__in=served)
        .values_list("pk", flat=True)
        .first()
    )
    if unserved is None:
        pytest.skip("every elder of the provider is served by this caregiver in the demo")
    opened, known = [], []
    for name in ELDER_ROUTES:
        route = R.walk()[name]
        key = route.kwargs[0]
        url = reverse(name, kwargs={key: unserved})
        if outcome(get(client, url)) == "open":
            (known if (name, login) in T.KNOWN_LEAKS else opened).append(url)
    if known:
        print(f"known leaks for {login}: {known}")
    assert opened == [], f"{login} opens elders it does not serve: {opened}"
