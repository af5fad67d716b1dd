"""Placeholder until the policies branch (issue-5) lands: the granted standard of an entitlement.

The real module (policy versions, rows, highest-wins) replaces this file at merge time; only the
signature and the `Standard` dataclass are the contract.
"""

from dataclasses import dataclass

from djmoney.money import Money

from eldercare.money import ZERO
from eldercare.periods import Month


@dataclass(frozen=True)
class Standard:
    amount: Money
    reason: str
    policy_version_id: int | None
    row_id: int | None


def entitlement_standard(*, entitlement, month: Month) -> Standard:
    return Standard(ZERO, "", None, None)
