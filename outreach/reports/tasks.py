"""Background jobs of the daily outreach report (idempotent, acks_late)."""

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone, translation

from .services import reminders_send


@shared_task(acks_late=True)
def remind_unreported_units(day: str | None = None) -> int:
    """Remind the units that have not yet sent the day's report (default: today) before the
    cut-off; each unit is reminded once per response and day, however often this runs."""
    target = datetime.date.fromisoformat(day) if day else timezone.localdate()
    # A worker has no request: the notices go out in the platform's language, Chinese.
    with translation.override(settings.LANGUAGE_CODE):
        return reminders_send(on=target)
