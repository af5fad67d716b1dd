"""Check-in and check-out: every refusal, replays, the 1-hour rule, overlaps, the certificate rule."""

import datetime

import pytest
from django.http import Http404

from eldercare.errors import NotAllowed
from providers import services, tokens
from providers.errors import UnpaidCheckOut
from providers.models import Certificate, WorkOrder, WorkOrderEvent
from providers.selectors import order_get
from providers.services import (
    AlreadyCheckedIn,
    CertificateMissing,
    NotAssigned,
    WrongElder,
    order_assign,
    visit_check_in,
    visit_check_out,
)
from vouchers.errors import AccountFrozen
from vouchers.models import Account

from .factories import make_item, make_order

S = WorkOrder.Status
pytestmark = pytest.mark.django_db


def check_in(world, order, code=None, by=None, **kw):
    return visit_check_in(order=order, code=code or world.token, by=by or world.caregiver.user, **kw)


def test_check_in_with_the_token_records_time_caregiver_location_and_event(world, clock):
    order = make_order(world)
    check_in(world, order, lat="32.4300", lng="119.5600")
    order.refresh_from_db()
    assert order.status == S.IN_PROGRESS
    assert order.checked_in_at is not None and str(order.check_in_lat).startswith("32.43")
    event = WorkOrderEvent.objects.get(order=order, to_status=S.IN_PROGRESS)
    assert event.from_status == S.ASSIGNED and event.by == world.caregiver.user


def test_check_in_with_the_typed_short_code(world):
    order = make_order(world)
    check_in(world, order, code=world.code.lower()[:4] + " " + world.code.lower()[4:])
    assert WorkOrder.objects.get(pk=order.pk).status == S.IN_PROGRESS


@pytest.mark.parametrize("bad", ["1:abc:def", "123.1:1vXyZa:forgedsignature"])
def test_forged_token_is_refused(world, bad):
    order = make_order(world)
    with pytest.raises(tokens.InvalidCard):
        check_in(world, order, code=bad)
    assert WorkOrder.objects.get(pk=order.pk).status == S.ASSIGNED


def test_token_signed_for_another_elder_id_by_hand_is_refused(world):
    order = make_order(world)
    tampered = world.token.replace(f"{world.elder.pk}.", f"{world.elder2.pk}.", 1)
    with pytest.raises(tokens.InvalidCard):
        check_in(world, order, code=tampered)


def test_unknown_short_code_is_refused(world):
    with pytest.raises(tokens.InvalidCard):
        check_in(world, make_order(world), code="ZZZZ2222")


def test_expired_card_is_refused(world, clock):
    order = make_order(world)
    clock.shift(tokens.CARD_MAX_AGE + datetime.timedelta(days=1))
    with pytest.raises(tokens.ExpiredCard):
        check_in(world, order)
    with pytest.raises(tokens.ExpiredCard):
        check_in(world, order, code=world.code)


def test_replaced_card_is_refused(world):
    order = make_order(world)
    services.card_issue(elder=world.elder, by=None, reissue=True)
    with pytest.raises(tokens.ExpiredCard):
        check_in(world, order)
    with pytest.raises(tokens.InvalidCard):
        check_in(world, order, code=world.code)


def test_wrong_elder_is_refused(world):
    order = make_order(world)
    with pytest.raises(WrongElder) as exc:
        check_in(world, order, code=world.token2)
    assert "其他老人" in exc.value.message


def test_caregiver_not_assigned_is_refused(world):
    order = make_order(world)
    with pytest.raises(NotAssigned):
        check_in(world, order, by=world.caregiver2.user)


def test_frozen_subsidy_account_is_refused(world):
    Account.objects.create(elder=world.elder, kind=Account.Kind.SUBSIDY, status=Account.Status.FROZEN)
    order = make_order(world)
    with pytest.raises(AccountFrozen) as exc:
        check_in(world, order)
    assert "冻结" in exc.value.message


def test_second_check_in_is_refused(world):
    order = make_order(world)
    check_in(world, order)
    with pytest.raises(AlreadyCheckedIn):
        check_in(world, order)


def test_replayed_check_in_does_nothing_twice(world, clock):
    order = make_order(world)
    first = check_in(world, order, request_id="phone-1-req-42")
    clock.shift(datetime.timedelta(minutes=2))
    again = check_in(world, order, request_id="phone-1-req-42")
    assert again.checked_in_at == first.checked_in_at
    assert WorkOrderEvent.objects.filter(order=order, to_status=S.IN_PROGRESS).count() == 1


