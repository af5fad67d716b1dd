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
    outreach_calls,
    outreach_checkins,
    outreach_inspections,
    outreach_purchases,
    outreach_reports,
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
    outreach_purchases.seed,  # a partner supermarket and its login; orders in every state in 龙川社区
    outreach_calls.seed,  # a weekly plan of calls to left-behind elders; one household unreachable twice
    outreach_checkins.seed,  # solitary elders checking in daily; one missed this morning
    outreach_inspections.seed,  # heat-wave inspections: problems overdue, awaiting verification, closed
    outreach_reports.seed,  # the heat wave's daily reports: one unit late and one missing yesterday
)
