"""Callbacks, the district's 10% sample, community contacts, satisfaction and rectification."""

import datetime
import math

import pytest
from django.urls import reverse

from eldercare.errors import Conflict, NotAllowed
from eldercare.models import Role
from eldercare.periods import Month, Quarter
from providers import quality, services
from providers.models import Callback, DistrictSample, Provider, Rectification, WorkOrder
from providers.services.termination import provider_terminate
from subsidies.standards.models import Assessment
from tests.factories import ElderFactory, user_with_role

from .conftest import SHANGHAI
from .factories import make_caregiver, make_item, make_order

S = WorkOrder.Status
pytestmark = pytest.mark.django_db


def visited(world, provider, item, caregiver, n, day=datetime.date(2026, 3, 9)):
    orders = []
    for i in range(n):
        o = WorkOrder.objects.create(
            elder=world.elder,
            provider=provider,
            item=item,
            price=item.price,
            booked_by=world.admin,
            scheduled_at=datetime.datetime.combine(day, datetime.time(8 + i % 10), tzinfo=SHANGHAI),
            booked_via="provider",
            caregiver=caregiver,
            status=S.COMPLETED,
            checked_in_at=datetime.datetime.combine(day, datetime.time(8), tzinfo=SHANGHAI),
        )
        orders.append(o)
    return orders


def test_district_sample_is_stratified_at_least_ten_percent_and_drawn_once(world):
    a = visited(world, world.provider, world.item, world.caregiver, 25)
    other_item = make_item(world.other)
    b = visited(world, world.other, other_item, world.other_caregiver, 3)
    visited(world, world.provider, world.item, world.caregiver, 4, day=datetime.date(2026, 3, 10))  # another day
    sample = quality.district_sample_draw(day=datetime.date(2026, 3, 9), seed=1)
    chosen = set(sample.orders.values_list("pk", flat=True))
    assert sample.total == 28
    assert len(chosen & {o.pk for o in a}) == 3  # ceil(25 × 10%)
    assert len(chosen & {o.pk for o in b}) == 1  # a small provider is checked too
    assert len(chosen) >= math.ceil(28 * 0.1)
    again = quality.district_sample_draw(day=datetime.date(2026, 3, 9), seed=2)
    assert again.pk == sample.pk and set(again.orders.values_list("pk", flat=True)) == chosen
    assert DistrictSample.objects.count() == 1


def test_celery_task_draws_yesterdays_sample_once(world, clock):
    from providers.tasks import draw_district_sample

    visited(world, world.provider, world.item, world.caregiver, 5)
    draw_district_sample.delay()
    draw_district_sample.delay()
    sample = DistrictSample.objects.get()
    assert sample.day == datetime.date(2026, 3, 9) and sample.orders.count() == 1


def test_provider_callback_once_per_order_and_only_own(world):
    (order,) = visited(world, world.provider, world.item, world.caregiver, 1)
    due = quality.provider_callbacks_due(user=world.admin, until=datetime.date(2026, 3, 9))
    assert list(due) == [order]
    with pytest.raises(NotAllowed):
        quality.callback_record(order=order, source="provider", result="satisfied", by=world.other_admin)
    quality.callback_record(order=order, source="provider", result="satisfied", by=world.admin)
    with pytest.raises(Conflict):
        quality.callback_record(order=order, source="provider", result="complaint", by=world.admin)
    assert not quality.provider_callbacks_due(user=world.admin, until=datetime.date(2026, 3, 9)).exists()


def test_district_callback_due_for_sampled_orders(world, users):
    visited(world, world.provider, world.item, world.caregiver, 12)
    quality.district_sample_draw(day=datetime.date(2026, 3, 9), seed=3)
    due = list(quality.district_callbacks_due(user=users["district"]))
    assert len(due) == 2
    quality.callback_record(order=due[0], source=Callback.Source.DISTRICT, result="not_satisfied", by=users["district"])
    assert quality.district_callbacks_due(user=users["district"]).count() == 1


def test_district_work_list_counts_the_sampled_callbacks_and_leads_to_them(world, users, client):
    visited(world, world.provider, world.item, world.caregiver, 12)
    quality.district_sample_draw(day=datetime.date(2026, 3, 9), seed=3)
    client.force_login(users["district"])
    home = client.get(reverse("home")).content.decode()
    panel = home[home.index("区级抽样回访") :]
    panel = panel[: panel.index("work-panel") if "work-panel" in panel else len(panel)]
    assert "2 项待办" in panel and reverse("providers:callbacks") in panel and "暂无待办" not in panel


