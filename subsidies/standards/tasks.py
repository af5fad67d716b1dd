"""Celery tasks of the standards (thin: they call the run)."""

from celery import shared_task

from eldercare.periods import Month
from eldercare.tasks import enqueue

from .services.run import run_month, run_queued, runs_stalled_fail, runs_waiting


@shared_task(acks_late=True)
def run_monthly_subsidies(month: str | None = None) -> str:
    """Pay a month's subsidies (default: the current month). Idempotent: a rerun adds only what is missing."""
    result = run_month(month=Month.parse(month) if month else Month.current())
    return result.run.message


@shared_task(acks_late=True)
def run_requested(run_id: int) -> str:
    """Do a run asked for from the page or the API (nothing if another worker took it)."""
    result = run_queued(run_id=run_id)
    return result.run.message if result else ""


@shared_task(acks_late=True)
def sweep_stalled_runs() -> int:
    """Mark failed the monthly runs whose worker died (see `runs_stalled_fail`), and enqueue again
    the runs asked for while the broker was down."""
    for run_id in runs_waiting():
        enqueue(run_requested, run_id)
    return runs_stalled_fail()
