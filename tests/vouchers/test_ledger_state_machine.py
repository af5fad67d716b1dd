"""Random sequences of credits, redemptions, reversals, deposits, freezes and cancellations.

A plain-Python model predicts every outcome (balances, co-pay split, refusals, the yearly cap);
after every step the whole ledger is checked: transactions balance, no elder account is below
zero, cached balances equal the sums of entries, and replayed keys change nothing.
"""

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from eldercare.errors import DomainError
from eldercare.money import cny
from eldercare.periods import Month
from tests.factories import ElderFactory
from vouchers.checks import ledger_problems
from vouchers.errors import AccountFrozen, AlreadyReversed, IdempotencyMismatch, InsufficientBalance
from vouchers.models import Account, LedgerTransaction
from vouchers.services import (
    account_cancel,
    account_for_elder,
    account_freeze,
    account_unfreeze,
    grant_credit,
    grant_key,
    personal_deposit,
    redemption_create,
    redemption_reverse,
)

from .factories import ProviderFactory

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("300"), places=2)
_keys = itertools.count()


@dataclass
class ElderModel:
    elder: object
    status: str = "active"
    subsidy: Decimal = Decimal("0")
    personal: Decimal = Decimal("0")
    granted: Decimal = Decimal("0")  # 2026 grants (the yearly cap's basis)
    spent: Decimal = Decimal("0")  # 2026 net redemptions from the subsidy account


@dataclass
class Paid:
    tx_id: int
    who: int
    subsidy: Decimal
    personal: Decimal
    reversed: bool = False


