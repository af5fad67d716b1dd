"""The Celery app. Periodic tasks are declared here, in one place, with what they mean."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")

app = Celery("eldercare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {}
