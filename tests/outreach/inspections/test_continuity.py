"""The continuity report of an emergency response: one row per elder and reason, the page with its
filters, its spreadsheet, the API, and the district's and street's work lists."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from eldercare.celery import app as celery_app
from eldercare.models import Elder, LifeStatus, Role
from eldercare.nav import work_panels_for
from eldercare.periods import Month
from eldercare.services import elder_set_life_status
from outreach.inspections import continuity, rules
from outreach.inspections import nav as inspections_nav
from outreach.inspections.models import UnpaidElder, UnpaidReading, VisitGapElder, VisitGapReading
from outreach.inspections.tasks import take_unpaid_readings, take_visit_gap_readings
from outreach.services import response_declare, response_end
from providers.models import WorkOrder
from providers.services.visits import order_cancel
from subsidies.standards.services.entitlements import entitlement_end
from subsidies.standards.services.run import run_month
from tests.factories import ElderFactory, user_with_role
from tests.providers.factories import make_item
from tests.subsidies.policy_factories import entitled_elder, schemes
from vouchers.models import Account
from vouchers.services import account_freeze

pytestmark = pytest.mark.django_db


def test_months_due_counts_from_the_response_and_waits_for_the_run_and_its_grace_days():
    jan, feb, mar = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)
    since = datetime.date(2026, 2, 20)
    assert rules.months_due(start_month=jan, end_month=None, since=since, today=datetime.date(2026, 3, 3)) == [feb]
    assert rules.months_due(start_month=jan, end_month=None, since=since, today=datetime.date(2026, 3, 4)) == [
        feb,
        mar,
    ]
    assert rules.months_due(start_month=jan, end_month=feb, since=since, today=datetime.date(2026, 3, 16)) == [feb]
    assert rules.months_unpaid([feb, mar], [feb]) == [mar]


def test_the_horizon_is_30_days_or_the_responses_end_if_later():
    today = datetime.date(2026, 3, 16)
    assert rules.ending_horizon(today, None) == datetime.date(2026, 4, 15)
    assert rules.ending_horizon(today, datetime.date(2026, 3, 31)) == datetime.date(2026, 4, 15)
    assert rules.ending_horizon(today, datetime.date(2026, 6, 30)) == datetime.date(2026, 6, 30)


@pytest.fixture
def at_risk(people, tree, heat_wave):
    """Elders of 龙川社区 (street A) and one of 新都村 (street B), the heat wave since 2026-02-20:
    the runs of February and March paid everyone entitled by then."""
    scheme = schemes(tree)["jiangdu"]
    entitled = {"categories": ["tekun"], "approver": people["district"]}
    fine = entitled_elder(scheme=scheme, community=tree.a1, name="安然无恙", **entitled)
    ending = entitled_elder(scheme=scheme, community=tree.a1, name="即将终止", **entitled)
    frozen = ElderFactory(community=tree.a1, name="账户冻结")
    visits = ElderFactory(community=tree.a1, name="服务取消")
    far = entitled_elder(scheme=scheme, community=tree.b1, name="新都村民", **entitled)
    run_month(month=Month(2026, 2))
    run_month(month=Month(2026, 3))
    unpaid = entitled_elder(scheme=scheme, community=tree.a1, name="漏发补贴", **entitled)  # after both runs
    entitlement_end(elder=ending, last_month=Month(2026, 4), reason="迁往外区", by=people["district"])
    account_freeze(elder=frozen, reason=Account.Cause.FRAUD, note="疑似冒领", by=people["community"])
    provider = people["provider"]
    item = make_item(provider)
    order = {"provider": provider, "item": item, "price": item.price, "booked_via": "community"}
    order["booked_by"] = people["community"]
    booked = {"elder": visits, **order}
    WorkOrder.objects.create(
        scheduled_at=timezone.make_aware(datetime.datetime(2026, 3, 10, 9)), status="cancelled", **booked
    )
    WorkOrder.objects.create(
        scheduled_at=timezone.make_aware(datetime.datetime(2026, 3, 12, 9)), status="booked", **booked
    )
    # Outside the report: cancelled three weeks ago, and a visit due later today.
    WorkOrder.objects.create(
        scheduled_at=timezone.make_aware(datetime.datetime(2026, 2, 20, 9)), status="cancelled", **booked
    )
    WorkOrder.objects.create(
        scheduled_at=timezone.make_aware(datetime.datetime(2026, 3, 16, 15)), status="booked", elder=fine, **order
    )
    return {"fine": fine, "ending": ending, "frozen": frozen, "visits": visits, "unpaid": unpaid, "far": far}


def _by_name(rows):
    return {(r.elder.name, r.reason): r for r in rows}


def test_one_row_per_elder_and_reason_and_an_elder_with_none_is_absent(people, heat_wave, at_risk):
    with translation.override("en"):
        rows = continuity.continuity_rows(user=people["district"], response=heat_wave)
    found = _by_name(rows)
    assert set(found) == {
        ("账户冻结", continuity.FROZEN),
        ("即将终止", continuity.ENDING),
        ("服务取消", continuity.VISITS),
        ("漏发补贴", continuity.UNPAID),
    }
    assert "安然无恙" not in {r.elder.name for r in rows}
    assert "新都村民" not in {r.elder.name for r in rows}
    assert found[("即将终止", continuity.ENDING)].since == datetime.date(2026, 4, 1)
    assert "2026-04" in found[("即将终止", continuity.ENDING)].detail
    assert "迁往外区" in found[("即将终止", continuity.ENDING)].detail
    assert "疑似冒领" in found[("账户冻结", continuity.FROZEN)].detail
    visits = found[("服务取消", continuity.VISITS)]
    # the cancelled visit of 03-10 and the one of 03-12 never served; not the one of 02-20
    assert visits.detail == "1 cancelled, 1 not served in the last 14 days"
    assert visits.since == datetime.date(2026, 3, 12)
    unpaid = found[("漏发补贴", continuity.UNPAID)]
    assert unpaid.detail == "Not paid: 2026-02、2026-03"
    assert unpaid.url == reverse("elder_detail", args=[at_risk["unpaid"].pk])


def test_a_frozen_account_of_an_elder_who_died_and_a_visit_still_to_come_are_no_risk(people, tree, heat_wave, at_risk):
    died = ElderFactory(community=tree.a1, name="已故老人")
    account_freeze(elder=died, reason=Account.Cause.FRAUD, note="冻结", by=people["community"])
    Elder.objects.filter(pk=died.pk).update(life_status=LifeStatus.DECEASED, life_status_date=datetime.date(2026, 3, 1))
    provider = people["provider"]
    item = make_item(provider)
    WorkOrder.objects.create(
        elder=at_risk["fine"],
        provider=provider,
        item=item,
        price=item.price,
        booked_via="community",
        booked_by=people["community"],
        scheduled_at=timezone.make_aware(datetime.datetime(2026, 3, 18, 9)),
        status="cancelled",
    )
    names = {r.elder.name for r in continuity.continuity_rows(user=people["district"], response=heat_wave)}
    assert "已故老人" not in names
    assert "安然无恙" not in names
    assert "账户冻结" in names


def test_the_report_filters_by_reason_and_the_street_sees_its_own(people, heat_wave, at_risk, tree):
    frozen_only = continuity.continuity_rows(user=people["district"], response=heat_wave, reason=continuity.FROZEN)
    assert [r.elder.name for r in frozen_only] == ["账户冻结"]
    assert len(continuity.continuity_rows(user=people["street"], response=heat_wave)) == 4
    assert continuity.continuity_rows(user=people["street_b"], response=heat_wave) == []
    assert continuity.continuity_rows(user=people["provider_admin"], response=heat_wave) == []
    # A part of the district (a street's view, a community filter) finds the unpaid months as the
    # whole district does (its sets are read for its elders only)
    for user, narrowed in ((people["street"], {}), (people["district"], {"community": tree.a1.pk})):
        rows = continuity.continuity_rows(user=user, response=heat_wave, reason=continuity.UNPAID, **narrowed)
        assert [(r.elder.name, r.detail) for r in rows] == [("漏发补贴", "未发放：2026-02、2026-03")]
    other = continuity.continuity_rows(
        user=people["district"], response=heat_wave, reason=continuity.UNPAID, community=tree.b1.pk
    )
    assert other == []


def test_a_month_not_yet_past_the_grace_days_is_not_a_gap(people, heat_wave, at_risk, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 3, 10, tzinfo=datetime.UTC), tick=False)
    rows = continuity.continuity_rows(user=people["district"], response=heat_wave, reason=continuity.UNPAID)
    assert [r.detail.count("2026-") for r in rows] == [1]  # February only: March's run is not yet late


def test_a_response_with_no_month_late_yet_has_no_unpaid_row_and_its_page_says_so(
    people, client, tree, at_risk, time_machine
):
    # Declared on 03-02: March's run is not late before 03-04, so no month is looked at.
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), tick=False)
    new = response_declare(
        by=people["district"],
        district=tree.district,
        kind="cold_snap",
        name="寒潮关爱",
        starts_on=datetime.date(2026, 3, 2),
    )
    assert continuity.at_risk(user=people["district"], response=new, reason=continuity.UNPAID).count() == 0
    client.force_login(people["district"])
    page = client.get(reverse("outreach_inspections:continuity"), {"response": new.pk, "reason": continuity.UNPAID})
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 0 and list(page.context["rows"]) == []


def test_the_page_and_its_spreadsheet_show_the_same_filtered_rows(people, client, heat_wave, at_risk):
    client.force_login(people["street"])
    url = reverse("outreach_inspections:continuity")
    page = client.get(url, {"response": heat_wave.pk})
    assert page.status_code == 200
    assert sorted(r.elder.name for r in page.context["rows"]) == sorted(
        ["即将终止", "服务取消", "漏发补贴", "账户冻结"]
    )
    body = page.content.decode()
    assert reverse("elder_detail", args=[at_risk["frozen"].pk]) in body
    sheet = client.get(url, {"response": heat_wave.pk, "reason": continuity.VISITS, "export": "xlsx"})
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    values = list(book.active.iter_rows(values_only=True))
    assert len(values) == 2  # the header and the one elder with visits cancelled
    assert values[1][1] == "服务取消"
    assert values[1][6] == reverse("elder_detail", args=[at_risk["visits"].pk])


def test_the_page_refuses_a_caregiver(people, client, heat_wave):
    caregiver = user_with_role(Role.CAREGIVER, provider=people["provider"])
    client.force_login(caregiver)
    assert client.get(reverse("outreach_inspections:continuity")).status_code == 403


def test_the_api_gives_the_rows_of_the_page(people, heat_wave, at_risk):
    api = APIClient()
    api.force_authenticate(people["district"])
    answer = api.get("/api/v1/continuity/", {"response": heat_wave.pk, "reason": continuity.ENDING})
    assert answer.status_code == 200
    assert [(r["elder_name"], r["reason"]) for r in answer.json()["results"]] == [("即将终止", "ending")]
    assert answer.json()["count"] == 1
    assert api.get("/api/v1/continuity/", {"response": heat_wave.pk + 99}).status_code == 404


def test_the_district_and_street_work_lists_carry_the_report_while_it_has_rows(people, client, heat_wave, at_risk):
    def panel(user):
        return next((p for p in work_panels_for(user) if "/continuity/" in p.url), None)

    found = panel(people["street"])
    assert found is not None and found.count == 4
    client.force_login(people["street"])
    assert len(client.get(found.url).context["rows"]) == found.count
    assert panel(people["district"]).count == 4
    assert panel(people["street_b"]) is None
    assert panel(people["community"]) is None  # the community has the page, not the panel


def _more_at_risk(people, tree, count):
    """`count` more elders of 龙川社区 with a frozen account, and one more entitled after the runs (their
    names sort after those of `at_risk`)."""
    for i in range(count):
        elder = ElderFactory(community=tree.a1, name=f"赵冻结{i:03d}")
        account_freeze(elder=elder, reason=Account.Cause.FRAUD, note="核查", by=people["community"])
    scheme = schemes(tree)["jiangdu"]
    entitled_elder(scheme=scheme, community=tree.a1, name="赵漏发", categories=["tekun"], approver=people["district"])


def test_the_report_and_its_panel_take_the_same_queries_with_more_elders_at_risk(
    people, client, heat_wave, at_risk, tree
):
    client.force_login(people["street"])
    url = reverse("outreach_inspections:continuity")

    def measured():
        with CaptureQueriesContext(connection) as page:
            rows = client.get(url, {"response": heat_wave.pk}).context["page"].paginator.count
        with CaptureQueriesContext(connection) as panel:
            found = next(p for p in inspections_nav.worklist(people["street"]) if "/continuity/" in p.url)
        # The reasons are looked for once: the count reads the first page's rows with it.
        assert sum("reason_order" in q["sql"] for q in page) == 1
        assert sum("reason_order" in q["sql"] for q in panel) == 1
        return rows, found.count, len(page), len(panel)

    measured()  # the user's scope and the like, cached for the rest of the test
    rows, panel_count, page_queries, panel_queries = measured()
    assert (rows, panel_count) == (4, 4)
    _more_at_risk(people, tree, 3)
    assert measured() == (8, 8, page_queries, panel_queries)


def test_the_page_and_the_api_give_fifty_rows_at_a_time_and_the_spreadsheet_every_row(
    people, client, heat_wave, at_risk, tree
):
    _more_at_risk(people, tree, 60)  # 65 rows in all
    client.force_login(people["district"])
    url = reverse("outreach_inspections:continuity")
    first = client.get(url, {"response": heat_wave.pk})
    second = client.get(url, {"response": heat_wave.pk, "page": 2})
    assert first.context["page"].paginator.count == 65
    assert len(first.context["rows"]) == 50 and len(second.context["rows"]) == 15
    names = [r.elder.name for r in first.context["rows"]] + [r.elder.name for r in second.context["rows"]]
    assert names == sorted(names) and len(set(names)) == 65  # one community: by name, no row twice
    sheet = client.get(url, {"response": heat_wave.pk, "export": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    assert [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)] == names
    api = APIClient()
    api.force_authenticate(people["district"])
    answer = api.get("/api/v1/continuity/", {"response": heat_wave.pk, "page": 2}).json()
    assert answer["count"] == 65
    assert [r["elder_name"] for r in answer["results"]] == names[50:]


def _unpaid_details(people, heat_wave) -> dict[str, str]:
    rows = continuity.continuity_rows(user=people["district"], response=heat_wave, reason=continuity.UNPAID)
    return {r.elder.name: r.detail for r in rows}


def test_a_stored_reading_finds_what_the_live_sets_find_and_follows_every_change_since(
    people, tree, heat_wave, at_risk, time_machine
):
    live = _unpaid_details(people, heat_wave)
    assert live == {"漏发补贴": "未发放：2026-02、2026-03"}

    assert continuity.unpaid_readings_take() == 2
    readings = UnpaidReading.objects.order_by("month")
    assert [r.month for r in readings] == [datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)]
    assert [[e.elder_id for e in r.elders.all()] for r in readings] == [[at_risk["unpaid"].pk]] * 2
    assert _unpaid_details(people, heat_wave) == live

    # After the reading: an elder entitled since (not in the reading), February paid to those
    # missing it, the elder of the reading deceased.
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=2), tick=False)
    scheme = schemes(tree)["jiangdu"]
    entitled_elder(scheme=scheme, community=tree.a1, name="后来批准", categories=["tekun"], approver=people["district"])
    run_month(month=Month(2026, 2))
    assert _unpaid_details(people, heat_wave) == {
        "漏发补贴": "未发放：2026-03",
        "后来批准": "未发放：2026-03",
    }
    Elder.objects.filter(pk=at_risk["unpaid"].pk).update(
        life_status=LifeStatus.DECEASED, life_status_date=datetime.date(2026, 3, 15)
    )
    stored = _unpaid_details(people, heat_wave)
    UnpaidReading.objects.all().delete()
    assert stored == _unpaid_details(people, heat_wave) == {"后来批准": "未发放：2026-03"}

    # The next reading finds the elder entitled since; once the response ends, no report looks
    # at a month and the readings go.
    continuity.unpaid_readings_take()
    assert {e.elder.name for e in UnpaidElder.objects.filter(reading__month=datetime.date(2026, 3, 1))} == {
        "漏发补贴",
        "后来批准",
    }
    response_end(response=heat_wave, by=people["district"])
    assert continuity.unpaid_readings_take() == 0
    assert not UnpaidReading.objects.exists()


def test_the_readings_are_taken_every_half_hour():
    entry = celery_app.conf.beat_schedule["outreach-continuity-unpaid-readings"]
    assert entry["task"] == take_unpaid_readings.name
    assert entry["schedule"].minute == {15, 45}


def _visit_rows(people, heat_wave) -> list[tuple[str, str]]:
    rows = continuity.continuity_rows(user=people["district"], response=heat_wave, reason=continuity.VISITS)
    return [(r.elder.name, r.detail) for r in rows]


def _visit_keys(user, heat_wave) -> tuple[int, list[tuple]]:
    """The count and the keys of the report's visit rows: what its pages are cut from."""
    rows = continuity.at_risk(user=user, response=heat_wave, reason=continuity.VISITS)
    return rows.count(), list(rows.keys)