def test_refusal_messages_are_translated(world, settings):
    from django.utils import translation

    order = make_order(world)
    with translation.override("zh-hans"), pytest.raises(NotAssigned) as exc:
        check_in(world, order, by=world.caregiver2.user)
    assert exc.value.message == "您不是该工单指派的服务人员。"


def test_short_visit_is_not_redeemed_and_served_again(world, clock):
    order = make_order(world)
    check_in(world, order)
    clock.shift(datetime.timedelta(minutes=59, seconds=59))
    with pytest.raises(UnpaidCheckOut):  # the caregiver is asked first: nothing is written
        visit_check_out(order=order, code=world.token, by=world.caregiver.user)
    assert WorkOrder.objects.get(pk=order.pk).status == S.IN_PROGRESS
    visit_check_out(order=order, code=world.token, by=world.caregiver.user, accept_unpaid=True)
    order.refresh_from_db()
    assert order.status == S.SHORT and order.redemption_id is None
    again = order.reservices.get()
    assert again.status == S.ASSIGNED and again.caregiver == order.caregiver and again.item == order.item


def test_check_out_before_check_in_is_refused(world):
    order = make_order(world)
    with pytest.raises(services.BadTransition):
        visit_check_out(order=order, code=world.token, by=world.caregiver.user)


def test_database_refuses_check_out_before_check_in(world):
    from django.db import IntegrityError, transaction

    order = make_order(world)
    order.checked_in_at = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.UTC)
    order.checked_out_at = order.checked_in_at - datetime.timedelta(minutes=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        order.save()


def test_overlapping_visits_of_one_caregiver_are_flagged(world, clock):
    first = make_order(world)
    second = make_order(world, elder=world.elder2)
    check_in(world, first)
    clock.shift(datetime.timedelta(minutes=20))
    visit_check_in(order=second, code=world.token2, by=world.caregiver.user)
    assert WorkOrder.objects.get(pk=first.pk).overlap_flagged
    assert WorkOrder.objects.get(pk=second.pk).overlap_flagged


def test_separate_visits_are_not_flagged(world, clock):
    first = make_order(world)
    check_in(world, first)
    clock.shift(datetime.timedelta(minutes=30))
    visit_check_out(order=first, code=world.token, by=world.caregiver.user, accept_unpaid=True)  # short
    clock.shift(datetime.timedelta(minutes=5))
    second = make_order(world, elder=world.elder2)
    visit_check_in(order=second, code=world.token2, by=world.caregiver.user)
    assert not WorkOrder.objects.get(pk=first.pk).overlap_flagged
    assert not WorkOrder.objects.get(pk=second.pk).overlap_flagged


def test_caregiver_of_another_provider_gets_404(world):
    order = make_order(world)
    with pytest.raises(Http404):
        order_get(user=world.other_caregiver.user, pk=order.pk)
    with pytest.raises(Http404):
        order_get(user=world.other_admin, pk=order.pk)
    assert order_get(user=world.admin, pk=order.pk) == order


def test_caregiver_sees_only_own_orders(world):
    order = make_order(world)
    with pytest.raises(Http404):
        order_get(user=world.caregiver2.user, pk=order.pk)


def test_regulated_item_needs_a_valid_certificate(world):
    rehab = make_item(world.provider, price="120.00", certificate_kind="rehabilitation", name="康复训练")
    order = make_order(world, status=S.BOOKED, caregiver=None)
    order.item = rehab
    order.save()
    with pytest.raises(CertificateMissing):
        order_assign(order=order, caregiver=world.caregiver, by=world.admin)
    # An expired certificate (ended the day before the visit) does not count either.
    Certificate.objects.create(
        caregiver=world.caregiver, kind="rehabilitation", number="K1", valid_until=datetime.date(2026, 3, 9)
    )
    with pytest.raises(CertificateMissing):
        order_assign(order=order, caregiver=world.caregiver, by=world.admin)
    Certificate.objects.create(
        caregiver=world.caregiver, kind="rehabilitation", number="K2", valid_until=datetime.date(2026, 3, 10)
    )
    assert order_assign(order=order, caregiver=world.caregiver, by=world.admin).status == S.ASSIGNED


def test_another_providers_admin_cannot_assign(world):
    order = make_order(world, status=S.BOOKED, caregiver=None)
    with pytest.raises(NotAllowed):
        order_assign(order=order, caregiver=world.caregiver, by=world.other_admin)
