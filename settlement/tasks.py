"""Background production of settlement reports; enqueued on commit, idempotent, acks late."""

from celery import shared_task

from .figures import figures_refresh_open
from .files import report_produce, reports_sweep
from .services.notices import months_to_confirm_notify


@shared_task(acks_late=True)
def produce_report(report_id: int) -> str:
    return report_produce(report_id=report_id)


@shared_task(acks_late=True)
def sweep_reports() -> int:
    """Produce the reports whose task was lost (see `files.reports_sweep`)."""
    return reports_sweep()


@shared_task(acks_late=True)
def notify_months_to_confirm() -> int:
    """Tell the towns of the ended months they must still confirm (once per month and town)."""
    return months_to_confirm_notify()


@shared_task(acks_late=True)
def refresh_month_figures() -> int:
    """Keep the open months' stored figures current (see `figures.figures_refresh`); returns the
    generations written. Idempotent: with nothing new it writes nothing."""
    return figures_refresh_open().generations
