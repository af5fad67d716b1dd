"""On CI the tasks really travel through Redis to a worker; locally (no broker) this is skipped."""

import os

import pytest

from eldercare.models import Notification, Role

from ..factories import user_with_role

pytestmark = pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL"), reason="needs a real broker: CI sets CELERY_BROKER_URL"
)


@pytest.mark.django_db(transaction=True)
def test_a_task_runs_on_a_worker_through_the_broker(tree, settings):
    from celery.contrib.testing.worker import start_worker

    from eldercare.celery import app
    from eldercare.tasks import notification_send_task

    app.conf.task_always_eager = False
    user = user_with_role(Role.COMMUNITY_WORKER, tree.a1)
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
            result = notification_send_task.delay(user.pk, "测试通知", "", "broker-check")
            notice_id = result.get(timeout=30)
    finally:
        app.conf.task_always_eager = True
    assert Notification.objects.get(pk=notice_id).message == "测试通知"
    # Idempotent: the same dedupe key a second time gives the same notice.
    assert notification_send_task.apply(args=(user.pk, "测试通知", "", "broker-check")).get() == notice_id
