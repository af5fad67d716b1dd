from celery import shared_task

from .models import User
from .services import notification_send


@shared_task(acks_late=True)
def notification_send_task(user_id: int, message: str, url: str = "", dedupe_key: str = "") -> int:
    """Send one in-app notice (and an email when the user has an address). Safe to run twice."""

    return notification_send(user=User.objects.get(pk=user_id), message=message, url=url, dedupe_key=dedupe_key).pk
