"""Sending a prepared quarter back: the reviewer (another finance user than the preparer, as for an
approval) gives a reason; the quarter is prepared again before anyone may approve it; four eyes and
the reconciliation still hold for the new preparation."""

import pytest
import time_machine
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from djmoney.money import Money

from eldercare.errors import ValidationFailed
from eldercare.periods import Quarter
from settlement.models import QuarterEvent, QuarterSettlement, SettlementReport
from settlement.services import (
    NotReconciled,
    QuarterReturned,
    SamePerson,
    quarter_approve,
    quarter_prepare,
    quarter_send_back,
    report_request,
)
from vouchers.services import redemption_create

from .scenario import at

pytestmark = pytest.mark.django_db
Q4 = Quarter(2026, 4)
JAN5 = at(2027, 1, 5)


@pytest.fixture
def prepared(q4):
    with time_machine.travel(JAN5, tick=False):
        return quarter_prepare(quarter=Q4, by=q4.finance)


def test_send_back_without_reason_is_refused_and_nothing_changes(prepared, q4):
    with time_machine.travel(JAN5, tick=False), pytest.raises(ValidationFailed):
        quarter_send_back(settlement=prepared, by=q4.finance2, reason="   ")
    prepared.refresh_from_db()
    assert prepared.status == QuarterSettlement.Status.PREPARED
    assert [e.to_status for e in prepared.events.all()] == ["prepared"]


def test_the_preparer_cannot_send_back_only_the_reviewer(prepared, q4):
    with time_machine.travel(JAN5, tick=False), pytest.raises(SamePerson):
        quarter_send_back(settlement=prepared, by=q4.finance, reason="重新核对")
    prepared.refresh_from_db()
    assert prepared.status == QuarterSettlement.Status.PREPARED


def test_district_reviewer_cannot_send_back(prepared, q4):
    from eldercare.errors import NotAllowed

    with time_machine.travel(JAN5, tick=False), pytest.raises(NotAllowed):
        quarter_send_back(settlement=prepared, by=q4.district, reason="重新核对")


def test_send_back_records_reason_then_prepare_again_then_the_other_user_approves(prepared, q4):
    with time_machine.travel(JAN5, tick=False):
        returned = quarter_send_back(settlement=prepared, by=q4.finance2, reason="仙女镇12月助浴次数需复核")
        assert returned.status == QuarterSettlement.Status.RETURNED
        event = returned.events.last()
        assert (event.from_status, event.to_status, event.note, event.by) == (
            "prepared",
            "returned",
            "仙女镇12月助浴次数需复核",
            q4.finance2,
        )
        # Approving a quarter sent back, before it is prepared again, is refused.
        with pytest.raises(QuarterReturned):
            quarter_approve(settlement=returned, by=q4.finance2)
        with pytest.raises(QuarterReturned):
            quarter_send_back(settlement=returned, by=q4.finance2, reason="again")
        # The reviewer prepares it again: now the first finance user must approve it.
        again = quarter_prepare(quarter=Q4, by=q4.finance2)
        assert (again.status, again.prepared_by, again.total) == ("prepared", q4.finance2, Money("350.00", "CNY"))
        with pytest.raises(SamePerson):
            quarter_approve(settlement=again, by=q4.finance2)
        approved = quarter_approve(settlement=again, by=q4.finance)
    assert (approved.status, approved.approved_by) == ("approved", q4.finance)
    assert [(e.from_status, e.to_status) for e in approved.events.all()] == [
        ("", "prepared"),
        ("prepared", "returned"),
        ("returned", "prepared"),
        ("prepared", "approved"),
    ]


def test_after_sending_back_the_reconciliation_still_blocks_approval(prepared, q4):
    with time_machine.travel(JAN5, tick=False):
        quarter_send_back(settlement=prepared, by=q4.finance2, reason="复核")
    # A redemption booked straight on the ledger in December, without a work order.
    with time_machine.travel(at(2026, 12, 20), tick=False):
        redemption_create(
            elder=q4.e2, amount=Money("30.00", "CNY"), provider=q4.p1, idempotency_key="stray", reference="stray"
        )
    with time_machine.travel(JAN5, tick=False):
        again = quarter_prepare(quarter=Q4, by=q4.finance)
        assert len(again.differences) == 2
        with pytest.raises(NotReconciled):
            quarter_approve(settlement=again, by=q4.finance2)
    again.refresh_from_db()
    assert again.status == QuarterSettlement.Status.PREPARED


def test_database_refuses_an_approver_on_a_returned_quarter_and_edits_of_events(prepared, q4):
    with time_machine.travel(JAN5, tick=False):
        quarter_send_back(settlement=prepared, by=q4.finance2, reason="复核")
    with pytest.raises(IntegrityError), transaction.atomic():
        QuarterSettlement.objects.filter(pk=prepared.pk).update(approved_by=q4.finance2, approved_at=JAN5)
    with pytest.raises(DatabaseError), transaction.atomic():
        QuarterEvent.objects.filter(settlement=prepared).update(note="")
    with pytest.raises(DatabaseError), transaction.atomic():
        QuarterEvent.objects.filter(settlement=prepared).delete()
    assert QuarterEvent.objects.get(settlement=prepared, to_status="returned").note == "复核"


def test_reports_of_a_preparation_sent_back_are_marked_on_the_quarter_page(prepared, q4, client):
    with time_machine.travel(JAN5, tick=False):
        old = report_request(quarter=Q4, kind=SettlementReport.Kind.SETTLEMENT_PDF, by=q4.finance)
        quarter_send_back(settlement=prepared, by=q4.finance2, reason="仙女镇12月助浴次数需复核")
    with time_machine.travel(at(2027, 1, 6), tick=False):
        quarter_prepare(quarter=Q4, by=q4.finance)
        new = report_request(quarter=Q4, kind=SettlementReport.Kind.SETTLEMENT_PDF, by=q4.finance)
        client.force_login(q4.finance2)
        page = client.get(reverse("settlement_quarter", args=[str(Q4)])).content.decode()
    row = {r.pk: page[page.index(f'id="report-{r.pk}"') :].split("</li>")[0] for r in (old, new)}
    assert "以前编制的" in row[old.pk] and "superseded" in row[old.pk]
    assert "superseded" not in row[new.pk]
