"""Celery task of the daily check-in (declared in eldercare/celery.py's beat schedule)."""

from celery import shared_task

from . import services


@shared_task(name="outreach.checkins.tasks.alert_missing_checkins", acks_late=True)
def alert_missing_checkins() -> int:
    """Alert the responsible persons of today's missed check-ins; once per elder and day."""
    return services.missing_checkins_alert()
