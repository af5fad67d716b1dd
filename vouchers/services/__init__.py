"""Writes of the voucher ledger: credits, redemptions with co-pay, reversals, freezing, refunds, fraud.

The only code that writes ledger rows: `ledger` (accounts, keys, locks, posting), `grants`
(one grant, the monthly run's set-based writer, recoveries), `redemption` (visits, reversals,
deposits) and `accounts` (freezing, cancellation, fraud).

Every movement is one `LedgerTransaction` whose entries sum to zero. The rules that hold money
together:

- **Idempotency.** Every transaction carries a unique key and a fingerprint (the canonical text of
  the request). The same key again returns the stored transaction; the same key with another
  fingerprint is refused (`IdempotencyMismatch`).
- **Serialisation.** Only an elder's SUBSIDY and PERSONAL accounts keep a cached
  `Account.balance` (`CACHED_KINDS`): they are the ones that must never go below zero, so every
  transaction locks those it touches with `select_for_update`, always in ascending id order (no
  deadlock between two transactions on the same accounts), checks and updates their cached
  balance in the same database transaction. The database CheckConstraint
  `elder_account_not_negative` refuses an overdrawn elder account whatever the code.
- **Pooled accounts** (FUNDING, PROVIDER, EXTERNAL: `POOLED_KINDS`) may go negative and are
  written by many elders' transactions at once. They keep no cached balance (the column stays 0)
  and are never locked: their balance is the sum of their entries
  (`vouchers.selectors.account_balance`). Otherwise every check-out of a provider, and every
  grant of a district, would queue on one row.
- **Signs.** A positive entry adds to the account's balance. Funding accounts go negative as they
  pay out grants; an elder's EXTERNAL account goes negative by the cash the elder brought in
  (co-pay at the door, deposits) and positive by what was paid back out (refunds).

The yearly cap (domain: "a person's settled amount in a year cannot exceed that person's annual
subsidy"): the amount paid from a person's SUBSIDY account for redemptions in calendar year Y,
net of reversed redemptions, never exceeds the sum of the GRANT credits of year Y booked on that
account so far (net of reversed grants). Years are those of the transactions' `month`; a
redemption's month is the month it happened, a reversal takes the month of what it reverses.
Year-to-date grants never exceed the year's subsidy, so the cap holds at every moment of the year;
in practice it bites when a balance carried over from last year would be spent on top of this
year's full subsidy. What the cap keeps from the subsidy account becomes co-pay.
"""

from .accounts import account_cancel, account_freeze, account_unfreeze, fraud_repay
from .grants import grant_credit, grant_fingerprint, grant_key
from .ledger import Payee, account_for_elder, funding_account, provider_account
from .redemption import RedemptionResult, personal_deposit, redemption_create, redemption_reverse, subsidy_year_room

__all__ = [
    "Payee",
    "RedemptionResult",
    "account_cancel",
    "account_for_elder",
    "account_freeze",
    "account_unfreeze",
    "fraud_repay",
    "funding_account",
    "grant_credit",
    "grant_fingerprint",
    "grant_key",
    "personal_deposit",
    "provider_account",
    "redemption_create",
    "redemption_reverse",
    "subsidy_year_room",
]
