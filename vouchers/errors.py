"""Refusals of the voucher ledger; each message is for the user, in the user's language."""

from django.utils.translation import gettext as _

from eldercare.errors import Conflict, ValidationFailed

from .models import Account


class AccountFrozen(Conflict):
    """The subsidy account is frozen or archived: no credit, no payment. The message says why."""

    code = "account_frozen"

    @classmethod
    def for_account(cls, account) -> "AccountFrozen":
        cause = account.status_cause
        if cause == Account.Cause.DECEASED:
            why = _("The subsidy account is frozen because the elder has died.")
        elif cause == Account.Cause.MOVED:
            why = _("The subsidy account is frozen because the elder has moved away.")
        elif cause == Account.Cause.CANCELLED or account.status == Account.Status.ARCHIVED:
            why = _("The subsidy account has been cancelled and archived.")
        elif cause == Account.Cause.FRAUD:
            why = _("The subsidy account is frozen because of voucher fraud; the elder is disqualified for life.")
        else:
            why = _("The subsidy account is frozen.")
        if account.status_reason:
            why = _("%(why)s Reason: %(reason)s") % {"why": why, "reason": account.status_reason}
        return cls(why, cause=cause, status=account.status)


class ElderDisqualified(Conflict):
    code = "elder_disqualified"


class InsufficientBalance(Conflict):
    code = "insufficient_balance"


class IdempotencyMismatch(Conflict):
    """The same idempotency key was used before for a different request."""

    code = "idempotency_mismatch"


class AlreadyReversed(Conflict):
    code = "already_reversed"


class NotReversible(Conflict):
    code = "not_reversible"


class InvalidAmount(ValidationFailed):
    code = "invalid_amount"
