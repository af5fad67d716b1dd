"""The Celery app. Periodic tasks are declared here, in one place, with what they mean."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")

app = Celery("eldercare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # The monthly subsidy run: at 01:30 on the first day of each month, credit the month's
    # subsidies to every entitled elder (idempotent; a rerun only adds what is missing).
    "subsidies-monthly-run": {
        "task": "subsidies.tasks.run_monthly_subsidies",
        "schedule": crontab(minute=30, hour=1, day_of_month=1),
    },
    # Every day at 01:30, draw the district's random callback sample (at least 10% of each
    # provider's orders) of the day before; drawing the same day twice keeps the first sample.
    "providers-district-callback-sample": {
        "task": "providers.tasks.draw_district_sample",
        "schedule": crontab(hour=1, minute=30),
    },
}
