"""The demo district: one seeder a part of the product, run in this order by `seed_demo`.

Order matters: later steps build on what earlier ones created. The core (tree, users, elders)
is seeded first by `core.seed`, which takes the number of elders.
"""

from . import applications, providers, settlement, vouchers

SEEDERS = (
    applications.seed,  # intake batch, applications in every state, approvals, both schemes, runs
    vouchers.seed,  # visits paid, co-pay, a frozen account
    providers.seed,  # providers, caregivers, agreements, a month of visits
    settlement.seed,  # the service month open for the towns to confirm
)
