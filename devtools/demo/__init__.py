"""The demo district: one seeder a part of the product, run in this order by `seed_demo`.

Order matters: later steps build on what earlier ones created. The core (tree, users, elders)
is seeded first by `core.seed`, which takes the number of elders.
"""

from . import (
    agreements,
    applications,
    catalogue,
    library,
    outreach,
    providers,
    settlement,
    surveys,
    verification,
    vouchers,
)

SEEDERS = (
    applications.seed,  # intake batch, applications in every state, approvals, both schemes, runs
    vouchers.seed,  # visits paid, co-pay, a frozen account
    providers.seed,  # providers, caregivers, agreements, visits since the last closed quarter
    library.seed,  # a candidate, a contract ending soon, a suspension, a confirmed scorecard, trainings
    catalogue.seed,  # entries awaiting approval or rejected, self-paid items and orders, a booked package
    agreements.seed,  # agreements ended or changed, a terminated provider's elders to re-home, a re-issued card
    surveys.seed,  # surveys at and below 80 %, rectifications answered and overdue
    verification.seed,  # verified visits, held visits of each exception, corrections awaiting and decided
    settlement.seed,  # the last closed quarter confirmed and locked; a month awaiting the towns
    outreach.seed,  # 龙川社区 screened, some high-risk, a few without a responsible person; a volunteer
)
