"""A unit's figures come from the day's contacts; the unit confirms them before the cut-off;
a correction supersedes and keeps the history; nobody reports for another unit."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from eldercare.errors import NotAllowed
from outreach.reports import services
from outreach.reports.errors import ReportInvalid
from outreach.reports.models import DailyReport

from ..conftest import TODAY
from .conftest import YESTERDAY, at

pytestmark = pytest.mark.django_db


def test_figures_of_the_day_are_the_day_s_contacts(scene, tree):
    figures = services.report_figures(response=scene.response, unit=scene.unit(tree.a1), day=TODAY)
    assert figures.as_dict() == {
        "households": 6,
        "covered": 4,  # screened with a responsible person: 张一, 李二, 赵四, 钱五
        "contacted": 5,  # 张一, 李二, 王三, 赵四, 孙六 (文昌 is another community's)
        "problems": 2,  # 李二's health problem, 赵四 unreachable
        "needs_open": 3,  # the escalations of 李二 and 赵四, and 王三's needs
        "needs_closed": 1,  # 钱五's escalation, closed today
        "staff_on_duty": 2,  # the two workers who recorded contacts
    }


def test_figures_of_yesterday_stand_as_they_were_at_its_end(scene, tree):
    figures = services.report_figures(response=scene.response, unit=scene.unit(tree.a1), day=YESTERDAY)
    assert (figures.contacted, figures.problems, figures.needs_open, figures.needs_closed, figures.staff_on_duty) == (
        2,
        2,
        1,  # 钱五's escalation was still open at midnight; 赵四's came today
        0,
        1,
    )


def test_a_provider_s_figures_are_those_of_its_households(scene):
    figures = services.report_figures(response=scene.response, unit=scene.provider_unit, day=TODAY)
    assert (figures.households, figures.covered, figures.contacted, figures.problems) == (1, 1, 1, 0)


def test_reported_at_1559_shanghai_is_on_time(scene, tree):
    with time_machine.travel(at(TODAY, 15, 59), tick=False):
        report = services.report_submit(response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker)
    assert report.on_time is True
    assert report.reported_at == at(TODAY, 15, 59)


def test_reported_at_1601_shanghai_is_late_but_recorded(scene, tree):
    with time_machine.travel(at(TODAY, 16, 1), tick=False):
        report = services.report_submit(response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker)
    assert report.on_time is False
    assert report.is_current


def test_the_report_records_the_computed_figures_and_the_unit_s_staff(scene, tree):
    report = services.report_submit(
        response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker, staff_on_duty=5, note="三人上门"
    )
    assert (report.contacted, report.problems, report.needs_open, report.needs_closed) == (5, 2, 3, 1)
    assert (report.staff_on_duty, report.staff_computed) == (5, 2)
    assert report.street == tree.street_a


def test_a_correction_supersedes_and_keeps_the_first_report_and_its_time(scene, tree):
    unit = scene.unit(tree.a1)
    with time_machine.travel(at(TODAY, 15, 0), tick=False):
        first = services.report_submit(response=scene.response, unit=unit, day=TODAY, by=scene.worker)
    with time_machine.travel(at(TODAY, 17, 0), tick=False):
        second = services.report_submit(
            response=scene.response, unit=unit, day=TODAY, by=scene.worker2, staff_on_duty=4
        )
    first.refresh_from_db()
    assert not first.is_current and first.staff_on_duty == 2
    assert second.is_current and second.version == 2 and second.supersedes == first
    # The unit reported at 15:00: a correction after the cut-off does not make it late.
    assert second.reported_at == at(TODAY, 15, 0) and second.on_time
    assert DailyReport.objects.filter(response=scene.response, day=TODAY, community=tree.a1).count() == 2


def test_the_database_keeps_one_current_report_per_unit_and_day(scene, tree):
    report = services.report_submit(response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker)
    report.pk = None
    report.supersedes = None
    report.version = 2
    with pytest.raises(IntegrityError), transaction.atomic():
        report.save()


def test_a_worker_cannot_report_for_another_community(scene, tree):
    with pytest.raises(NotAllowed):
        services.report_submit(response=scene.response, unit=scene.unit(tree.a2), day=TODAY, by=scene.worker)
    # Nor a street reviewer for a community, nor the provider's admin for one.
    with pytest.raises(NotAllowed):
        services.report_submit(response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.provider_admin)


def test_a_provider_admin_reports_for_the_provider(scene):
    report = services.report_submit(
        response=scene.response, unit=scene.provider_unit, day=TODAY, by=scene.provider_admin
    )
    assert report.provider == scene.provider and report.community is None and report.contacted == 1


def test_no_report_for_a_day_to_come_or_before_the_response(scene, tree):
    for day in (TODAY + datetime.timedelta(days=1), datetime.date(2026, 3, 13)):
        with pytest.raises(ReportInvalid):
            services.report_submit(response=scene.response, unit=scene.unit(tree.a1), day=day, by=scene.worker)


def test_a_missed_day_may_be_reported_later_and_is_late(scene, tree):
    report = services.report_submit(response=scene.response, unit=scene.unit(tree.a1), day=YESTERDAY, by=scene.worker)
    assert report.on_time is False and report.contacted == 2