def _cancelled_visit(people, elder, day: int) -> WorkOrder:
    return WorkOrder.objects.create(
        elder=elder,
        provider=people["provider"],
        item=make_item(people["provider"], name=f"助浴{elder.pk}"),
        price="50.00",
        booked_via="community",
        booked_by=people["community"],
        scheduled_at=timezone.make_aware(datetime.datetime(2026, 3, day, 9)),
        status="cancelled",
    )


@pytest.fixture
def gaps(people, tree, at_risk):
    """Visits cancelled of 即将终止 (03-11), 账户冻结 (03-13), 新都村民 (street B, 03-13) and of an elder
    deceased since; 服务取消 has its own; today's visit of 安然无恙 is still to come."""
    _cancelled_visit(people, at_risk["ending"], 11)
    _cancelled_visit(people, at_risk["frozen"], 13)
    _cancelled_visit(people, at_risk["far"], 13)
    gone = ElderFactory(community=tree.a1, name="已故老人")
    _cancelled_visit(people, gone, 12)
    elder_set_life_status(elder=gone, status=LifeStatus.DECEASED, on=datetime.date(2026, 3, 14), by=people["community"])
    return at_risk


def test_a_stored_reading_of_the_visit_gaps_finds_what_the_live_sets_find_and_follows_every_change_since(
    people, tree, heat_wave, gaps, time_machine
):
    users = {"district": people["district"], "street": people["street"]}
    live = {k: _visit_keys(u, heat_wave) for k, u in users.items()}
    assert [name for *_key, name in live["district"][1]] == ["即将终止", "服务取消", "账户冻结", "新都村民"]
    assert live["street"][0] == 3  # not 新都村民, of the other street
    rows = _visit_rows(people, heat_wave)
    assert rows[:2] == [("即将终止", "近14天取消1次、未服务0次"), ("服务取消", "近14天取消1次、未服务1次")]

    # Taken an hour after those visits were saved, past the margin: they are read from it.
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=1), tick=False)
    assert continuity.visit_gap_readings_take() == 4  # the living elders with a gap, every district's
    reading = VisitGapReading.objects.get()
    assert reading.day == datetime.date(2026, 3, 16)
    assert {(e.elder_id, e.community_id, e.name) for e in reading.elders.all()} >= {
        (gaps["ending"].pk, tree.a1.pk, "即将终止"),
        (gaps["visits"].pk, tree.a1.pk, "服务取消"),
    }
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=2), tick=False)
    with CaptureQueriesContext(connection) as read:
        assert {k: _visit_keys(u, heat_wave) for k, u in users.items()} == live
        assert _visit_rows(people, heat_wave) == rows
    keys = next(q["sql"] for q in read if "reason_order" in q["sql"])
    assert VisitGapElder._meta.db_table in keys and WorkOrder._meta.db_table not in keys  # nothing changed since

    # After the reading: today's visit of 安然无恙 cancelled, 即将终止 deceased, 服务取消 renamed (the
    # rows are by name), then moved to the other street's community; 账户冻结 unchanged.
    order_cancel(order=WorkOrder.objects.get(elder=gaps["fine"]), reason="老人住院", by=people["provider_admin"])
    elder_set_life_status(
        elder=gaps["ending"], status=LifeStatus.DECEASED, on=datetime.date(2026, 3, 16), by=people["community"]
    )
    renamed = Elder.objects.get(pk=gaps["visits"].pk)
    renamed.name = "艾服务"
    renamed.save()
    assert [name for name, _detail in _visit_rows(people, heat_wave)] == ["安然无恙", "艾服务", "账户冻结", "新都村民"]
    renamed.community = tree.b1
    renamed.save()
    stored = {k: _visit_keys(u, heat_wave) for k, u in users.items()}
    stored_rows = _visit_rows(people, heat_wave)
    VisitGapReading.objects.all().delete()
    assert stored == {k: _visit_keys(u, heat_wave) for k, u in users.items()}
    assert stored_rows == _visit_rows(people, heat_wave)
    assert [name for name, _detail in stored_rows] == ["安然无恙", "账户冻结", "新都村民", "艾服务"]
    assert stored["street"][0] == 2  # 安然无恙 and 账户冻结: 艾服务 moved to street B


