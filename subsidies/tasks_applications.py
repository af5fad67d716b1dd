"""Background work of the review: written decisions and the daily deadline reminders.

Imported from SubsidiesConfig.ready() so the worker registers the tasks.
"""

from celery import shared_task


@shared_task(name="subsidies.generate_decision_notice", acks_late=True)
def generate_decision_notice(notice_id: int) -> int:
    from .documents import decision_notice_generate

    return decision_notice_generate(notice_id=notice_id).pk


@shared_task(name="subsidies.send_deadline_reminders", acks_late=True)
def send_deadline_reminders() -> int:
    from .services.applications import deadline_reminders_send

    return deadline_reminders_send()
