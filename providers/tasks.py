"""Background jobs of the providers app (ids in, idempotent, acks_late)."""

import datetime

from celery import shared_task
from django.utils import timezone

from .quality import district_sample_draw, frequency_readings_take
from .services import corrections


@shared_task(acks_late=True)
def draw_district_sample(day: str | None = None) -> int:
    """Draw the district's ≥10% callback sample of a day (default: yesterday); once per day."""

    target = datetime.date.fromisoformat(day) if day else timezone.localdate() - datetime.timedelta(days=1)
    return district_sample_draw(day=target).pk


@shared_task(acks_late=True)
def close_overdue_visits() -> tuple[int, int]:
    """Close the visits never checked out (6 hours after the check-in) and those of an earlier day
    never checked in as exceptions, held for the provider's correction; safe to run twice."""
    return corrections.close_overdue_visits()


@shared_task(acks_late=True, name="providers.tasks.take_frequency_readings")
def take_frequency_readings() -> int:
    """Store the judged visits of the months the frequency report is mostly read for (idempotent)."""
    return frequency_readings_take()
