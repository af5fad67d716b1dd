"""Presence at the door in the demo: the district's verification rules, visits confirmed by the
elder, and visits held for each kind of exception (some awaiting the provider's correction, some
awaiting the town's decision, one approved and one rejected), made through the real services with
the clock moved back."""

import datetime
from decimal import Decimal

import time_machine
from django.conf import settings
from django.db.models import Q
from django.utils import translation

from eldercare.models import LifeStatus
from eldercare.periods import local_day_bounds
from providers.models import (
    Approval,
    Caregiver,
    ElderCard,
    HomeLocation,
    Provider,
    ReasonCode,
    ServiceAgreement,
    ServiceItem,
    VisitPolicy,
    WorkOrder,
    WorkOrderEvent,
)
from providers.services import card_token_for, visit_check_in, visit_check_out
from providers.services.corrections import (
    close_overdue_visits,
    correction_approve,
    correction_propose,
    correction_reject,
)
from providers.services.presence import card_confirmation_codes

from .core import DemoContext

S = WorkOrder.Status
# The demo homes sit around 江都区 (Yangzhou); 0.01° of latitude is about 1.1 km.
HOME = (Decimal("32.434100"), Decimal("119.569800"))


def seed(ctx: DemoContext) -> None:
    with translation.override(settings.LANGUAGE_CODE):  # details kept as a Chinese user would see them
        _seed(ctx)


def _seed(ctx: DemoContext) -> None:
    VisitPolicy.objects.get_or_create(district=ctx.district)
    provider = Provider.objects.filter(role_assignments__user=ctx.users["provider"]).first()
    caregiver = Caregiver.objects.get(user__username="caregiver")
    item = (
        ServiceItem.objects.filter(
            provider=provider,
            subsidised=True,
            certificate_kind="",
            minutes=60,
            approval=Approval.APPROVED,
            active=True,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=ctx.today))
        .order_by("pk")
        .first()
    )
    if provider is None or item is None:
        return
    town = ctx.streets[1]
    elders = [
        a.elder
        for a in ServiceAgreement.objects.filter(
            provider=provider,
            ends_on__isnull=True,
            elder__community__parent=town,
            elder__life_status=LifeStatus.ACTIVE,
            elder__card__isnull=False,
        )
        .select_related("elder")
        .order_by("elder_id")[:9]
    ]
    if len(elders) < 9:
        return
    tz = local_day_bounds(ctx.today)[0].tzinfo
    admin, users = ctx.users["provider"], ctx.users

    def at(days_back: int, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(
            ctx.today - datetime.timedelta(days=days_back), datetime.time(hour, minute), tzinfo=tz
        )

    def order(elder, when: datetime.datetime) -> WorkOrder:
        o = WorkOrder.objects.create(
            elder=elder,
            provider=provider,
            item=item,
            price=item.price,
            scheduled_at=when,
            booked_via=WorkOrder.BookedVia.COMMUNITY,
            booked_by=admin,
            caregiver=caregiver,
            status=S.ASSIGNED,
        )
        booked = when - datetime.timedelta(days=2)
        WorkOrderEvent.objects.bulk_create(
            [
                WorkOrderEvent(order=o, from_status="", to_status=S.BOOKED, by=admin, created_at=booked),
                WorkOrderEvent(order=o, from_status=S.BOOKED, to_status=S.ASSIGNED, by=admin, created_at=booked),
            ]
        )
        return o

    def code(elder) -> str:
        card = ElderCard.objects.get(elder=elder)
        used = set(
            WorkOrder.objects.filter(elder=elder, confirmation_card_version=card.version).values_list(
                "confirmation_code_no", flat=True
            )
        )
        return next(c for n, c in enumerate(card_confirmation_codes(card), start=1) if n not in used)

    def visit(o, *, start, end, typed=False, where=None, confirm=True) -> WorkOrder:
        card = ElderCard.objects.get(elder=o.elder)
        token = card.short_code if typed else card_token_for(card)
        lat, lng = where or (None, None)
        with time_machine.travel(start, tick=False):
            visit_check_in(order=o, code=token, by=caregiver.user, lat=lat, lng=lng)
        if end is None:
            return o
        with time_machine.travel(end, tick=False):
            return visit_check_out(
                order=o,
                code=token,
                by=caregiver.user,
                lat=lat,
                lng=lng,
                elder_code=code(o.elder) if confirm else "",
                accept_unpaid=True,
            )

    def propose(o, reason, minutes, note, when):
        o.refresh_from_db()
        start = o.checked_in_at or o.scheduled_at
        with time_machine.travel(when, tick=False):
            return correction_propose(
                order=o,
                reason=ReasonCode.objects.get(code=reason),
                checked_in_at=start,
                checked_out_at=start + datetime.timedelta(minutes=minutes),
                note=note,
                by=admin,
            )

    home = elders[0]
    HomeLocation.objects.create(
        elder=home, lat=HOME[0], lng=HOME[1], source=HomeLocation.Source.COMMUNITY, set_by=users["community2"]
    )
    near = (HOME[0] + Decimal("0.000300"), HOME[1])
    away = (HOME[0] + Decimal("0.011000"), HOME[1])
    # Verified visits: the card scanned at the door, near the home, a one-time code from the elder.
    visit(order(home, at(6, 12)), start=at(6, 12, 4), end=at(6, 13, 12), where=near)
    visit(order(elders[1], at(5, 12)), start=at(5, 11, 52), end=at(5, 13, 1), where=near)
    # Held, awaiting the provider's correction: away from the home; the typed code alone.
    visit(order(home, at(1, 12)), start=at(1, 12, 2), end=at(1, 13, 8), where=away)
    visit(order(elders[2], at(1, 18)), start=at(1, 18, 3), end=at(1, 19, 10), typed=True, confirm=False)
    # A forgotten check-out and a no-show, closed at night.
    forgotten = visit(order(elders[3], at(3, 12)), start=at(3, 12, 5), end=None)
    absent = order(elders[4], at(2, 18, 30))
    close_overdue_visits(now=at(1, 1), among=WorkOrder.objects.filter(pk__in=[forgotten.pk, absent.pk]))
    # Held, a correction awaiting the town: checked in late; far too long (08:07–20:25).
    late = visit(order(elders[5], at(2, 18)), start=at(2, 20, 25), end=at(2, 21, 35))
    propose(late, "traffic", 70, "上一户老人突发不适，护理员陪同等待家属，延误到 20:25。", at(1, 9))
    long = visit(order(elders[6], at(4, 8)), start=at(4, 8, 7), end=at(4, 20, 25))
    propose(long, "forgot_checkout", 75, "护理员 09:22 离开时忘记签退，晚上才发现；老人家属电话确认。", at(3, 10))
    # Decided: one approved, one rejected (voided and served again).
    approved = visit(order(elders[7], at(8, 12)), start=at(8, 12, 3), end=at(8, 13, 10), typed=True, confirm=False)
    with time_machine.travel(at(7, 10), tick=False):
        correction_approve(
            correction=propose(
                approved, "cannot_confirm", 67, "老人视力不好，读不出确认码；已电话回访确认。", at(7, 9)
            ),
            by=users["town"],
            note="电话回访属实",
        )
    rejected = visit(order(elders[8], at(8, 18)), start=at(8, 20, 40), end=at(8, 21, 45))
    with time_machine.travel(at(7, 11), tick=False):
        correction_reject(
            correction=propose(rejected, "elder_rescheduled", 65, "老人要求改到晚上。", at(7, 9, 30)),
            by=users["town"],
            note="回访老人称当晚无人上门",
        )
