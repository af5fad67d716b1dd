"""Writes of the voucher ledger: credits, redemptions with co-pay, reversals, freezing, refunds, fraud.

The only code that writes ledger rows: `ledger` (accounts, keys, locks, posting; its docstring
states the rules that hold the money together), `grants` (one grant, the monthly run's set-based
writer, recoveries), `redemption` (visits, reversals, deposits, the yearly cap), `accounts`
(freezing, cancellation, fraud) and `repayments` (a provider's repayment, as it is settled).
"""

from .accounts import account_cancel, account_freeze, account_unfreeze, fraud_repay
from .deposits import (
    CounterReceipt,
    PaymentMethod,
    counter_allowed,
    counter_receipt,
    personal_counter_deposit,
    personal_counter_refund,
    personal_refund,
    receipt_number,
)
from .grants import grant_credit, grant_fingerprint, grant_key
from .ledger import Payee, account_for_elder, funding_account, provider_account
from .redemption import RedemptionResult, personal_deposit, redemption_create, redemption_reverse, subsidy_year_room
from .repayments import provider_repayment_post

__all__ = [
    "CounterReceipt",
    "Payee",
    "PaymentMethod",
    "RedemptionResult",
    "account_cancel",
    "account_for_elder",
    "account_freeze",
    "account_unfreeze",
    "counter_allowed",
    "counter_receipt",
    "fraud_repay",
    "funding_account",
    "grant_credit",
    "grant_fingerprint",
    "grant_key",
    "personal_counter_deposit",
    "personal_counter_refund",
    "personal_deposit",
    "personal_refund",
    "provider_account",
    "provider_repayment_post",
    "receipt_number",
    "redemption_create",
    "redemption_reverse",
    "subsidy_year_room",
]