def test_a_visit_saved_just_before_the_reading_is_looked_at_live(people, heat_wave, gaps, time_machine):
    # A transaction that cancelled a visit and committed after the reading read the gaps is not in
    # the reading: saved within its margin, the elder is looked at live.
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=1), tick=False)
    live = _visit_keys(people["district"], heat_wave)
    continuity.visit_gap_readings_take()
    VisitGapElder.objects.filter(elder=gaps["frozen"]).delete()
    WorkOrder.objects.filter(elder=gaps["frozen"]).update(updated_at=timezone.now() - datetime.timedelta(minutes=10))
    assert _visit_keys(people["district"], heat_wave) == live


def test_past_the_elders_changed_since_a_reading_the_visits_are_read_live(
    people, heat_wave, gaps, time_machine, monkeypatch
):
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=1), tick=False)
    continuity.visit_gap_readings_take()
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=1), tick=False)
    order_cancel(order=WorkOrder.objects.get(elder=gaps["fine"]), reason="老人住院", by=people["provider_admin"])
    monkeypatch.setattr(continuity, "GAPS_CHANGED_AT_MOST", 0)
    with CaptureQueriesContext(connection) as read:
        found = _visit_keys(people["district"], heat_wave)
    keys = next(q["sql"] for q in read if "reason_order" in q["sql"])
    assert VisitGapElder._meta.db_table not in keys
    VisitGapReading.objects.all().delete()
    assert found == _visit_keys(people["district"], heat_wave)
    assert found[0] == 5  # 安然无恙 too


def test_a_reading_of_the_visit_gaps_serves_its_day_only_and_goes_with_the_responses(
    people, heat_wave, at_risk, time_machine
):
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=1), tick=False)
    assert continuity.visit_gap_readings_take() == 1  # 服务取消
    # On 03-27 the last 14 days begin on 03-13: the visits of 03-10 and 03-12 are out of them, and
    # the visit of 03-16 to 安然无恙 was never served.
    time_machine.move_to(timezone.make_aware(datetime.datetime(2026, 3, 27, 10)), tick=False)
    count, keys = _visit_keys(people["district"], heat_wave)
    assert (count, [name for *_key, name in keys]) == (1, ["安然无恙"])
    assert continuity.visit_gap_readings_take() == 1
    assert VisitGapReading.objects.get().day == datetime.date(2026, 3, 27)
    response_end(response=heat_wave, by=people["district"])
    assert continuity.visit_gap_readings_take() == 0
    assert not VisitGapReading.objects.exists()


def test_the_visit_gaps_are_read_every_half_hour():
    entry = celery_app.conf.beat_schedule["outreach-continuity-visit-gap-readings"]
    assert entry["task"] == take_visit_gap_readings.name
    assert entry["schedule"].minute == {20, 50}