def build_machine(tree, users):
    class LedgerMachine(RuleBasedStateMachine):
        @initialize()
        def setup(self):
            self.provider = ProviderFactory(district=tree.district)
            self.elders = [ElderModel(ElderFactory(community=tree.a1)) for _ in range(2)]
            self.grants: dict[str, Decimal] = {}
            self.paid: list[Paid] = []
            self.replays: list = []  # (callable, transaction id) of successful keyed calls
            self.booked = LedgerTransaction.objects.count()

        def expect(self, error, call):
            with pytest.raises(error):
                call()

        def key(self, prefix):
            return f"{prefix}-{next(_keys)}"

        @rule(who=st.integers(0, 1), month=st.integers(1, 12), amount=amounts)
        def grant(self, who, month, amount):
            m = self.elders[who]
            key = grant_key(elder_id=m.elder.pk, month=Month(2026, month))

            def call():
                district = cny(amount * Decimal("0.7"))
                return grant_credit(
                    elder=m.elder,
                    month=Month(2026, month),
                    amount=cny(amount),
                    shares={tree.district: district, tree.street_a: cny(amount) - district},
                    idempotency_key=key,
                )

            if key in self.grants:
                if self.grants[key] == amount:
                    before = LedgerTransaction.objects.count()
                    call()
                    assert LedgerTransaction.objects.count() == before
                else:
                    self.expect(IdempotencyMismatch, call)
            elif m.status != "active":
                self.expect(AccountFrozen, call)
            else:
                tx = call()
                self.grants[key] = amount
                self.booked += 1
                m.subsidy += amount
                m.granted += amount
                self.replays.append((call, tx.pk))

        @rule(who=st.integers(0, 1), amount=amounts, allow_copay=st.booleans())
        def redeem(self, who, amount, allow_copay):
            m = self.elders[who]
            key = self.key("visit")

            def call():
                return redemption_create(
                    elder=m.elder,
                    amount=cny(amount),
                    provider=self.provider,
                    idempotency_key=key,
                    reference=key,
                    allow_copay=allow_copay,
                )

            if m.status != "active":
                self.expect(AccountFrozen, call)
                return
            from_subsidy = min(amount, m.subsidy, max(m.granted - m.spent, Decimal("0")))
            rest = amount - from_subsidy
            if rest and not allow_copay:
                self.expect(InsufficientBalance, call)
                return
            from_personal = min(rest, m.personal)
            result = call()
            assert (result.subsidy_paid, result.personal_paid, result.copay_cash) == (
                cny(from_subsidy),
                cny(from_personal),
                cny(rest - from_personal),
            )
            self.booked += 1
            m.subsidy -= from_subsidy
            m.personal -= from_personal
            m.spent += from_subsidy
            self.paid.append(Paid(result.transaction.pk, who, from_subsidy, from_personal))
            self.replays.append((call, result.transaction.pk))

        @precondition(lambda self: self.paid)
        @rule(data=st.data())
        def reverse(self, data):
            paid = data.draw(st.sampled_from(self.paid))
            m = self.elders[paid.who]

            def call():
                return redemption_reverse(
                    transaction=LedgerTransaction.objects.get(pk=paid.tx_id),
                    reason="作废单",
                    idempotency_key=self.key("void"),
                )

            if paid.reversed:
                self.expect(AlreadyReversed, call)
            elif m.status == "archived" and (paid.subsidy or paid.personal):
                # Money cannot go back into a cancelled account; a cash-only payment can be returned.
                self.expect(AccountFrozen, call)
            else:
                call()
                paid.reversed = True
                self.booked += 1
                m.subsidy += paid.subsidy
                m.personal += paid.personal
                m.spent -= paid.subsidy

        @rule(who=st.integers(0, 1), amount=amounts)
        def deposit(self, who, amount):
            m = self.elders[who]
            key = self.key("deposit")

            def call():
                return personal_deposit(elder=m.elder, amount=cny(amount), idempotency_key=key)

            if m.status != "active":
                self.expect(AccountFrozen, call)
            else:
                tx = call()
                self.booked += 1
                m.personal += amount
                self.replays.append((call, tx.pk))

        @rule(who=st.integers(0, 1))
        def freeze(self, who):
            m = self.elders[who]
            call = lambda: account_freeze(elder=m.elder, reason=Account.Cause.DECEASED, by=users["community"])  # noqa: E731
            if m.status == "archived":
                self.expect(AccountFrozen, call)
            else:
                call()
                m.status = "frozen"

        @rule(who=st.integers(0, 1))
        def unfreeze(self, who):
            m = self.elders[who]
            call = lambda: account_unfreeze(elder=m.elder, reason="死亡报告有误", by=users["district"])  # noqa: E731
            if m.status == "archived":
                self.expect(AccountFrozen, call)
            else:
                call()
                m.status = "active"

        @rule(who=st.integers(0, 1))
        def cancel(self, who):
            m = self.elders[who]
            call = lambda: account_cancel(elder=m.elder, reason="迁出", by=users["district"])  # noqa: E731
            if m.status == "archived":
                self.expect(AccountFrozen, call)
                return
            refund = call()
            assert (refund is not None) == (m.personal > 0)
            self.booked += refund is not None
            m.personal = Decimal("0")
            m.status = "archived"

        @precondition(lambda self: self.replays)
        @rule(data=st.data())
        def replay(self, data):
            call, tx_id = data.draw(st.sampled_from(self.replays))
            before = LedgerTransaction.objects.count()
            result = call()
            assert getattr(result, "transaction", result).pk == tx_id
            assert LedgerTransaction.objects.count() == before

        @invariant()
        def ledger_is_sound(self):
            if not hasattr(self, "elders"):
                return
            assert ledger_problems() == []
            assert LedgerTransaction.objects.count() == self.booked
            for m in self.elders:
                subsidy = account_for_elder(elder=m.elder, kind=Account.Kind.SUBSIDY)
                personal = account_for_elder(elder=m.elder, kind=Account.Kind.PERSONAL)
                assert (subsidy.balance, personal.balance) == (cny(m.subsidy), cny(m.personal))
                assert subsidy.status == m.status

    return LedgerMachine


def test_ledger_state_machine(tree, users):
    machine = build_machine(tree, users)
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC), tick=False):
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=30,
                stateful_step_count=25,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )


def test_domain_errors_are_the_only_refusals():
    # The machine expects precise error types; they all remain DomainErrors mapped to 4xx.
    for error in (AccountFrozen, AlreadyReversed, IdempotencyMismatch, InsufficientBalance):
        assert issubclass(error, DomainError)