def test_community_quota_five_percent_of_subsidised(world, users, tree):
    from subsidies.standards.models import Entitlement, Scheme

    scheme = Scheme.objects.create(code="a", name="江都", jurisdiction=tree.district)
    elders = [ElderFactory(community=tree.a1) for _ in range(21)]
    for e in elders:
        Entitlement.objects.create(
            elder=e,
            scheme=scheme,
            start_month=datetime.date(2026, 1, 1),
            approved_at=datetime.datetime(2026, 1, 1, tzinfo=SHANGHAI),
            approved_by=users["district"],
        )
    quarter = Quarter(2026, 1)
    (row,) = [q for q in quality.community_contact_quota(user=users["community"], quarter=quarter)]
    assert (row.subsidised, row.required, row.done) == (21, 2, 0)
    quality.community_contact_record(
        elder=elders[0], kind="call", contacted_on=datetime.date(2026, 3, 2), result="satisfied", by=users["community"]
    )
    with pytest.raises(NotAllowed):
        quality.community_contact_record(
            elder=elders[1],
            kind="call",
            contacted_on=datetime.date(2026, 3, 2),
            result="satisfied",
            by=users["community_b"],
        )
    (row,) = quality.community_contact_quota(user=users["community"], quarter=quarter)
    assert row.done == 1 and row.missing == 1


def test_low_satisfaction_opens_rectification_and_lets_district_terminate(world, users, clock, tree):
    survey = quality.survey_record(
        provider=world.provider,
        street=tree.street_a,
        quarter=Quarter(2026, 1),
        surveyed=50,
        satisfied=39,
        by=users["street"],
    )
    rect = survey.rectification
    # 20 working days from Tue 10 March 2026 (no holidays in between): Tue 7 April? Qingming is 4-6 April.
    assert rect.deadline == datetime.date(2026, 4, 8)
    terminate = dict(provider=world.provider, ground="rectification_overdue", reason="未整改")
    with pytest.raises(Conflict):
        provider_terminate(by=users["district"], **terminate)
    clock.move_to(datetime.datetime(2026, 4, 9, 9, 0, tzinfo=SHANGHAI))
    with pytest.raises(NotAllowed):
        provider_terminate(by=users["street"], **terminate)
    p = provider_terminate(by=users["district"], **terminate).provider
    assert p.status == Provider.Status.TERMINATED
    assert p.status_events.get().to_status == "terminated"


def test_eighty_percent_is_enough(world, users, tree):
    survey = quality.survey_record(
        provider=world.provider,
        street=tree.street_a,
        quarter=Quarter(2026, 1),
        surveyed=50,
        satisfied=40,
        by=users["street"],
    )
    assert not Rectification.objects.filter(survey=survey).exists()


def test_frequency_report_lists_elders_below_minimum(world, users, tree):
    # world.elder is 85 (minimum 1); a disabled elder in difficulty needs 4.
    disabled = ElderFactory(community=tree.a1, birth_date=datetime.date(1955, 1, 1), categories=["dibao"])
    from providers.models import ServiceAgreement

    ServiceAgreement.objects.create(elder=disabled, provider=world.provider, signed_on=datetime.date(2025, 1, 1))
    Assessment.objects.create(
        elder=disabled,
        assessed_on=datetime.date(2025, 6, 1),
        effective_from=datetime.date(2025, 7, 1),
        assessor=users["assessor"],
        instrument="MZ/T 039",
        instrument_level="重度",
        care_level="disabled",
    )
    for day in (3, 10, 17):
        o = make_order(
            world, elder=disabled, at=datetime.datetime(2026, 2, day, 9, tzinfo=SHANGHAI), status=S.COMPLETED
        )
        WorkOrder.objects.filter(pk=o.pk).update(
            checked_in_at=o.scheduled_at, checked_out_at=o.scheduled_at + datetime.timedelta(hours=1)
        )
    o = make_order(world, at=datetime.datetime(2026, 2, 28, 9, tzinfo=SHANGHAI), status=S.COMPLETED)
    WorkOrder.objects.filter(pk=o.pk).update(checked_in_at=o.scheduled_at)
    report = quality.visit_frequency_report(user=world.admin, month=Month(2026, 2))
    rows = {r.elder.pk: r for r in report.rows}
    assert rows[disabled.pk].minimum == 4 and rows[disabled.pk].done == 3 and rows[disabled.pk].status == "pending"
    served = quality.elder_frequency(user=world.admin, month=Month(2026, 2), elder=world.elder)
    assert served is not None and served.status == "ok" and world.elder.pk not in rows
    # world.elder2 (83) had no visit in February either.
    assert sorted(r.elder.pk for r in report.rows if r.below) == sorted([disabled.pk, world.elder2.pk])
    assert report.by_provider[world.provider.name] == [3, 2]


def test_void_needs_role(world, users):
    order = make_order(world, status=S.COMPLETED)
    with pytest.raises(NotAllowed):
        services.order_void(order=order, reason="x", by=users["community"])


def test_provider_roles(world):
    assert user_with_role(Role.CAREGIVER, provider=world.provider)
    assert make_caregiver(world.provider, name="新人", trained=False).trained_on is None
