"""Subsidies: schemes and their policy versions, applications and review, assessments,
entitlements (approved subsidies) and the monthly grants."""

from .core import Assessment, CareLevel, Entitlement, Scheme

__all__ = ["Assessment", "CareLevel", "Entitlement", "Scheme"]
