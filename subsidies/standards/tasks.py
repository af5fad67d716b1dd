"""Celery tasks of the standards (thin: they call the run)."""

from celery import shared_task

from eldercare.periods import Month

from .services.run import run_month, runs_stalled_fail


@shared_task(acks_late=True)
def run_monthly_subsidies(month: str | None = None) -> str:
    """Pay a month's subsidies (default: the current month). Idempotent: a rerun adds only what is missing."""
    result = run_month(month=Month.parse(month) if month else Month.current())
    return result.run.message


@shared_task(acks_late=True)
def sweep_stalled_runs() -> int:
    """Mark failed the monthly runs whose worker died (see `runs_stalled_fail`)."""
    return runs_stalled_fail()
