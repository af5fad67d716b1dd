"""The stored month figures (a generation through a watermark plus what came after it) are the
live figures, to the fen and the visit, across refreshes: redemptions, visits paid late, voids in
the month and late voids, short visits, a grant that changes an elder's split and an elder who
moves to another town after the figures were stored."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from djmoney.money import Money

from eldercare.models import Elder
from eldercare.money import round_cny
from providers.models import WorkOrder
from providers.services import order_void
from settlement.compute import months_figures
from settlement.figures import figures_refresh, months_read, open_months
from settlement.models import FiguresGeneration, FiguresRow
from settlement.tasks import refresh_month_figures
from subsidies.standards.models import Entitlement, Grant, PolicyRow
from tests.appendonly import guards_lifted
from tests.providers.factories import make_caregiver, make_item
from tests.subsidies.policy_factories import entitled_elder, schemes
from vouchers.services import grant_credit, grant_key, redemption_create

from .scenario import DEC, NOV, at, build, grant, visit

pytestmark = pytest.mark.django_db
JAN = DEC.next()


def _view(figures) -> list[list[tuple]]:
    """Every figure of every line, rounded as the pages and the lock round them."""
    return [
        [
            (
                x.provider_id,
                x.community_id,
                x.street_id,
                x.kind,
                x.visits,
                x.minutes,
                x.voided_visits,
                x.reserved_visits,
                x.short_visits,
                round_cny(x.subsidy),
                round_cny(x.personal),
                round_cny(x.cash),
                round_cny(x.voided_amount),
                x.district_share,
                x.town_share,
                x.corrects_month,
                x.corrects_id,
                x.reversal_id,
                x.work_order_id,
            )
            for x in f.lines
        ]
        for f in figures
    ]


def _same(months) -> list[list[tuple]]:
    stored, live = _view(months_read(months)), _view(months_figures(months))
    assert stored == live
    return stored


def _grant_half(elder, month, amount, tree):
    """A grant split 1 : 1 (another scheme than the scenario's 7 : 3)."""
    total = Money(amount, "CNY")
    half = Money(total.amount / 2, "CNY")
    tx = grant_credit(
        elder=elder,
        month=month,
        amount=total,
        shares={tree.district: half, elder.community.parent: total - half},
        idempotency_key=grant_key(elder_id=elder.pk, month=month),
    )
    row = PolicyRow.objects.filter(version__scheme__code="jiangdu").first()
    return Grant.objects.create(
        elder=elder,
        entitlement=Entitlement.objects.get(elder=elder),
        month=month.first_day,
        amount=total,
        district_share=half,
        town_share=total - half,
        policy_version=row.version,
        row=row,
        reason=row.label,
        community=elder.community,
        transaction=tx,
        created_at=tx.created_at,
    )


def _order(q, provider, elder, item, caregiver, when, minutes, status):
    return WorkOrder.objects.create(
        elder=elder,
        provider=provider,
        item=item,
        price=item.price,
        scheduled_at=when,
        booked_via=WorkOrder.BookedVia.PROVIDER,
        booked_by=q.provider1_admin,
        caregiver=caregiver,
        status=status,
        checked_in_at=when,
        checked_out_at=when + datetime.timedelta(minutes=minutes),
    )


def test_stored_figures_equal_the_live_ones_across_refreshes(tree):
    # Given October and November locked, December open with two visits (one voided in December).
    q = build(tree, lock_december=False)
    item = make_item(q.p1, price="50.00", name="助餐：送餐上门")
    carer = make_caregiver(q.p1, name="吴护工")
    # An elder written without history (as a bulk import does), granted for December and served.
    Elder.history.filter(id=q.e3.pk).delete()
    with time_machine.travel(at(2026, 12, 1, 2), tick=False):
        grant(q.e3, DEC, "60.00", tree)
    visit(q.p1, item, carer, q.e3, at(2026, 12, 15), q.provider1_admin)
    with time_machine.travel(at(2026, 12, 20), tick=False):
        first = figures_refresh(months=[DEC])
    assert first.generations == 1
    (generation,) = FiguresGeneration.objects.filter(month=DEC.first_day)
    assert generation.rebuilt and generation.lines == FiguresRow.objects.filter(generation=generation).count()
    with time_machine.travel(at(2026, 12, 20), tick=False):
        before = _same([DEC])

    # When, after the watermark: a December visit; a November visit paid late (an adjustment);
    # a late void of a November visit; a December visit stored before the refresh voided now; a
    # short visit; grants split 1 : 1 for the elders of the December visits (one without
    # history); and the elder of the November visits moved to town B.
    visit(q.p1, item, carer, q.e2, at(2026, 12, 21), q.provider1_admin)
    served = at(2026, 11, 28, 9)
    paid_late = _order(q, q.p1, q.e1, item, carer, served, 75, WorkOrder.Status.COMPLETED)
    with time_machine.travel(at(2026, 12, 22), tick=False):
        paid = redemption_create(
            elder=q.e1,
            amount=item.price,
            provider=q.p1,
            idempotency_key=f"workorder:{paid_late.pk}:redeem",
            reference=f"workorder:{paid_late.pk}",
            served_on=datetime.date(2026, 11, 28),
        )
    WorkOrder.objects.filter(pk=paid_late.pk).update(redemption=paid.transaction)
    november = WorkOrder.objects.get(elder=q.e1, provider=q.p1, scheduled_at=at(2026, 11, 12))
    december = WorkOrder.objects.get(elder=q.e2, scheduled_at=at(2026, 12, 8))
    with time_machine.travel(at(2026, 12, 23), tick=False):
        order_void(order=november, reason="回访核实未服务", by=q.district)
        order_void(order=december, reason="服务质量不达标", by=q.district)
    _order(q, q.p1, q.e2, item, carer, at(2026, 12, 24), 20, WorkOrder.Status.SHORT)
    with time_machine.travel(at(2026, 12, 1, 2), tick=False):
        _grant_half(q.e2, DEC, "260.00", tree)
        _grant_half(q.e3, NOV, "60.00", tree)  # a grant of an earlier month booked late
    q.e1.refresh_from_db()
    q.e1.community = tree.b1
    q.e1.save()

    # Then the generation plus what came after it is the live computation, line by line.
    with time_machine.travel(at(2026, 12, 26), tick=False):
        after = _same([DEC])
    assert after != before
    kinds = [(x[3], x[4], x[6]) for x in after[0]]
    assert ("adjustment", 1, 0) in kinds and ("adjustment", 0, 1) in kinds  # late visit, late void
    assert any(x[3] == "service" and x[6] == 2 for x in after[0])  # two December voids, netted
    assert any(x[8] == 1 for x in after[0])  # the short visit

    # A refresh stores all of it (the changed elders are counted again) and reads stay equal; a
    # second refresh with nothing new writes nothing.
    with time_machine.travel(at(2026, 12, 27), tick=False):
        second = figures_refresh(months=[DEC])
        assert second.generations == 1
        latest = FiguresGeneration.objects.filter(month=DEC.first_day).order_by("-id")[0]
        assert not latest.rebuilt  # the two changed elders were counted again, not the month
        assert _same([DEC]) == after
        assert figures_refresh(months=[DEC]).generations == 0

    # A January visit after December's generation: both months read together still agree.
    with time_machine.travel(at(2027, 1, 3), tick=False):
        figures_refresh(months=[JAN])
    visit(q.p1, item, carer, q.e2, at(2027, 1, 3, 14), q.provider1_admin)
    with time_machine.travel(at(2027, 1, 4), tick=False):
        both = _same([DEC, JAN])
    assert both[0] == after[0] and len(both[1]) == 1


def test_a_month_not_yet_begun_has_no_figures_and_nothing_is_stored_for_it(tree):
    build(tree, lock_december=False)
    with time_machine.travel(at(2026, 12, 20), tick=False):
        assert figures_refresh(months=[JAN]).generations == 0
        assert months_read([JAN])[0].lines == []


def test_stored_figures_are_append_only(tree):
    build(tree, lock_december=False)
    with time_machine.travel(at(2026, 12, 20), tick=False):
        figures_refresh(months=[DEC])
    row = FiguresRow.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        FiguresRow.objects.filter(pk=row.pk).update(visits=99)
    with pytest.raises(IntegrityError), transaction.atomic():
        FiguresGeneration.objects.all().delete()


def test_the_refresh_of_the_open_months_is_a_periodic_task(tree):
    from eldercare.celery import app as celery_app

    entry = celery_app.conf.beat_schedule["settlement-refresh-month-figures"]
    assert entry["task"] == refresh_month_figures.name == "settlement.tasks.refresh_month_figures"
    assert entry["schedule"].minute == {0, 30}
    # December open (November locked): on 20 December the task stores November's successor and
    # December, and nothing more when run again.
    build(tree, lock_december=False)
    with time_machine.travel(at(2026, 12, 20), tick=False):
        assert open_months() == [DEC]
        assert refresh_month_figures() == 1
        assert refresh_month_figures() == 0


def test_reads_keep_their_query_count_and_the_check_finds_a_tampered_line(tree):
    q = build(tree, lock_december=False)
    item = make_item(q.p1, price="50.00", name="助餐：送餐上门")
    carer = make_caregiver(q.p1, name="吴护工")

    def read_queries() -> int:
        with time_machine.travel(at(2026, 12, 28), tick=False), CaptureQueriesContext(connection) as ctx:
            months_read([NOV, DEC, JAN])
        return len(ctx.captured_queries)

    with time_machine.travel(at(2026, 12, 20), tick=False):
        figures_refresh(months=[DEC])
    few = read_queries()
    for day in (21, 22, 23):
        visit(q.p1, item, carer, q.e2, at(2026, 12, day), q.provider1_admin)
        visit(q.p1, item, carer, q.e3, at(2026, 12, day, 15), q.provider1_admin)
    assert read_queries() == few  # the entries since the watermark: the same queries
    with time_machine.travel(at(2026, 12, 27), tick=False):
        figures_refresh(months=[DEC], force=True)
    assert read_queries() == few

    out = io.StringIO()
    with time_machine.travel(at(2026, 12, 28), tick=False):
        call_command("check_month_figures", "2026-12", stdout=out)
        assert "equal the live figures" in out.getvalue()
        row = FiguresRow.objects.filter(generation__month=DEC.first_day, kind="service").order_by("-id")[0]
        with guards_lifted("settlement_figuresrow"):
            FiguresRow.objects.filter(pk=row.pk).update(visits=row.visits + 1)
        with pytest.raises(CommandError, match="1 lines differ"):
            call_command("check_month_figures", "2026-12", stdout=io.StringIO())


def test_a_refresh_after_grants_that_change_no_figure_stores_a_generation_through_them(tree):
    # Given December's figures stored
    build(tree, lock_december=False)
    with time_machine.travel(at(2026, 12, 20), tick=False):
        assert figures_refresh(months=[DEC]).generations == 1
        before = _same([DEC])
    # When an elder granted for the first time (no visit yet: no figure changes) comes after them
    with time_machine.travel(at(2026, 12, 20), tick=False):
        newcomer = entitled_elder(
            scheme=schemes(tree)["jiangdu"], community=tree.a1, categories=["dibao"], start_month=DEC, name="赵新来"
        )
    with time_machine.travel(at(2026, 12, 21, 2), tick=False):
        grant(newcomer, DEC, "150.00", tree)
    # Then the next refresh stores a generation through that grant, so that reads no longer count
    # the newcomer again; the figures are the same, and a refresh with nothing new writes nothing.
    with time_machine.travel(at(2026, 12, 22), tick=False):
        assert figures_refresh(months=[DEC]).generations == 1
        latest = FiguresGeneration.objects.filter(month=DEC.first_day).order_by("-id")[0]
        assert latest.through_grant == Grant.objects.latest("id").pk
        assert _same([DEC]) == before
        assert figures_refresh(months=[DEC]).generations == 0
