"""Writes of the providers app: the library, staff, catalogue, agreements, work orders and visits.

Every service checks the role and the jurisdiction of `by` and runs in one transaction. The
modules: `library` (providers, contracts, quarterly results, staff, catalogue), `agreements`
(agreements and service cards), `visits` (work orders, check-in and check-out, voids) and
`life_events` (a verified death or move away, across the standards, the ledger and the visits).
"""

from ..errors import AlreadyCheckedIn, BadTransition, CertificateMissing, NotAssigned, WrongElder
from ..selectors import elder_from_code
from .agreements import (
    agreement_end,
    agreement_sign,
    card_issue,
    card_token_for,
)
from .catalogue import item_create, package_create
from .library import (
    PROVIDER_WORKFLOW,
    TerminationGround,
    assessment_record,
    caregiver_create,
    caregiver_may_serve,
    caregiver_update,
    certificate_add,
    contract_create,
    contract_renew,
    provider_create,
    provider_set_status,
)
from .visits import (
    ASSIGNERS,
    CANCELLERS,
    CAREGIVERS,
    ORDER_WORKFLOW,
    VOIDERS,
    order_add_notes,
    order_assign,
    order_book,
    order_cancel,
    order_void,
    redeem_key,
    visit_check_in,
    visit_check_out,
)

__all__ = [
    "ASSIGNERS",
    "AlreadyCheckedIn",
    "BadTransition",
    "CANCELLERS",
    "CAREGIVERS",
    "CertificateMissing",
    "NotAssigned",
    "ORDER_WORKFLOW",
    "PROVIDER_WORKFLOW",
    "TerminationGround",
    "VOIDERS",
    "WrongElder",
    "agreement_end",
    "agreement_sign",
    "assessment_record",
    "card_issue",
    "card_token_for",
    "caregiver_create",
    "caregiver_may_serve",
    "caregiver_update",
    "certificate_add",
    "contract_create",
    "contract_renew",
    "elder_from_code",
    "item_create",
    "order_add_notes",
    "order_assign",
    "order_book",
    "order_cancel",
    "order_void",
    "package_create",
    "provider_create",
    "provider_set_status",
    "redeem_key",
    "visit_check_in",
    "visit_check_out",
]
