"""Background jobs of the providers app (ids in, idempotent, acks_late)."""

import datetime

from celery import shared_task
from django.utils import timezone

from .quality import district_sample_draw


@shared_task(acks_late=True)
def draw_district_sample(day: str | None = None) -> int:
    """Draw the district's ≥10% callback sample of a day (default: yesterday); once per day."""

    target = datetime.date.fromisoformat(day) if day else timezone.localdate() - datetime.timedelta(days=1)
    return district_sample_draw(day=target).pk
