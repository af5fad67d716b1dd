"""Background work of the review: written decisions and the daily deadline reminders."""

from celery import shared_task

from .documents import decision_notice_generate, decision_notices_sweep
from .services.reminders import deadline_reminders_send


@shared_task(name="subsidies.generate_decision_notice", acks_late=True)
def generate_decision_notice(notice_id: int) -> int:
    return decision_notice_generate(notice_id=notice_id).pk


@shared_task(name="subsidies.send_deadline_reminders", acks_late=True)
def send_deadline_reminders() -> int:
    return deadline_reminders_send()


@shared_task(name="subsidies.sweep_decision_notices", acks_late=True)
def sweep_decision_notices() -> int:
    return decision_notices_sweep()
