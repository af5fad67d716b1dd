"""The street's and the district's roll-up: sums equal to the units' figures, the units not
reported listed and marked late after the cut-off, reminded once."""

import pytest
import time_machine

from eldercare import sms
from eldercare.models import Notification
from outreach.reports import selectors, services, tasks

from ..conftest import TODAY
from .conftest import at

pytestmark = pytest.mark.django_db


def _submit_all(scene, tree):
    reports = {
        "a1": services.report_submit(response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker),
        "a2": services.report_submit(
            response=scene.response, unit=scene.unit(tree.a2), day=TODAY, by=scene.worker_a2, staff_on_duty=3
        ),
        "b1": services.report_submit(response=scene.response, unit=scene.unit(tree.b1), day=TODAY, by=scene.worker_b1),
        "provider": services.report_submit(
            response=scene.response, unit=scene.provider_unit, day=TODAY, by=scene.provider_admin
        ),
    }
    return reports


def _sum(reports) -> dict:
    return {f: sum(getattr(r, f) for r in reports) for f in selectors.FIGURES}


def test_the_district_roll_up_equals_the_sum_of_its_units(scene, tree, users):
    reports = _submit_all(scene, tree)
    r = selectors.rollup(user=users["district"], response=scene.response, day=TODAY)
    street_a, street_b = r.streets
    assert [row.unit.name for row in street_a.rows] == ["龙川社区", "文昌社区"]
    assert street_a.totals == _sum([reports["a1"], reports["a2"]])
    assert street_b.totals == _sum([reports["b1"]])
    assert r.community_totals == _sum([reports["a1"], reports["a2"], reports["b1"]])
    assert r.providers.totals == _sum([reports["provider"]])
    # Real figures, not zeros: a1's 5 contacted and a2's 1.
    assert street_a.totals["contacted"] == 6 and street_a.totals["staff_on_duty"] == 2 + 3
    assert r.unreported == []


def test_a_correction_counts_once_in_the_roll_up(scene, tree, users):
    reports = _submit_all(scene, tree)
    corrected = services.report_submit(
        response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker, staff_on_duty=7
    )
    r = selectors.rollup(user=users["street"], response=scene.response, day=TODAY)
    assert r.streets[0].totals == _sum([corrected, reports["a2"]])


def test_the_street_sees_its_communities_only(scene, tree, users):
    _submit_all(scene, tree)
    r = selectors.rollup(user=users["street"], response=scene.response, day=TODAY)
    assert [row.unit.name for row in r.rows] == ["龙川社区", "文昌社区"]
    assert r.providers is None
    assert selectors.report_list(user=users["street"]).count() == 2


def test_units_not_reported_are_pending_before_the_cutoff_and_late_after(scene, tree, users):
    with time_machine.travel(at(TODAY, 15, 0), tick=False):
        services.report_submit(response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker)
        before = selectors.rollup(user=users["district"], response=scene.response, day=TODAY)
    assert [(row.unit.name, row.status) for row in before.unreported] == [
        ("文昌社区", "pending"),
        ("新都村", "pending"),
        ("康乐居家服务中心", "pending"),
    ]
    assert not any(row.late for row in before.rows)
    with time_machine.travel(at(TODAY, 16, 1), tick=False):
        after = selectors.rollup(user=users["district"], response=scene.response, day=TODAY)
        services.report_submit(response=scene.response, unit=scene.unit(tree.a2), day=TODAY, by=scene.worker_a2)
        latest = selectors.rollup(user=users["district"], response=scene.response, day=TODAY)
    assert [row.unit.name for row in after.late] == ["文昌社区", "新都村", "康乐居家服务中心"]
    statuses = {row.unit.name: row.status for row in latest.rows}
    assert statuses == {"龙川社区": "on_time", "文昌社区": "late", "新都村": "missing", "康乐居家服务中心": "missing"}
    # Units not reported add nothing to the sums.
    assert latest.streets[1].totals == dict.fromkeys(selectors.FIGURES, 0)


def test_unreported_units_are_reminded_once_by_notice_and_sms(scene, tree):
    services.report_submit(response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker)
    sms.outbox.clear()  # the escalations of the scene texted the community already
    with time_machine.travel(at(TODAY, 15, 30), tick=False):
        assert tasks.remind_unreported_units.delay().get() == 3
        assert tasks.remind_unreported_units.delay().get() == 3  # run twice: nothing sent again
    phones = sorted(phone for phone, _text in sms.outbox)
    assert phones == ["13900000003", "13900000004", "13900000005"]  # a2, b1, the provider's admin
    assert "文昌社区" in dict(sms.outbox)["13900000003"] and "16:00" in dict(sms.outbox)["13900000003"]
    notices = Notification.objects.filter(dedupe_key__startswith="outreach-report-reminder:")
    assert sorted(n.user_id for n in notices) == sorted(
        [scene.worker_a2.pk, scene.worker_b1.pk, scene.provider_admin.pk]
    )
    assert not Notification.objects.filter(
        user__in=[scene.worker, scene.worker2], dedupe_key__startswith="outreach-report"
    )


def test_the_history_counts_each_day(scene, tree, users):
    services.report_submit(response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker)
    services.report_submit(response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker)
    days = selectors.report_days(user=users["district"], response=scene.response)
    assert [d["day"].day for d in days] == [16, 15, 14]
    today = days[0]
    assert (today["units"], today["reported"], today["on_time"], today["late"], today["missing"]) == (4, 1, 0, 1, 3)
    assert today["missing_late"] == 3


def test_the_roll_up_takes_a_fixed_number_of_queries(scene, tree, users, django_assert_max_num_queries):
    _submit_all(scene, tree)
    user = users["district"]
    selectors.rollup(user=user, response=scene.response, day=TODAY)  # warm the user's scope
    with django_assert_max_num_queries(8):
        selectors.rollup(user=user, response=scene.response, day=TODAY)
