"""The settlement's write endpoints, role by role, on the hand-computed quarter of `scenario.py`.

Each write: the role that may call it gets a 2xx and the figures change as the scenario computes
them; every other role is refused with a message and nothing is written. The reads of the quarter
page (its months and their lock) are open to the district roles only, the months to the towns
and the providers too.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from rest_framework.test import APIClient

from eldercare.models import Role
from settlement.models import MonthLine, QuarterEvent, QuarterSettlement, ServiceMonth, TownConfirmation
from settlement.services import quarter_prepare
from tests.factories import user_with_role

from .scenario import DEC, at, build

pytestmark = pytest.mark.django_db
JAN4, JAN5 = at(2027, 1, 4), at(2027, 1, 5)
ROLES = ("town", "other_town", "community", "district", "finance", "reviewer", "supervisor", "admin", "caregiver")
QUARTER = "/api/v1/settlement-quarters/2026Q4"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def people(q, tree) -> dict:
    """`town` is 仙女镇, whose December confirmation is the one missing; `reviewer` is the second
    finance user, who approves what `finance` prepared."""
    return {
        "town": q.street_b_user,
        "other_town": q.street_a_user,
        "community": user_with_role(Role.COMMUNITY_WORKER, tree.a1),
        "district": q.district,
        "finance": q.finance,
        "reviewer": q.finance2,
        "supervisor": user_with_role(Role.SUPERVISOR, tree.district),
        "admin": q.provider1_admin,
        "caregiver": user_with_role(Role.CAREGIVER, provider=q.p1),
    }


def state():
    return (
        list(TownConfirmation.objects.values_list("service_month__month", "street").order_by("pk")),
        list(ServiceMonth.objects.values_list("month", "status").order_by("month")),
        MonthLine.objects.count(),
        list(QuarterSettlement.objects.values_list("status", "prepared_by", "approved_by", "total")),
        QuarterEvent.objects.count(),
    )


@dataclass(frozen=True)
class Write:
    name: str
    lock_december: bool  # the scenario as built: December still open, or every month locked
    now: object
    call: Callable  # (client, tree) -> response
    done: Callable  # (q, who, response) -> asserts the change
    allowed: str
    not_concerned: tuple[str, ...] = ()  # roles that may also do it: neither allowed here nor refused
    arrange: Callable = lambda q, who: None

    @property
    def refused(self) -> tuple[str, ...]:
        return tuple(r for r in ROLES if r != self.allowed and r not in self.not_concerned)

    def __repr__(self) -> str:
        return self.name


def december_locked(q, who, r):
    body = r.json()
    assert (body["month"], body["status"], body["missing"]) == ("2026-12", "locked", [])
    assert [c["street_name"] for c in body["confirmed"]] == ["仙女镇"] and body["confirmed"][0]["note"] == "已核对"
    month = ServiceMonth.objects.get(month=DEC.first_day)
    assert (month.status, month.locked_at is not None) == (ServiceMonth.Status.LOCKED, True)
    # The month's figures are frozen: P1 served e2 twice in December (80.00), once voided (netted).
    assert sum(line.total.amount for line in MonthLine.objects.filter(service_month=month)) == Decimal("80.00")


def quarter_prepared(q, who, r):
    body = r.json()
    s = body["settlement"]
    assert (body["status"], s["prepared_by"]) == ("prepared", "finance1")
    assert (s["total"], s["subsidy"], s["copay"], s["district_share"], s["town_share"]) == (
        "350.00",
        "310.00",
        "40.00",
        "217.00",
        "93.00",
    )
    assert (s["need_people"], s["need_amount"]) == (3, "1410.00")
    assert [e["to_status"] for e in body["events"]] == ["prepared"]


def prepare(q, who):
    with time_machine.travel(JAN5, tick=False):
        quarter_prepare(quarter=DEC.quarter, by=who["finance"])


def quarter_approved(q, who, r):
    settlement = QuarterSettlement.objects.get()
    assert (settlement.status, settlement.prepared_by, settlement.approved_by) == ("approved", q.finance, q.finance2)
    assert [e["to_status"] for e in r.json()["events"]] == ["prepared", "approved"]
    assert r.json()["events"][-1]["note"] == "同意拨付"


def quarter_returned(q, who, r):
    settlement = QuarterSettlement.objects.get()
    assert (settlement.status, settlement.approved_by) == ("returned", None)
    event = QuarterEvent.objects.latest("id")
    assert (event.from_status, event.to_status, event.note, event.by) == (
        "prepared",
        "returned",
        "仙女镇数据需复核",
        q.finance2,
    )


WRITES = [
    Write(
        "a town confirms its month",
        lock_december=False,
        now=JAN4,
        call=lambda client, tree: client.post(
            "/api/v1/settlement-months/2026-12/confirm/", {"street": tree.street_b.pk, "note": "已核对"}, format="json"
        ),
        done=december_locked,
        allowed="town",
    ),
    Write(
        "finance prepares the quarter",
        lock_december=True,
        now=JAN5,
        call=lambda client, tree: client.post(f"{QUARTER}/prepare/"),
        done=quarter_prepared,
        allowed="finance",
        not_concerned=("reviewer",),  # any finance user prepares
    ),
    Write(
        "another finance user approves",
        lock_december=True,
        now=JAN5,
        call=lambda client, tree: client.post(f"{QUARTER}/approve/", {"note": "同意拨付"}, format="json"),
        done=quarter_approved,
        allowed="reviewer",
        arrange=prepare,
    ),
    Write(
        "another finance user sends it back",
        lock_december=True,
        now=JAN5,
        call=lambda client, tree: client.post(f"{QUARTER}/send-back/", {"reason": "仙女镇数据需复核"}, format="json"),
        done=quarter_returned,
        allowed="reviewer",
        arrange=prepare,
    ),
]


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
def test_the_allowed_role_writes(tree, write):
    q = build(tree, lock_december=write.lock_december)
    who = people(q, tree)
    write.arrange(q, who)
    with time_machine.travel(write.now, tick=False):
        response = write.call(api(who[write.allowed]), tree)
    assert response.status_code == 200, response.content.decode()
    write.done(q, who, response)


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
def test_every_other_role_is_refused_and_nothing_is_written(tree, write):
    q = build(tree, lock_december=write.lock_december)
    who = people(q, tree)
    write.arrange(q, who)
    before = state()
    answers = {}
    with time_machine.travel(write.now, tick=False):
        for role in write.refused:
            response = write.call(api(who[role]), tree)
            answers[role] = (response.status_code, bool(response.json()["detail"]))
            assert state() == before, f"{role} changed something"
    assert answers == dict.fromkeys(write.refused, (403, True))


def test_the_quarter_page_and_the_months_are_read_by_whom_they_concern(tree):
    q = build(tree)
    who = people(q, tree)
    prepare(q, who)
    quarter, month = {}, {}
    with time_machine.travel(JAN5, tick=False):
        for role in ROLES:
            r = api(who[role]).get(f"{QUARTER}/")
            quarter[role] = r.status_code
            if r.status_code == 200:
                body = r.json()
                assert [m["status"] for m in body["months"]] == ["locked", "locked", "locked"], role
                assert (body["status"], body["settlement"]["total"]) == ("prepared", "350.00"), role
            month[role] = api(who[role]).get("/api/v1/settlement-months/2026-12/").status_code
    assert quarter == {
        "town": 403,
        "other_town": 403,
        "community": 403,
        "district": 200,
        "finance": 200,
        "reviewer": 200,
        "supervisor": 200,
        "admin": 403,
        "caregiver": 403,
    }
    assert month == {**dict.fromkeys(ROLES, 200), "community": 403, "caregiver": 403}


@pytest.mark.parametrize(
    "body",
    [{"street": "仙女镇"}, {"note": "已核对"}, ["street"], {"street": None}],
    ids=["a name for the id", "no street", "a list", "null"],
)
def test_a_malformed_confirmation_is_refused_with_a_message(tree, body):
    q = build(tree, lock_december=False)
    before = state()
    with time_machine.travel(JAN4, tick=False):
        r = api(q.street_b_user).post("/api/v1/settlement-months/2026-12/confirm/", body, format="json")
    assert r.status_code == 400 and r.json()
    assert state() == before


@pytest.mark.parametrize(
    ("action", "body"),
    [("approve", ["同意"]), ("approve", {"note": ["同意"]}), ("send-back", {"reason": ["复核"]}), ("send-back", {})],
)
def test_a_malformed_decision_is_refused_with_a_message(tree, action, body):
    q = build(tree)
    who = people(q, tree)
    prepare(q, who)
    before = state()
    with time_machine.travel(JAN5, tick=False):
        r = api(q.finance2).post(f"{QUARTER}/{action}/", body, format="json")
    assert r.status_code == 400 and r.json()
    assert state() == before
