"""The whole demo, seeded on a day of December: deadlines in working days then run into a year
whose official calendar the library does not know yet."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from eldercare.models import CalendarYear, User
from outreach.purchases.models import PurchaseRequest
from outreach.reports.models import DailyReport

pytestmark = pytest.mark.django_db


def test_the_demo_is_seeded_in_december_with_every_role_and_outreach_in_progress():
    out = StringIO()
    with time_machine.travel(datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC), tick=False):
        call_command("seed_demo", stdout=out)
    assert "Demo district created" in out.getvalue()
    assert CalendarYear.objects.filter(year=2027).exists()  # the demo's stand-in: weekends only
    logins = set(User.objects.values_list("username", flat=True))
    assert {"volunteer", "supermarket", "community", "district"} <= logins
    assert DailyReport.objects.exists()
    assert set(PurchaseRequest.objects.values_list("status", flat=True)) >= {"requested", "delivered", "paid"}
