"""The providers' append-only records: the database refuses to change or remove a work order's
events, a provider's status changes, callbacks, rectification steps, card issues and visit
corrections (a correction takes its decision once, nothing else); the admin only shows them."""

import datetime
import zoneinfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from eldercare.models import Role
from providers.models import (
    Callback,
    CallbackResult,
    CardIssue,
    ElderCard,
    Provider,
    ProviderStatusEvent,
    ReasonCode,
    Rectification,
    RectificationStep,
    SatisfactionSurvey,
    VisitCorrection,
    WorkOrder,
    WorkOrderEvent,
)
from tests.factories import user_with_role

from .factories import make_order

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.usefixtures("providers_append_only")


@pytest.fixture
def records(world, tree):
    """One row of each append-only record, as the product writes them."""
    order = make_order(world, status=WorkOrder.Status.HELD)
    town = user_with_role(Role.STREET_REVIEWER, tree.street_a)
    survey = SatisfactionSurvey.objects.create(
        provider=world.provider,
        street=tree.street_a,
        quarter=datetime.date(2026, 1, 1),
        surveyed=10,
        satisfied=7,
        by=town,
    )
    rectification = Rectification.objects.create(
        provider=world.provider, survey=survey, deadline=datetime.date(2026, 4, 10)
    )
    reason = ReasonCode.objects.create(code="test-flat", name_zh="手机没电", name_en="Phone battery flat", sort=99)
    return {
        WorkOrderEvent: WorkOrderEvent.objects.create(
            order=order, from_status="booked", to_status="assigned", by=world.admin, created_at=timezone.now()
        ),
        ProviderStatusEvent: ProviderStatusEvent.objects.create(
            provider=world.provider, from_status="candidate", to_status="contracted", reason="中标", by=world.admin
        ),
        Callback: Callback.objects.create(
            order=order, source=Callback.Source.PROVIDER, result=CallbackResult.SATISFIED, by=world.admin
        ),
        RectificationStep: RectificationStep.objects.create(
            rectification=rectification, kind=RectificationStep.Kind.ANSWER, text="已加强培训", by=world.admin
        ),
        CardIssue: CardIssue.objects.create(
            card=ElderCard.objects.get(elder=world.elder), version=2, reason="卡片遗失", by=world.admin
        ),
        VisitCorrection: VisitCorrection.objects.create(
            order=order,
            reason=reason,
            note="老人家中无信号",
            checked_in_at=datetime.datetime(2026, 3, 9, 9, 0, tzinfo=SHANGHAI),
            checked_out_at=datetime.datetime(2026, 3, 9, 10, 5, tzinfo=SHANGHAI),
            proposed_by=world.admin,
            proposed_at=timezone.now(),
        ),
    }


# The column each model's raw UPDATE tries to rewrite, and the value it writes.
REWRITES = {
    WorkOrderEvent: ("note", "改过"),
    ProviderStatusEvent: ("reason", "改过"),
    Callback: ("result", "dissatisfied"),
    RectificationStep: ("text", "改过"),
    CardIssue: ("reason", "改过"),
    VisitCorrection: ("note", "改过"),
}


def _raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


@pytest.mark.parametrize("model", list(REWRITES), ids=lambda m: m.__name__)
def test_a_raw_update_is_refused(records, model):
    row = records[model]
    column, value = REWRITES[model]
    with pytest.raises(IntegrityError):
        _raw(f"UPDATE {model._meta.db_table} SET {column} = %s WHERE id = %s", [value, row.pk])
    assert getattr(model.objects.get(pk=row.pk), column) != value


@pytest.mark.parametrize("model", list(REWRITES), ids=lambda m: m.__name__)
def test_a_raw_delete_is_refused(records, model):
    row = records[model]
    with pytest.raises(IntegrityError):
        _raw(f"DELETE FROM {model._meta.db_table} WHERE id = %s", [row.pk])
    assert model.objects.filter(pk=row.pk).count() == 1


def test_the_orm_cannot_delete_an_event_either(records):
    with pytest.raises(IntegrityError), transaction.atomic():
        records[WorkOrderEvent].delete()
    assert WorkOrderEvent.objects.filter(pk=records[WorkOrderEvent].pk).exists()


def test_a_correction_takes_its_decision_once_and_nothing_else(records, world):
    correction = records[VisitCorrection]
    table = VisitCorrection._meta.db_table
    decided_at = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)
    # The decision on a proposed correction is written (as correction_approve writes it).
    _raw(
        f"UPDATE {table} SET status = %s, decided_by_id = %s, decided_at = %s, decision_note = %s WHERE id = %s",
        ["approved", world.admin.pk, decided_at, "同意", correction.pk],
    )
    # The times proposed cannot be moved while deciding, nor the decision taken again.
    with pytest.raises(IntegrityError):
        _raw(
            f"UPDATE {table} SET checked_out_at = %s WHERE id = %s",
            [datetime.datetime(2026, 3, 9, 11, 0, tzinfo=SHANGHAI), correction.pk],
        )
    with pytest.raises(IntegrityError):
        _raw(f"UPDATE {table} SET status = %s, decision_note = %s WHERE id = %s", ["rejected", "改判", correction.pk])
    correction.refresh_from_db()
    assert (correction.status, correction.decision_note, correction.checked_out_at) == (
        "approved",
        "同意",
        datetime.datetime(2026, 3, 9, 10, 5, tzinfo=SHANGHAI),
    )


def test_a_proposed_correction_cannot_be_rewritten(records):
    correction = records[VisitCorrection]
    with pytest.raises(IntegrityError):
        _raw(
            f"UPDATE {VisitCorrection._meta.db_table} SET checked_in_at = %s WHERE id = %s",
            [datetime.datetime(2026, 3, 9, 8, 0, tzinfo=SHANGHAI), correction.pk],
        )


@pytest.fixture
def sysadmin(tree):
    user = user_with_role(Role.SYSADMIN, tree.district, username="root-admin")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.mark.parametrize("model", list(REWRITES), ids=lambda m: m.__name__)
def test_the_admin_shows_but_neither_changes_nor_deletes(records, model, sysadmin, client):
    client.force_login(sysadmin)
    row = records[model]
    meta = model._meta
    changelist = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    assert changelist.status_code == 200
    assert f"/{row.pk}/change/" in changelist.content.decode()
    change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(change, {}).status_code == 403
    delete = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add")).status_code == 403
    assert model.objects.filter(pk=row.pk).count() == 1


def test_the_provider_page_of_the_admin_lists_its_status_changes_read_only(records, world, sysadmin, client):
    client.force_login(sysadmin)
    page = client.get(reverse("admin:providers_provider_change", args=[world.provider.pk])).content.decode()
    assert "中标" in page
    assert 'name="status_events-0-reason"' not in page and 'name="status_events-0-DELETE"' not in page
    assert Provider.objects.get(pk=world.provider.pk).status_events.count() == 1
