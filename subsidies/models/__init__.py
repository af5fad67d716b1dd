"""Subsidies: schemes and their policy versions, applications and review, assessments,
entitlements (approved subsidies) and the monthly grants."""

from .applications import (
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    AssessmentInstrument,
    CareSituation,
    DecisionNotice,
    InstrumentLevel,
    IntakeBatch,
    Material,
    MaterialType,
    Objection,
    RequiredMaterial,
)
from .core import Assessment, CareLevel, Entitlement, Scheme
from .policies import Grant, PolicyRow, PolicyVersion, RunRefusal, SubsidyRun

__all__ = [
    "OPEN_STATUSES",
    "Application",
    "ApplicationEvent",
    "ApplicationStatus",
    "Assessment",
    "AssessmentInstrument",
    "CareLevel",
    "CareSituation",
    "DecisionNotice",
    "Entitlement",
    "Grant",
    "InstrumentLevel",
    "IntakeBatch",
    "Material",
    "MaterialType",
    "Objection",
    "PolicyRow",
    "PolicyVersion",
    "RequiredMaterial",
    "RunRefusal",
    "Scheme",
    "SubsidyRun",
]
