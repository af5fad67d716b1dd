"""Background jobs of the vulnerability register (idempotent, acks_late)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, name="outreach.tasks.take_coverage_readings")
def take_coverage_readings() -> int:
    """Store the day's coverage figures of every community (idempotent); the number stored."""
    return services.coverage_readings_take().figures.count()
