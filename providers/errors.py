"""Refusals of the provider side (each maps to its HTTP status in one place, eldercare.errors)."""

from eldercare.errors import Conflict, NotAllowed
from eldercare.workflow import BadTransition

__all__ = [
    "AlreadyCheckedIn",
    "BadTransition",
    "CertificateMissing",
    "NotAssigned",
    "UnpaidCheckOut",
    "VisitHeld",
    "WrongElder",
]


class NotAssigned(NotAllowed):
    code = "not_assigned"


class WrongElder(Conflict):
    code = "wrong_elder"


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"


class CertificateMissing(Conflict):
    code = "certificate_missing"


class UnpaidCheckOut(Conflict):
    """A check-out that will not be paid (too short, or held for an exception) asks the caregiver
    to confirm first; `params["reasons"]` says why it will not be paid."""

    code = "unpaid_check_out"


class VisitHeld(Conflict):
    code = "visit_held"
