"""Inspections and their problems: the rules, the lifecycle (correct, verify, reopen, overdue), who
may act and see, the pages, the work lists and the daily reminder."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from eldercare import sms
from eldercare.errors import NotAllowed
from eldercare.models import Notification
from eldercare.nav import work_panels_for
from outreach.inspections import rules, selectors, services, tasks
from outreach.inspections.errors import InspectionInvalid, ProblemMoveRefused
from outreach.inspections.models import Inspection, Problem, ProblemEvent
from tests.factories import ElderFactory

from ..conftest import TODAY
from .factories import add_problem

pytestmark = pytest.mark.django_db


# The rules alone ---------------------------------------------------------------------------------


def test_default_deadlines_by_severity():
    found = datetime.date(2026, 3, 5)
    assert rules.default_deadline(found, rules.SERIOUS) == datetime.date(2026, 3, 8)
    assert rules.default_deadline(found, rules.MAJOR) == datetime.date(2026, 3, 12)
    assert rules.default_deadline(found, rules.MINOR) == datetime.date(2026, 3, 20)


def test_overdue_only_while_open_and_after_the_deadline_day():
    deadline = datetime.date(2026, 3, 15)
    assert not rules.is_overdue(rules.OPEN, deadline, datetime.date(2026, 3, 15))
    assert rules.is_overdue(rules.OPEN, deadline, datetime.date(2026, 3, 16))
    assert not rules.is_overdue(rules.CORRECTED, deadline, datetime.date(2026, 3, 16))
    assert not rules.is_overdue(rules.CLOSED, deadline, datetime.date(2026, 3, 16))


@given(days=st.integers(min_value=-5, max_value=10))
def test_reminder_from_two_days_before_to_the_deadline_day(days):
    deadline = TODAY + datetime.timedelta(days=days)
    assert rules.reminder_due(rules.OPEN, deadline, TODAY) == (0 <= days <= 2)


def test_the_moves_allowed():
    assert rules.move_allowed(rules.OPEN, rules.CORRECTED)
    assert rules.move_allowed(rules.CORRECTED, rules.CLOSED)
    assert rules.move_allowed(rules.CORRECTED, rules.OPEN)
    assert rules.move_allowed(rules.CLOSED, rules.OPEN)
    assert not rules.move_allowed(rules.OPEN, rules.CLOSED)  # never closed without a correction
    assert not rules.move_allowed(rules.CLOSED, rules.CORRECTED)


# The lifecycle ----------------------------------------------------------------------------------


def test_a_problem_goes_open_corrected_closed_reopened_with_one_event_each(people, district_inspection, tree):
    problem = add_problem(district_inspection, people["district"], severity="serious")
    assert problem.status == "open"
    assert problem.deadline == datetime.date(2026, 3, 8)  # 3 days for a serious problem
    assert problem.unit_community == tree.a1

    services.problem_correct(
        problem=problem, by=people["community"], action_taken="已补齐联系台账", evidence="台账照片 3 张"
    )
    problem.refresh_from_db()
    assert problem.status == "corrected"
    assert problem.corrections.get().evidence == "台账照片 3 张"

    services.problem_verify(problem=problem, by=people["district"], note="现场核实已整改")
    problem.refresh_from_db()
    assert problem.status == "closed" and problem.closed_at is not None

    services.problem_reopen(
        problem=problem, by=people["district"], note="复查仍有缺失", deadline=datetime.date(2026, 3, 20)
    )
    problem.refresh_from_db()
    assert (problem.status, problem.deadline, problem.closed_at) == ("open", datetime.date(2026, 3, 20), None)
    events = list(ProblemEvent.objects.filter(problem=problem).values_list("action", "from_status", "to_status"))
    assert events == [
        ("create", "", "open"),
        ("correct", "open", "corrected"),
        ("verify", "corrected", "closed"),
        ("reopen", "closed", "open"),
    ]


def test_overdue_by_its_deadline_until_the_correction_is_reported(people, district_inspection):
    late = add_problem(district_inspection, people["district"], deadline=datetime.date(2026, 3, 15))
    due_today = add_problem(district_inspection, people["district"], deadline=TODAY)
    overdue = selectors.problem_list(user=people["district"], status=selectors.OVERDUE)
    assert list(overdue) == [late]
    assert late.is_overdue(TODAY) and not due_today.is_overdue(TODAY)

    services.problem_correct(problem=late, by=people["community"], action_taken="已整改")
    assert not selectors.problem_list(user=people["district"], status=selectors.OVERDUE).exists()


def test_a_rejected_correction_goes_back_to_the_unit_and_is_overdue_with_its_old_deadline(people, district_inspection):
    problem = add_problem(district_inspection, people["district"], deadline=datetime.date(2026, 3, 12))
    services.problem_correct(problem=problem, by=people["community"], action_taken="已整改")
    services.problem_reopen(problem=problem, by=people["district"], note="照片不能说明已整改")
    problem.refresh_from_db()
    assert problem.status == "open" and problem.is_overdue(TODAY)
    assert list(selectors.problem_list(user=people["community"], todo=selectors.TO_CORRECT)) == [problem]


def test_moves_out_of_order_are_refused(people, district_inspection):
    problem = add_problem(district_inspection, people["district"])
    with pytest.raises(ProblemMoveRefused):
        services.problem_verify(problem=problem, by=people["district"])  # nothing reported yet
    services.problem_correct(problem=problem, by=people["community"], action_taken="已整改")
    with pytest.raises(ProblemMoveRefused):
        services.problem_correct(problem=problem, by=people["community"], action_taken="再次上报")


def test_only_the_unit_corrects_and_only_the_inspectors_level_verifies(people, tree, district_inspection):
    problem = add_problem(district_inspection, people["district"])
    with pytest.raises(NotAllowed):
        services.problem_correct(problem=problem, by=people["community_b"], action_taken="不是我们社区")
    with pytest.raises(NotAllowed):
        services.problem_correct(problem=problem, by=people["street"], action_taken="街道代报")
    services.problem_correct(problem=problem, by=people["community"], action_taken="已整改")
    with pytest.raises(NotAllowed):
        services.problem_verify(problem=problem, by=people["street"])  # a district inspection
    services.problem_verify(problem=problem, by=people["district"])


def test_a_street_inspects_its_own_area_and_verifies_its_own_problems(people, tree):
    with pytest.raises(InspectionInvalid):
        services.inspection_record(by=people["street"], inspected_on=TODAY, place_kind="community", community=tree.b1)
    elder = ElderFactory(community=tree.a2, name="王秀英")
    inspection = services.inspection_record(
        by=people["street"], inspected_on=TODAY, place_kind="household", elder=elder
    )
    assert (inspection.level, inspection.street, inspection.community) == ("street", tree.street_a, tree.a2)
    problem = add_problem(inspection, people["street"], description="老人家中电扇损坏无人处理")
    assert problem.unit_community == tree.a2
    with pytest.raises(NotAllowed):  # the household's community answers, not 龙川社区
        services.problem_correct(problem=problem, by=people["community"], action_taken="已处理")
    with pytest.raises(NotAllowed):
        add_problem(inspection, people["district"])  # the district does not add to a street's inspection


def test_a_community_worker_does_not_inspect_and_a_future_date_is_refused(people, tree):
    with pytest.raises(NotAllowed):
        services.inspection_record(
            by=people["community"], inspected_on=TODAY, place_kind="community", community=tree.a1
        )
    with pytest.raises(InspectionInvalid) as refused:
        services.inspection_record(
            by=people["district"],
            inspected_on=TODAY + datetime.timedelta(days=1),
            place_kind="community",
            community=tree.a1,
        )
    assert "inspected_on" in refused.value.params["errors"]


# Who sees what ----------------------------------------------------------------------------------


def test_a_community_worker_sees_only_the_problems_of_their_community(people, client, district_inspection, tree):
    ours = add_problem(district_inspection, people["district"])
    other_inspection = services.inspection_record(
        by=people["district"], inspected_on=TODAY, place_kind="community", community=tree.b1
    )
    theirs = add_problem(other_inspection, people["district"], description="新都村台账缺失")

    assert list(selectors.problem_list(user=people["community"])) == [ours]
    client.force_login(people["community"])
    assert client.get(reverse("outreach_inspections:problem", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("outreach_inspections:inspection", args=[other_inspection.pk])).status_code == 404
    page = client.get(reverse("outreach_inspections:problem", args=[ours.pk]))
    assert page.status_code == 200 and "独居老人三天未联系" in page.content.decode()
    assert set(selectors.problem_list(user=people["district"])) == {ours, theirs}
    assert list(selectors.problem_list(user=people["street_b"])) == [theirs]


def test_a_provider_admin_sees_only_the_problems_assigned_to_the_provider(people, tree):
    inspection = services.inspection_record(
        by=people["district"], inspected_on=TODAY, place_kind="provider", provider=people["provider"]
    )
    assert inspection.community is None
    problem = add_problem(inspection, people["district"], provider=people["provider"], description="护理员未持证上岗")
    community_problem = add_problem(inspection, people["district"], unit=tree.a1, description="社区未督促")
    assert list(selectors.problem_list(user=people["provider_admin"])) == [problem]
    assert list(selectors.problem_list(user=people["community"])) == [community_problem]
    services.problem_correct(problem=problem, by=people["provider_admin"], action_taken="已安排持证人员")
    assert Problem.objects.get(pk=problem.pk).status == "corrected"


# Pages and work lists ---------------------------------------------------------------------------


def test_recording_an_inspection_and_a_problem_from_the_phone_pages(people, client, tree):
    client.force_login(people["district"])
    assert client.get(reverse("outreach_inspections:inspection_new")).status_code == 200
    answer = client.post(
        reverse("outreach_inspections:inspection_new"),
        {"inspected_on": "2026-03-16", "place_kind": "community", "community": tree.a2.pk, "findings": "暗访"},
    )
    inspection = Inspection.objects.get()
    assert answer.url == reverse("outreach_inspections:inspection", args=[inspection.pk])
    assert (inspection.community, inspection.level, inspection.inspector) == (tree.a2, "district", people["district"])
    answer = client.post(
        reverse("outreach_inspections:inspection", args=[inspection.pk]),
        {
            "category": "safety",
            "severity": "minor",
            "description": "燃气灶无熄火保护",
            "unit_kind": "community",
            "unit_community": tree.a2.pk,
        },
    )
    assert answer.status_code == 302
    problem = Problem.objects.get()
    assert (problem.deadline, problem.unit_community) == (datetime.date(2026, 3, 31), tree.a2)


def test_the_unit_corrects_and_the_inspector_verifies_on_the_problem_page(people, client, district_inspection):
    problem = add_problem(district_inspection, people["district"])
    url = reverse("outreach_inspections:problem", args=[problem.pk])
    client.force_login(people["community"])
    client.post(url, {"correct": "1", "action_taken": "已补齐台账", "evidence": "照片"})
    assert Problem.objects.get(pk=problem.pk).status == "corrected"
    client.force_login(people["district"])
    client.post(url, {"verify": "1", "decision": "reopen", "note": "", "deadline": ""})
    assert Problem.objects.get(pk=problem.pk).status == "corrected"  # a reopening needs its reason
    client.post(url, {"verify": "1", "decision": "reopen", "note": "仍缺两户", "deadline": "2026-03-25"})
    assert Problem.objects.get(pk=problem.pk).status == "open"


def test_the_problems_list_filters_by_status(people, client, district_inspection):
    late = add_problem(
        district_inspection, people["district"], deadline=datetime.date(2026, 3, 10), description="逾期甲"
    )
    add_problem(district_inspection, people["district"], deadline=datetime.date(2026, 3, 30), description="未到期乙")
    client.force_login(people["district"])
    page = client.get(reverse("outreach_inspections:problems"), {"status": "overdue"}).content.decode()
    assert "逾期甲" in page and "未到期乙" not in page
    page = client.get(reverse("outreach_inspections:problems"), {"status": "open"}).content.decode()
    assert "逾期甲" in page and "未到期乙" in page
    services.problem_correct(problem=late, by=people["community"], action_taken="已整改")
    page = client.get(reverse("outreach_inspections:problems"), {"status": "corrected"}).content.decode()
    assert "逾期甲" in page and "未到期乙" not in page


def _panel(user, todo):
    return next((p for p in work_panels_for(user) if p.url.endswith(f"?todo={todo}")), None)


def test_work_lists_carry_the_units_problems_and_the_corrections_to_verify(people, client, district_inspection):
    first = add_problem(district_inspection, people["district"])
    add_problem(district_inspection, people["district"], description="第二个问题")
    panel = _panel(people["community"], "correct")
    assert panel is not None and panel.count == 2
    client.force_login(people["community"])
    assert client.get(panel.url).context["page"].paginator.count == 2
    assert _panel(people["community_b"], "correct") is None

    services.problem_correct(problem=first, by=people["community"], action_taken="已整改")
    assert _panel(people["community"], "correct").count == 1
    verify = _panel(people["district"], "verify")
    assert verify is not None and verify.count == 1
    client.force_login(people["district"])
    assert client.get(verify.url).context["page"].paginator.count == 1
    services.problem_verify(problem=first, by=people["district"])
    assert _panel(people["district"], "verify") is None


def test_the_daily_reminder_texts_the_unit_once_per_problem_and_day(people, district_inspection):
    due = add_problem(district_inspection, people["district"], deadline=TODAY + datetime.timedelta(days=2))
    add_problem(district_inspection, people["district"], deadline=TODAY + datetime.timedelta(days=3))
    sms.outbox.clear()
    assert tasks.remind_problem_deadlines.delay().get() == 1
    assert tasks.remind_problem_deadlines.delay().get() == 1  # run again: nothing sent twice
    key = f"inspection-problem-due:{due.pk}:2026-03-16"
    assert Notification.objects.filter(dedupe_key=key, user=people["community"]).count() == 1
    assert [phone for phone, _text in sms.outbox] == [people["community"].phone]
    assert "2026-03-18" in sms.outbox[0][1]


def test_the_inspections_page_lists_what_the_user_may_see(people, client, district_inspection, tree):
    other = services.inspection_record(
        by=people["district"], inspected_on=TODAY, place_kind="community", community=tree.b1
    )
    add_problem(other, people["district"], description="新都村台账缺失")
    client.force_login(people["community_b"])
    page = client.get(reverse("outreach_inspections:inspections"))
    assert [i.pk for i in page.context["page"]] == [other.pk]
    assert not page.context["can_inspect"]
