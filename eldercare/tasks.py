"""Core background work, and the one way the apps enqueue theirs."""

import logging

from celery import shared_task
from django.db import transaction

from .digest import overdue_digests_send
from .models import User
from .services import notification_send

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> bool:
    """Send a task to the broker. Failing to reach it (broker down, network) is logged, never
    raised: the work it asks for is committed already, and a sweeper finds it and does it later."""
    try:
        task.delay(*args)
    except Exception:
        logger.exception("Could not enqueue %s%r; the sweeper will produce it later", task.name, args)
        return False
    return True


def enqueue_on_commit(task, *args) -> None:
    """Enqueue once the current transaction has committed (a worker must find the rows)."""
    transaction.on_commit(lambda: enqueue(task, *args))


@shared_task(acks_late=True)
def notification_send_task(user_id: int, message: str, url: str = "", dedupe_key: str = "") -> int:
    """Send one in-app notice (and an email when the user has an address). Safe to run twice."""

    return notification_send(user=User.objects.get(pk=user_id), message=message, url=url, dedupe_key=dedupe_key).pk


@shared_task(name="eldercare.send_overdue_digests", acks_late=True)
def send_overdue_digests() -> int:
    """Monday's digest of everything overdue, one notice per user (idempotent per week)."""
    return overdue_digests_send()
