"""Background jobs of inspections (idempotent, acks_late)."""

import datetime

from celery import shared_task

from . import continuity, services


@shared_task(acks_late=True, name="outreach.inspections.tasks.remind_problem_deadlines")
def remind_problem_deadlines(day: str | None = None) -> int:
    """Remind the units of their open problems due within two days; once per problem and day."""
    return services.problem_reminders_send(today=datetime.date.fromisoformat(day) if day else None)


@shared_task(acks_late=True, name="outreach.inspections.tasks.take_unpaid_readings")
def take_unpaid_readings() -> int:
    """Store the unpaid months the continuity reports look at (idempotent)."""
    return continuity.unpaid_readings_take()


@shared_task(acks_late=True, name="outreach.inspections.tasks.take_visit_gap_readings")
def take_visit_gap_readings() -> int:
    """Store the elders with a gap in their visits the continuity reports look at (idempotent)."""
    return continuity.visit_gap_readings_take()
