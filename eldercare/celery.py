"""The Celery app. Periodic tasks are declared here, in one place, with what they mean."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")

app = Celery("eldercare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Every morning at 07:30 (Asia/Shanghai), before offices open: remind each office of the
    # application reviews due within two working days or overdue, texting the reviewers of those
    # not yet overdue (idempotent per case and day).
    "subsidies-deadline-reminders": {
        "task": "subsidies.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    # Every morning at 07:40: tell each town's reviewers of an ended month they must still verify
    # and confirm (once per month and town; the same list as their work list).
    "settlement-months-to-confirm": {
        "task": "settlement.tasks.notify_months_to_confirm",
        "schedule": crontab(hour=7, minute=40),
    },
    # Monday at 08:00: each user's digest of everything overdue that is their turn (applications,
    # rectifications, held visits, months to confirm, quarters to approve: eldercare.digest), one
    # notice in the app and by mail (idempotent per week).
    "overdue-digests": {
        "task": "eldercare.send_overdue_digests",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon"),
    },
    # The monthly subsidy run: at 01:30 on the first day of each month, credit the month's
    # subsidies to every entitled elder (idempotent; a rerun only adds what is missing).
    "subsidies-monthly-run": {
        "task": "subsidies.standards.tasks.run_monthly_subsidies",
        "schedule": crontab(minute=30, hour=1, day_of_month=1),
    },
    # Every night at 03:00, after the monthly run and the closing of visits: snapshot the balance of
    # every funding, provider and external account that moved (lists read the snapshot plus the
    # entries since; see vouchers.services.snapshots). Idempotent.
    "vouchers-snapshot-balances": {
        "task": "vouchers.tasks.snapshot_balances",
        "schedule": crontab(hour=3, minute=0),
    },
    # Every day at 01:30, draw the district's random callback sample (at least 10% of each
    # provider's orders) of the day before; drawing the same day twice keeps the first sample.
    # Every night at 01:00, close as exceptions the visits never checked out (6 hours after the
    # check-in) and those of an earlier day never checked in; their payment waits on a correction.
    "providers-close-overdue-visits": {
        "task": "providers.tasks.close_overdue_visits",
        "schedule": crontab(hour=1, minute=0),
    },
    "providers-district-callback-sample": {
        "task": "providers.tasks.draw_district_sample",
        "schedule": crontab(hour=1, minute=30),
    },
    # Every day at 06:00 (Asia/Shanghai), before the hotline opens: put on each call plan's list the
    # households due for an active care call today (idempotent per plan and day).
    "outreach-calls-generate-lists": {
        "task": "outreach.calls.tasks.generate_call_lists",
        "schedule": crontab(hour=6, minute=0),
    },
    # Every day at 15:30 (Asia/Shanghai), half an hour before the 16:00 cut-off of the daily
    # outreach report: remind each unit that has not reported today (once per unit and day).
    "outreach-report-reminders": {
        "task": "outreach.reports.tasks.remind_unreported_units",
        "schedule": crontab(hour=15, minute=30),
    },
    # Every 15 minutes: alert the responsible person of each elder enrolled in the daily check-in
    # who has not checked in by their deadline (default 10:00); once per elder and day.
    "outreach-checkins-alert-missing": {
        "task": "outreach.checkins.tasks.alert_missing_checkins",
        "schedule": crontab(minute="*/15"),
    },
    # Every morning at 07:45: remind each community and provider, in the app and by text message,
    # of its inspection problems due within two days (once per problem and day).
    "outreach-inspection-deadline-reminders": {
        "task": "outreach.inspections.tasks.remind_problem_deadlines",
        "schedule": crontab(hour=7, minute=45),
    },
    # Every 10 minutes, work committed without its product, whose task was lost (the broker was
    # down when it was enqueued, or the worker died): the written decisions without their PDF and
    # the settlement reports still waiting SWEEP_AFTER_MINUTES after the request are produced.
    # Idempotent: what has its file is left alone.
    "subsidies-sweep-decision-notices": {
        "task": "subsidies.sweep_decision_notices",
        "schedule": crontab(minute="*/10"),
    },
    # Every 10 minutes, a monthly run with no sign of life for RUN_STALE_MINUTES (its worker was
    # killed) is marked failed with the reason, so that the month can be run again.
    "subsidies-sweep-stalled-runs": {
        "task": "subsidies.standards.tasks.sweep_stalled_runs",
        "schedule": crontab(minute="*/10"),
    },
    # Every 30 minutes: store the open months' settlement figures again where the ledger moved
    # enough (REFRESH_MIN_ENTRIES new entries, elders whose grants or community changed, or a day
    # old with news), so that the finance pages add at most that many entries live. Idempotent.
    "settlement-refresh-month-figures": {
        "task": "settlement.tasks.refresh_month_figures",
        "schedule": crontab(minute="*/30"),
    },
    # Every 30 minutes, at a quarter past and to: read again the unpaid months of the responses in
    # progress (the entitled elders with no grant of a month whose run is late), so that the
    # continuity reports look only at those and at the entitlements changed since. Idempotent.
    "outreach-continuity-unpaid-readings": {
        "task": "outreach.inspections.tasks.take_unpaid_readings",
        "schedule": crontab(minute="15,45"),
    },
    # Every 30 minutes, at twenty past and ten to, while a response is in progress: read again the
    # living elders with a gap in their visits, so that the continuity reports read live only the
    # elders whose record or visits were saved since. Idempotent.
    "outreach-continuity-visit-gap-readings": {
        "task": "outreach.inspections.tasks.take_visit_gap_readings",
        "schedule": crontab(minute="20,50"),
    },
    # Every 30 minutes, at ten past and twenty to: count again the coverage figures of every
    # community, so that the coverage pages count live only the communities changed since. Idempotent.
    "outreach-coverage-readings": {
        "task": "outreach.tasks.take_coverage_readings",
        "schedule": crontab(minute="10,40"),
    },
    # Every 30 minutes, at five past and twenty-five to: judge again the visits of this month and the
    # two before, so that the visit frequency reports judge live only the elders changed since.
    # Idempotent.
    "providers-frequency-readings": {
        "task": "providers.tasks.take_frequency_readings",
        "schedule": crontab(minute="5,35"),
    },
    "settlement-sweep-reports": {
        "task": "settlement.tasks.sweep_reports",
        "schedule": crontab(minute="*/10"),
    },
}
