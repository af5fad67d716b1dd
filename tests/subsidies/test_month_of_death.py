"""The month of death is paid, whenever the run happens and whenever the death is verified; the
months after it are not, and a cancelled (archived) account takes nothing more."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from eldercare.models import LifeStatus
from eldercare.money import cny
from eldercare.periods import Month
from providers.services.life_events import life_event_verify
from subsidies.standards.models import Entitlement, Grant, RunRefusal
from subsidies.standards.services.run import run_month
from vouchers.errors import AccountFrozen
from vouchers.models import Account, LedgerTransaction
from vouchers.services import account_cancel, personal_deposit

from ..vouchers.factories import grant
from .policy_factories import entitled_elder, schemes

MAY, JUNE, JULY = Month(2026, 5), Month(2026, 6), Month(2026, 7)
DIED_ON = datetime.date(2026, 6, 15)


def at(day: datetime.date, hour: int = 10):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def elder(tree):
    # A difficulty elder (低保), self-care: 80 a month under the district's scheme, district 56, town 24.
    return entitled_elder(scheme=schemes(tree)["jiangdu"], community=tree.a1, categories=["dibao"])


def _die(elder, users):
    """Died on 15 June, verified by the community on 16 June (May was paid on 1 May)."""
    with at(datetime.date(2026, 5, 1)):
        assert run_month(month=MAY).created == 1
    with at(datetime.date(2026, 6, 16)):
        life_event_verify(elder=elder, status=LifeStatus.DECEASED, on=DIED_ON, by=users["community"], note="家属告知")
    subsidy = Account.objects.get(elder=elder, kind=Account.Kind.SUBSIDY)
    assert (subsidy.status, subsidy.status_cause) == (Account.Status.FROZEN, Account.Cause.DECEASED)
    assert Entitlement.objects.get(elder=elder).end_month == JUNE.first_day
    return subsidy


def _months(elder) -> dict[datetime.date, Decimal]:
    return dict(Grant.objects.filter(elder=elder).values_list("month", "amount"))


def _assert_ledger_clean(capsys):
    capsys.readouterr()
    call_command("check_ledger")  # exits 1 with a report on a broken invariant
    assert "Ledger OK" in capsys.readouterr().out


def test_a_june_run_after_the_death_was_verified_pays_june_and_july_pays_nothing(tree, users, elder, capsys):
    subsidy = _die(elder, users)

    with at(datetime.date(2026, 6, 20)):
        june = run_month(month=JUNE)
    assert june.created == 1 and june.total == Decimal("80.00") and june.refused == 0
    g = Grant.objects.get(elder=elder, month=JUNE.first_day)
    assert (g.amount.amount, g.district_share.amount, g.town_share.amount) == (80, 56, 24)
    assert g.transaction.kind == LedgerTransaction.Kind.GRANT and g.recovery is None
    subsidy.refresh_from_db()
    assert subsidy.status == Account.Status.FROZEN  # credited, still frozen: nothing can be spent
    assert subsidy.balance.amount == 160  # May and June
    assert not RunRefusal.objects.filter(elder=elder).exists()

    # A rerun of June after the verification pays nothing more.
    with at(datetime.date(2026, 6, 25)):
        again = run_month(month=JUNE)
    assert again.created == 0 and again.already == 1
    assert Grant.objects.filter(elder=elder, month=JUNE.first_day).count() == 1

    # July: the entitlement ended with June.
    with at(datetime.date(2026, 7, 1)):
        july = run_month(month=JULY)
    assert july.created == 0
    assert _months(elder) == {MAY.first_day: Decimal("80.00"), JUNE.first_day: Decimal("80.00")}
    subsidy.refresh_from_db()
    assert subsidy.balance.amount == 160
    _assert_ledger_clean(capsys)


def test_the_command_run_late_in_june_pays_june_once(tree, users, elder, capsys):
    _die(elder, users)
    with at(datetime.date(2026, 6, 20)):
        call_command("run_monthly_subsidies", "2026-06")
        call_command("run_monthly_subsidies", "2026-06")
    with at(datetime.date(2026, 7, 1)):
        call_command("run_monthly_subsidies", "2026-07")
    assert _months(elder) == {MAY.first_day: Decimal("80.00"), JUNE.first_day: Decimal("80.00")}
    assert Account.objects.get(elder=elder, kind=Account.Kind.SUBSIDY).balance.amount == 160
    _assert_ledger_clean(capsys)


def test_a_run_of_july_before_the_verification_is_recovered_and_june_stays(tree, users, elder, capsys):
    # June and July paid on time, the death verified on 5 July: July goes back, June stays.
    for month, day in ((MAY, 1), (JUNE, 1), (JULY, 1)):
        with at(datetime.date(2026, month.month, day)):
            run_month(month=month)
    with at(datetime.date(2026, 7, 5)):
        result = life_event_verify(elder=elder, status=LifeStatus.DECEASED, on=DIED_ON, by=users["community"])
    assert result.grants_recovered == 1
    assert Grant.objects.get(elder=elder, month=JULY.first_day).recovery is not None
    assert Grant.objects.get(elder=elder, month=JUNE.first_day).recovery is None
    with at(datetime.date(2026, 7, 6)):
        assert run_month(month=JUNE).created == 0
        assert run_month(month=JULY).created == 0
    assert Account.objects.get(elder=elder, kind=Account.Kind.SUBSIDY).balance.amount == 160
    _assert_ledger_clean(capsys)


def test_a_single_grant_of_the_month_of_death_is_accepted_and_a_later_one_refused(tree, users, elder, capsys):
    _die(elder, users)
    with at(datetime.date(2026, 6, 20)):
        tx = grant(elder, "2026-06", 80, tree)
    assert tx.kind == LedgerTransaction.Kind.GRANT
    with at(datetime.date(2026, 7, 1)), pytest.raises(AccountFrozen):
        grant(elder, "2026-07", 80, tree)
    # The run then finds June already booked and links its grant to that transaction.
    with at(datetime.date(2026, 6, 21)):
        assert run_month(month=JUNE).created == 1
    assert Grant.objects.get(elder=elder, month=JUNE.first_day).transaction_id == tx.pk
    assert Account.objects.get(elder=elder, kind=Account.Kind.SUBSIDY).balance.amount == 160
    _assert_ledger_clean(capsys)


def test_an_archived_account_after_the_refund_takes_nothing_more(tree, users, elder, capsys):
    with at(datetime.date(2026, 5, 2)):
        personal_deposit(elder=elder, amount=cny(30), idempotency_key="deposit-1")
    _die(elder, users)
    with at(datetime.date(2026, 6, 18)):
        refund = account_cancel(elder=elder, reason=Account.Cause.DECEASED, by=users["street"])
    assert refund is not None and refund.kind == LedgerTransaction.Kind.REFUND
    subsidy = Account.objects.get(elder=elder, kind=Account.Kind.SUBSIDY)
    assert subsidy.status == Account.Status.ARCHIVED

    with at(datetime.date(2026, 6, 20)):
        june = run_month(month=JUNE)
        with pytest.raises(AccountFrozen):
            grant(elder, "2026-06", 80, tree)
    assert june.created == 0
    assert RunRefusal.objects.get(run=june.run, elder=elder).reason == "archived"
    assert _months(elder) == {MAY.first_day: Decimal("80.00")}
    subsidy.refresh_from_db()
    assert subsidy.balance.amount == 80
    _assert_ledger_clean(capsys)


def test_other_freezes_still_refuse_the_month(tree, users, elder):
    from vouchers.services import account_freeze

    with at(datetime.date(2026, 5, 1)):
        run_month(month=MAY)
    with at(datetime.date(2026, 6, 10)):
        account_freeze(elder=elder, reason="疑似冒领，待核实", by=users["community"])
    with at(datetime.date(2026, 6, 20)):
        june = run_month(month=JUNE)
        with pytest.raises(AccountFrozen):
            grant(elder, "2026-06", 80, tree)
    assert june.created == 0
    assert RunRefusal.objects.get(run=june.run, elder=elder).reason == "frozen"
