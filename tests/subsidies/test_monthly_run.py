"""The monthly run: exactly one grant per elder and month, the funding split, refusals, reruns."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from eldercare.models import Role
from eldercare.periods import Month
from subsidies.standards.models import Grant, RunRefusal
from subsidies.standards.services.entitlements import entitlement_end
from subsidies.standards.services.run import RunInterrupted, run_month
from tests.factories import user_with_role
from vouchers.models import Account, LedgerEntry, LedgerTransaction
from vouchers.selectors import with_ledger_balance

from .policy_factories import entitled_elder, schemes

DEC = Month(2026, 12)


def _population(tree):
    s = schemes(tree)
    a = s["jiangdu"]
    people = {
        "dibao_semi": entitled_elder(scheme=a, community=tree.a1, categories=["dibao"], care_level="semi_disabled"),
        "old_difficult": entitled_elder(
            scheme=a,
            community=tree.a2,
            birth_date=datetime.date(1944, 5, 1),
            categories=["dibao", "shidu"],
            care_level="disabled",
        ),
        "old_only": entitled_elder(
            scheme=a, community=tree.b1, birth_date=datetime.date(1940, 1, 1), care_level="self_care"
        ),
        "tekun_self": entitled_elder(scheme=a, community=tree.b1, categories=["tekun"], care_level="self_care"),
        "disqualified": entitled_elder(
            scheme=a,
            community=tree.a1,
            categories=["tekun"],
            disqualified_at=timezone.now(),
            disqualified_reason="骗取补贴",
        ),
        "dead_before": entitled_elder(
            scheme=a,
            community=tree.a1,
            categories=["tekun"],
            life_status="deceased",
            life_status_date=datetime.date(2026, 10, 3),
        ),
        "not_yet": entitled_elder(scheme=a, community=tree.a1, categories=["tekun"], start_month=Month(2027, 1)),
        "nothing_applies": entitled_elder(scheme=a, community=tree.a1, categories=[], care_level="self_care"),
    }
    frozen = entitled_elder(scheme=a, community=tree.a1, categories=["tekun"])
    Account.objects.create(kind="subsidy", elder=frozen, status="frozen")
    people["frozen"] = frozen
    return people


def _totals(month=DEC):
    grants = Grant.objects.filter(month=month.first_day)
    return (
        grants.count(),
        grants.aggregate(s=Sum("amount"))["s"],
        LedgerTransaction.objects.filter(kind="grant", month=month.first_day).count(),
        LedgerEntry.objects.count(),
        sorted(
            with_ledger_balance(Account.objects.all()).values_list("kind", "division_id", "elder_id", "ledger_balance")
        ),
    )


def _check_ledger():
    for account in Account.objects.all():
        total = LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or Decimal(0)
        # Elder accounts cache their balance; pooled ones keep none (their balance is the sum).
        assert account.current_balance.amount == total, account
        if not account.caches_balance:
            assert account.balance.amount == 0, account
    for tx in LedgerTransaction.objects.all():
        assert sum(e.amount.amount for e in tx.entries.all()) == 0, tx


@pytest.mark.django_db
def test_the_run_pays_each_entitled_elder_once_with_the_7_3_split(tree):
    p = _population(tree)
    result = run_month(month=DEC)

    grants = {g.elder_id: g for g in Grant.objects.all()}
    assert {e: grants[p[e].pk].amount.amount for e in ("dibao_semi", "old_difficult", "old_only", "tekun_self")} == {
        "dibao_semi": 150,
        "old_difficult": 260,
        "old_only": 60,
        "tekun_self": 80,
    }
    assert len(grants) == 4
    assert result.created == 4 and result.total == Decimal("550.00")
    g = grants[p["dibao_semi"].pk]
    assert (g.district_share.amount, g.town_share.amount) == (Decimal("105.00"), Decimal("45.00"))
    assert g.reason == "低保 + 半失能 → 150"
    assert grants[p["old_difficult"].pk].reason == "低保 + 失独 + 失能 → 260；80岁以上 60 不叠加"

    tx = g.transaction
    assert tx.kind == "grant" and tx.month == DEC.first_day
    assert tx.idempotency_key == f"grant:{p['dibao_semi'].pk}:2026-12"
    assert tx.fingerprint == f"grant|elder={p['dibao_semi'].pk}|month=2026-12|amount=150.00"
    signed = sorted(
        (e.account.kind, e.account.division_id, e.amount.amount) for e in tx.entries.select_related("account")
    )
    assert signed == sorted(
        [
            ("subsidy", None, Decimal("150.00")),
            ("funding", tree.district.pk, Decimal("-105.00")),
            ("funding", tree.street_a.pk, Decimal("-45.00")),
        ]
    )
    assert Account.objects.get(elder=p["dibao_semi"], kind="subsidy").balance.amount == 150
    assert Account.objects.get(division=tree.district, kind="funding").current_balance.amount == Decimal("-385.00")
    assert Account.objects.get(division=tree.street_b, kind="funding").current_balance.amount == Decimal("-42.00")
    _check_ledger()

    refused = dict(RunRefusal.objects.values_list("elder_id", "reason"))
    assert refused == {
        p["disqualified"].pk: "disqualified",
        p["dead_before"].pk: "deceased",
        p["frozen"].pk: "frozen",
        p["nothing_applies"].pk: "no_standard",
    }


@pytest.mark.django_db
def test_running_the_same_month_twice_creates_nothing(tree):
    _population(tree)
    run_month(month=DEC)
    before = _totals()
    again = run_month(month=DEC)
    assert again.created == 0 and again.nothing_new
    assert again.already == 4
    assert "没有需要新发放的补贴" in again.run.message
    assert _totals() == before


def _interrupted_then_rerun(tree):
    _population(tree)
    with pytest.raises(RunInterrupted):
        run_month(month=DEC, chunk_size=1, stop_after_chunks=2)
    assert Grant.objects.count() == 2
    result = run_month(month=DEC, chunk_size=1)
    assert result.created == 2 and result.already == 2
    return _totals()


@pytest.mark.django_db
def test_a_run_interrupted_midway_then_rerun_completes_without_doubles(tree):
    totals = _interrupted_then_rerun(tree)
    assert totals[0] == 4 and totals[1] == Decimal("550.00")
    _check_ledger()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_twice_and_interrupted_give_identical_totals(tree):
    interrupted = _interrupted_then_rerun(tree)
    run_month(month=DEC)
    assert _totals()[:4] == interrupted[:4]
    _check_ledger()
    # A clean single run of another month gives the same figures as the interrupted one.
    jan = run_month(month=Month(2027, 1), chunk_size=3)
    assert jan.total == Decimal("550.00") + 80  # the elder starting in January joins


@pytest.mark.django_db
def test_a_death_mid_month_stops_the_month_after(tree):
    p = _population(tree)
    elder = p["dibao_semi"]
    run_month(month=DEC)
    elder.life_status, elder.life_status_date = "deceased", datetime.date(2026, 12, 15)
    elder.save()
    entitlement_end(elder=elder, last_month=DEC, reason="死亡", by=None)
    run_month(month=Month(2027, 1))
    assert list(Grant.objects.filter(elder=elder).values_list("month", flat=True)) == [DEC.first_day]


@pytest.mark.django_db
def test_a_death_reported_late_recovers_the_months_after(tree):
    p = _population(tree)
    elder = p["dibao_semi"]
    for m in (DEC, Month(2027, 1), Month(2027, 2)):
        run_month(month=m)
    account = Account.objects.get(elder=elder, kind="subsidy")
    assert account.balance.amount == 450
    # Pretend 200 were spent: only 250 remain in the account.
    spend = LedgerTransaction.objects.create(
        kind="redemption",
        idempotency_key="spend",
        fingerprint="spend",
        business_date=timezone.localdate(),
        created_at=timezone.now(),
    )
    LedgerEntry.objects.create(transaction=spend, account=account, amount=-200, created_at=timezone.now())
    ext = Account.objects.create(kind="external", division=tree.street_a)
    LedgerEntry.objects.create(transaction=spend, account=ext, amount=200, created_at=timezone.now())
    Account.objects.filter(pk=account.pk).update(balance=250)  # the external account is pooled: no cache

    elder.life_status, elder.life_status_date = "deceased", datetime.date(2026, 12, 20)
    elder.save()
    result = entitlement_end(
        elder=elder, last_month=DEC, reason="死亡（迟报）", by=user_with_role(Role.COMMUNITY_WORKER, tree.a1)
    )
    assert [g.month for g in result.recovered] == [datetime.date(2027, 1, 1), datetime.date(2027, 2, 1)]
    assert result.recovered_total == 250 and result.outstanding_total == 50
    account.refresh_from_db()
    assert account.balance.amount == 0
    reversals = LedgerTransaction.objects.filter(kind="reversal").order_by("month")
    assert [t.reverses.grant.month for t in reversals] == [datetime.date(2027, 1, 1), datetime.date(2027, 2, 1)]
    _check_ledger()
    # The grants stay (append-only), marked recovered; the next run pays nothing more.
    assert Grant.objects.filter(elder=elder, recovery__isnull=False).count() == 2
    run_month(month=Month(2027, 3))
    assert not Grant.objects.filter(elder=elder, month=datetime.date(2027, 3, 1)).exists()


@pytest.mark.django_db
def test_a_policy_version_change_between_two_months_in_the_run(tree):
    from subsidies.standards.services.policies import RowInput, policy_version_create

    p = _population(tree)
    s = schemes(tree)
    run_month(month=DEC)
    policy_version_create(
        scheme=s["jiangdu"],
        district=None,
        month=Month(2027, 1),
        name="2027",
        rows=[RowInput("困难老人·半失能", 180, categories_any=("dibao",), care_levels=("semi_disabled",))],
        by=user_with_role(Role.DISTRICT_REVIEWER, tree.district),
    )
    run_month(month=Month(2027, 1))
    months = dict(Grant.objects.filter(elder=p["dibao_semi"]).values_list("month", "amount"))
    assert months == {datetime.date(2026, 12, 1): Decimal("150.00"), datetime.date(2027, 1, 1): Decimal("180.00")}


@pytest.mark.django_db
def test_the_run_snapshots_the_funding_accounts_it_paid_from(tree):
    """After a run the district's funding account is read from a snapshot that holds the month: its
    70 % share of the four grants (150 + 260 + 60 + 80 = 550.00), -385.00."""
    from vouchers.models import BalanceSnapshot

    _population(tree)
    run_month(month=DEC)
    district = Account.objects.get(division=tree.district, kind="funding")
    snapshot = BalanceSnapshot.objects.get(account=district)
    assert snapshot.balance.amount == Decimal("-385.00")
    assert snapshot.entries == 4
    assert snapshot.through_entry == LedgerEntry.objects.order_by("-id").values_list("id", flat=True).first()
    # A rerun writes nothing new and takes no new snapshot.
    run_month(month=DEC)
    assert BalanceSnapshot.objects.filter(account=district).count() == 1
