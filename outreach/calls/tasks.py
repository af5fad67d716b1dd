"""Celery task of active care calls (declared in eldercare/celery.py's beat schedule)."""

from celery import shared_task

from . import services


@shared_task(name="outreach.calls.tasks.generate_call_lists", acks_late=True)
def generate_call_lists() -> int:
    """Today's call list of every plan in progress; safe to run again (adds only what is missing)."""
    return services.call_lists_generate()
