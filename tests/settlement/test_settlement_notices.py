"""The settlement tells the next actor: the towns of a month to confirm, the other finance users
of a prepared quarter, the preparer of a quarter sent back (with the reason); each once."""

import pytest
import time_machine
from django.urls import reverse

from eldercare.models import Notification
from eldercare.periods import Month, Quarter
from settlement.services import quarter_prepare, quarter_send_back
from settlement.services.notices import months_to_confirm_notify

from .scenario import at, build

pytestmark = pytest.mark.django_db
Q4 = Quarter(2026, 4)
DEC = Month(2026, 12)


def test_towns_are_told_of_the_month_they_must_confirm_once(tree):
    q = build(tree, lock_december=False)
    with time_machine.travel(at(2027, 1, 4), tick=False):
        assert months_to_confirm_notify() == 1
        assert months_to_confirm_notify() == 0
    (notice,) = Notification.objects.filter(user=q.street_b_user, dedupe_key__startswith="settlement-month")
    assert notice.url == reverse("settlement_month", args=[str(DEC)])
    # Street A had nothing in December to confirm; finance and the district are not towns.
    for user in (q.street_a_user, q.finance, q.district):
        assert not Notification.objects.filter(user=user, dedupe_key__startswith="settlement-month").exists()


def test_prepared_quarter_goes_to_the_other_finance_user_and_back_to_the_preparer(q4):
    url = reverse("settlement_quarter", args=[str(Q4)])
    with time_machine.travel(at(2027, 1, 5), tick=False):
        prepared = quarter_prepare(quarter=Q4, by=q4.finance)
        assert Notification.objects.filter(user=q4.finance2, url=url).count() == 1
        assert not Notification.objects.filter(user=q4.finance, url=url).exists()
        assert not Notification.objects.filter(user=q4.district, url=url).exists()

        quarter_send_back(settlement=prepared, by=q4.finance2, reason="仙女镇12月助浴次数需复核")
        (back,) = Notification.objects.filter(user=q4.finance, url=url)
        assert "仙女镇12月助浴次数需复核" in back.message
        assert Notification.objects.filter(user=q4.finance2, url=url).count() == 1

        # Prepared again by the reviewer: now the first finance user is asked to approve.
        quarter_prepare(quarter=Q4, by=q4.finance2)
        assert Notification.objects.filter(user=q4.finance, url=url).count() == 2
        assert Notification.objects.filter(user=q4.finance2, url=url).count() == 1
