"""Background production of settlement reports; enqueued on commit, idempotent, acks late."""

from celery import shared_task

from .files import report_produce


@shared_task(acks_late=True)
def produce_report(report_id: int) -> str:
    return report_produce(report_id=report_id)
