"""Refusals of the provider side (each maps to its HTTP status in one place, eldercare.errors)."""

from eldercare.errors import Conflict, NotAllowed
from eldercare.workflow import BadTransition

__all__ = ["AlreadyCheckedIn", "BadTransition", "CertificateMissing", "NotAssigned", "WrongElder"]


class NotAssigned(NotAllowed):
    code = "not_assigned"


class WrongElder(Conflict):
    code = "wrong_elder"


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"


class CertificateMissing(Conflict):
    code = "certificate_missing"
