"""Providers in the district library, their staff and catalogue, the elders who signed a service
agreement with them, the work orders of home visits, and the quality records around them."""

from .agreements import CardIssue, ElderCard, ServiceAgreement
from .catalogue import Approval, ServiceItem, ServiceKind, ServicePackage
from .library import (
    Caregiver,
    CaregiverRevealLog,
    Certificate,
    CertificateKind,
    Contract,
    Provider,
    ProviderStatusEvent,
    QuarterlyAssessment,
    TrainingRecord,
)
from .quality import (
    Callback,
    CallbackResult,
    CommunityContact,
    DistrictSample,
    FrequencyJudgement,
    FrequencyProvider,
    FrequencyReading,
    FrequencyTally,
    Rectification,
    RectificationStep,
    SatisfactionSurvey,
    SurveyAnswer,
)
from .verification import ExceptionKind, HomeLocation, ReasonCode, VisitCorrection, VisitException, VisitPolicy
from .visits import CheckRequest, WorkOrder, WorkOrderEvent

__all__ = [
    "Approval",
    "CardIssue",
    "RectificationStep",
    "SurveyAnswer",
    "TrainingRecord",
    "Callback",
    "CallbackResult",
    "Caregiver",
    "CaregiverRevealLog",
    "Certificate",
    "CertificateKind",
    "CheckRequest",
    "CommunityContact",
    "Contract",
    "DistrictSample",
    "ElderCard",
    "ExceptionKind",
    "FrequencyJudgement",
    "FrequencyProvider",
    "FrequencyReading",
    "FrequencyTally",
    "HomeLocation",
    "ReasonCode",
    "VisitCorrection",
    "VisitException",
    "VisitPolicy",
    "Provider",
    "ProviderStatusEvent",
    "QuarterlyAssessment",
    "Rectification",
    "SatisfactionSurvey",
    "ServiceAgreement",
    "ServiceItem",
    "ServiceKind",
    "ServicePackage",
    "WorkOrder",
    "WorkOrderEvent",
]
