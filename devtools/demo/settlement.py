"""Demo data of the settlement: the current month opened for settlement.

The providers' demo visits are redeemed in the current month, so its figures show live on the
month page and the finance dashboard; towns confirm it once it has ended, then finance settles
the quarter (`settle_quarter`) and another finance user approves it.
"""

from devtools.demo.core import DemoContext
from eldercare.periods import Month
from settlement.services import service_month_get_or_open


def seed(ctx: DemoContext) -> None:
    service_month_get_or_open(month=Month.of(ctx.today))
