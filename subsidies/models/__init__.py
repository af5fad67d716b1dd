"""Subsidies: schemes and their policy versions, applications and review, assessments,
entitlements (approved subsidies) and the monthly grants."""

from .core import Assessment, CareLevel, Entitlement, Scheme
from .policies import Grant, PolicyRow, PolicyVersion, RunRefusal, SubsidyRun

__all__ = [
    "Assessment",
    "CareLevel",
    "Entitlement",
    "Grant",
    "PolicyRow",
    "PolicyVersion",
    "RunRefusal",
    "Scheme",
    "SubsidyRun",
]
