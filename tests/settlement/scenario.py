"""A hand-computed quarter: 2026Q4, two towns, two providers, three entitled elders.

Grants (as the monthly run books them, scheme A, split district 7 : town 3), October only:
  e1 龙川社区 (street A)  低保, semi-disabled   150.00 (105.00 / 45.00)
  e2 新都村   (town B)    特困, disabled        260.00 (182.00 / 78.00)
  e3 文昌社区 (street A)  80+, self-care         60.00 ( 42.00 / 18.00), personal deposit 10.00

Visits (price):
  Oct 10  P1 e1 50.00 (subsidy)          Oct 11 P1 e2 80.00 (subsidy)
  Oct 12  P2 e3 100.00 = 60 subsidy + 10 personal + 30 cash co-pay
  Nov 3   both towns confirm October → October LOCKED
  Nov 10  the October visit P1 e1 is voided (after lock → adjustment −50.00 in November)
  Nov 12  P1 e1 50.00                    Nov 13 P2 e1 40.00
  Dec 2   street A confirms November → November LOCKED (town B had no activity)
  Dec 8   P1 e2 80.00                    Dec 9  P1 e2 80.00, voided Dec 10 (before lock: netted)
  Jan 4   town B confirms December → December LOCKED

Quarter: P1 = 50 + 80 + 50 − 50 + 80 = 210.00; P2 = 100 + 40 = 140.00; total 350.00
  street A = 150 + 40 = 190.00; town B = 80 + 80 = 160.00
  subsidy 310.00 → district 217.00, town 93.00; co-pay 40.00 (10 personal + 30 cash)
Next quarter's need: 3 people, (150 + 260 + 60) × 3 = 1,410.00
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import time_machine
from djmoney.money import Money

from eldercare.models import Role
from eldercare.periods import Month
from providers.models import WorkOrder
from providers.services import order_void
from settlement.services import month_confirm
from subsidies.standards.models import Entitlement, Grant, PolicyRow
from tests.factories import user_with_role
from tests.providers.factories import make_caregiver, make_item, make_provider
from tests.subsidies.policy_factories import entitled_elder, schemes
from vouchers.services import grant_credit, grant_key, personal_deposit, redemption_create

TZ = ZoneInfo("Asia/Shanghai")
OCT, NOV, DEC = Month(2026, 10), Month(2026, 11), Month(2026, 12)


def at(y, m, d, h=10):
    return datetime.datetime(y, m, d, h, 0, tzinfo=TZ)


@dataclass
class Quarter4:
    p1: object
    p2: object
    e1: object
    e2: object
    e3: object
    street_a_user: object
    street_b_user: object
    finance: object
    finance2: object
    district: object
    voided_after_lock: WorkOrder
    provider1_admin: object
    provider2_admin: object


def visit(provider, item, caregiver, elder, when, by):
    """A completed, redeemed visit of 90 minutes, booked through the ledger like a check-out."""
    with time_machine.travel(when + datetime.timedelta(minutes=90), tick=False):
        order = WorkOrder.objects.create(
            elder=elder,
            provider=provider,
            item=item,
            price=item.price,
            scheduled_at=when,
            booked_via=WorkOrder.BookedVia.PROVIDER,
            booked_by=by,
            caregiver=caregiver,
            status=WorkOrder.Status.COMPLETED,
            checked_in_at=when,
            checked_out_at=when + datetime.timedelta(minutes=90),
        )
        result = redemption_create(
            elder=elder,
            amount=order.price,
            provider=provider,
            idempotency_key=f"workorder:{order.pk}:redeem",
            reference=f"workorder:{order.pk}",
            by=by,
        )
        order.redemption = result.transaction
        order.save(update_fields=["redemption"])
    return order


def grant(elder, month, amount, tree):
    """What the monthly run books for one elder (its Grant row and ledger credit), split 7 : 3.

    (The set-based run is the subsidies app's; here one row is enough and keeps the test small.)
    """
    total = Money(amount, "CNY")
    district_share = Money((total.amount * 7 / 10).quantize(total.amount), "CNY")
    town_share = total - district_share
    tx = grant_credit(
        elder=elder,
        month=month,
        amount=total,
        shares={tree.district: district_share, elder.community.parent: town_share},
        idempotency_key=grant_key(elder_id=elder.pk, month=month),
    )
    row = PolicyRow.objects.filter(version__scheme__code="jiangdu", amount=total).first()
    return Grant.objects.create(
        elder=elder,
        entitlement=Entitlement.objects.get(elder=elder),
        month=month.first_day,
        amount=total,
        district_share=district_share,
        town_share=town_share,
        policy_version=row.version,
        row=row,
        reason=row.label,
        community=elder.community,
        transaction=tx,
        created_at=tx.created_at,
    )


def build(tree, *, lock_december: bool = True) -> Quarter4:
    with time_machine.travel(at(2026, 9, 20), tick=False):
        a = schemes(tree)["jiangdu"]
        e1 = entitled_elder(
            scheme=a,
            community=tree.a1,
            categories=["dibao"],
            care_level="semi_disabled",
            start_month=OCT,
            name="张秀英",
        )
        e2 = entitled_elder(
            scheme=a, community=tree.b1, categories=["tekun"], care_level="disabled", start_month=OCT, name="李桂兰"
        )
        e3 = entitled_elder(
            scheme=a,
            community=tree.a2,
            birth_date=datetime.date(1940, 1, 1),
            care_level="self_care",
            start_month=OCT,
            name="王德明",
        )
        p1 = make_provider(tree, name="康乐居家服务中心", streets=[tree.street_a, tree.street_b])
        p2 = make_provider(tree, name="安康养老服务公司", streets=[tree.street_a])
        admin1 = user_with_role(Role.PROVIDER_ADMIN, provider=p1)
        admin2 = user_with_role(Role.PROVIDER_ADMIN, provider=p2)
        i50 = make_item(p1, price="50.00")
        i80 = make_item(p1, price="80.00", name="生活照料：助浴")
        i100 = make_item(p2, price="100.00", name="助洁：深度清洁")
        i40 = make_item(p2, price="40.00", name="精神慰藉：陪伴")
        c1, c2 = make_caregiver(p1), make_caregiver(p2, name="周护工")
        street_a = user_with_role(Role.STREET_REVIEWER, tree.street_a, username="street_a")
        street_b = user_with_role(Role.STREET_REVIEWER, tree.street_b, username="street_b")
        finance = user_with_role(Role.FINANCE, tree.district, username="finance1")
        finance2 = user_with_role(Role.FINANCE, tree.district, username="finance2")
        district = user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="district")
    with time_machine.travel(at(2026, 10, 1, 2), tick=False):
        for elder, amount in ((e1, "150.00"), (e2, "260.00"), (e3, "60.00")):
            grant(elder, OCT, amount, tree)
        personal_deposit(elder=e3, amount=Money("10.00", "CNY"), idempotency_key="dep-e3")

    late = visit(p1, i50, c1, e1, at(2026, 10, 10), admin1)
    visit(p1, i80, c1, e2, at(2026, 10, 11), admin1)
    visit(p2, i100, c2, e3, at(2026, 10, 12), admin2)
    with time_machine.travel(at(2026, 11, 3), tick=False):
        month_confirm(month=OCT, street=tree.street_a, by=street_a)
        month_confirm(month=OCT, street=tree.street_b, by=street_b)
    with time_machine.travel(at(2026, 11, 10), tick=False):
        order_void(order=late, reason="服务时长不足，回访核实", by=district)
    visit(p1, i50, c1, e1, at(2026, 11, 12), admin1)
    visit(p2, i40, c2, e1, at(2026, 11, 13), admin2)
    with time_machine.travel(at(2026, 12, 2), tick=False):
        month_confirm(month=NOV, street=tree.street_a, by=street_a)
    visit(p1, i80, c1, e2, at(2026, 12, 8), admin1)
    again = visit(p1, i80, c1, e2, at(2026, 12, 9), admin1)
    with time_machine.travel(at(2026, 12, 10), tick=False):
        order_void(order=again, reason="服务质量不达标", by=district)
    if lock_december:
        with time_machine.travel(at(2027, 1, 4), tick=False):
            month_confirm(month=DEC, street=tree.street_b, by=street_b)
    late.refresh_from_db()
    return Quarter4(p1, p2, e1, e2, e3, street_a, street_b, finance, finance2, district, late, admin1, admin2)
