"""Statements place money by its business date (the month a grant is for, the day a visit was
served), not by the moment it was written: October's subsidy credited on 3 November is on the
October statement, and a visit of 31 October paid on 2 November too."""

import datetime
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine

from eldercare.money import cny
from eldercare.periods import Month
from vouchers.selectors import month_statement
from vouchers.services import redemption_create

from .factories import grant

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
OCT, NOV = Month(2026, 10), Month(2026, 11)


def _subsidy(statement):
    (row,) = [a for a in statement.accounts if a.account.kind == "subsidy"]
    return row


def test_a_late_credit_and_a_late_payment_are_on_the_month_they_belong_to(tree, elder_a1, provider):
    with time_machine.travel(datetime.datetime(2026, 11, 3, 9, tzinfo=TZ), tick=False):
        grant(elder_a1, "2026-10", "150.00", tree)
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=TZ), tick=False):
        redemption_create(
            elder=elder_a1,
            amount=cny("50.00"),
            provider=provider,
            idempotency_key="v-oct",
            reference="workorder:1",
            served_on=datetime.date(2026, 10, 31),
            memo="助洁：居室保洁 2026-10-31",
        )
    with time_machine.travel(datetime.datetime(2026, 11, 5, 9, tzinfo=TZ), tick=False):
        grant(elder_a1, "2026-11", "150.00", tree)

    october = _subsidy(month_statement(elder=elder_a1, month=OCT))
    assert (october.opening, october.credits, october.debits, october.closing) == (
        cny(0),
        cny(150),
        cny(50),
        cny(100),
    )
    assert [e.transaction.business_date for e in october.entries] == [
        datetime.date(2026, 10, 1),
        datetime.date(2026, 10, 31),
    ]
    november = _subsidy(month_statement(elder=elder_a1, month=NOV))
    assert (november.opening, november.credits, november.debits, november.closing) == (
        cny(100),
        cny(150),
        cny(0),
        cny(250),
    )


def test_the_statement_names_the_service_not_the_order_number(client, users, tree, elder_a1, provider):
    with time_machine.travel(datetime.datetime(2026, 10, 20, 9, tzinfo=TZ), tick=False):
        grant(elder_a1, "2026-10", "150.00", tree)
        redemption_create(
            elder=elder_a1,
            amount=cny("50.00"),
            provider=provider,
            idempotency_key="v-1",
            reference="workorder:7",
            memo="助浴：上门助浴 2026-10-20",
        )
    client.force_login(users["community"])
    response = client.get(f"/vouchers/elders/{elder_a1.pk}/statement/2026-10.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "助浴：上门助浴 2026-10-20" in text
    assert "workorder:7" not in text


def pdf_text(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
