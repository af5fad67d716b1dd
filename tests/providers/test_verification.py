"""Presence at the door: the time window, the geofence, the elder's confirmation, the exceptions
that hold a visit's payment, their corrections, the 95-day lock and the nightly task."""

import base64
import datetime
import io
from decimal import Decimal

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from providers.errors import UnpaidCheckOut, VisitHeld
from providers.models import (
    ExceptionKind,
    HomeLocation,
    ReasonCode,
    VisitCorrection,
    VisitException,
    VisitPolicy,
    WorkOrder,
)
from providers.selectors import held_visits, visit_charge
from providers.services import order_void, visit_check_in, visit_check_out
from providers.services.corrections import (
    close_overdue_visits,
    correction_approve,
    correction_propose,
    correction_reject,
)
from providers.services.presence import WrongConfirmation, card_confirmation_codes, home_locate
from tests.files import pdf_upload, png_bytes, png_upload
from tests.vouchers.factories import grant
from vouchers.models import Account, LedgerTransaction
from vouchers.services import account_for_elder

from .factories import elder_code, make_order

S = WorkOrder.Status
K = ExceptionKind
pytestmark = pytest.mark.django_db
HOME = (Decimal("32.430000"), Decimal("119.560000"))
# About 1.1 km north of HOME (0.01° of latitude is 1,112 m).
AWAY = (Decimal("32.440000"), Decimal("119.560000"))
# About 56 m north.
NEAR = (Decimal("32.430500"), Decimal("119.560000"))


def kinds(order) -> set[str]:
    return set(VisitException.objects.filter(order=order, resolved_at__isnull=True).values_list("kind", flat=True))


def kinds_detail(order) -> str:
    return VisitException.objects.get(order=order).detail


def check_in(world, order, **kw):
    return visit_check_in(order=order, code=kw.pop("code", world.token), by=world.caregiver.user, **kw)


def check_out(world, order, **kw):
    return visit_check_out(order=order, code=kw.pop("code", world.token), by=world.caregiver.user, **kw)


def subsidy(elder) -> Decimal:
    return account_for_elder(elder=elder, kind=Account.Kind.SUBSIDY).balance.amount


@pytest.fixture
def funded(world, tree):
    grant(world.elder, "2026-03", "80.00", tree)
    return world


# --- the time window --------------------------------------------------------------------------


def test_a_check_in_within_the_window_is_paid(funded, clock):
    world = funded
    order = make_order(world, at=datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=25))
    check_in(world, order)  # 25 minutes early, the window opens 30 minutes before
    clock.shift(datetime.timedelta(minutes=61))
    done = check_out(world, order, elder_code=elder_code(world.elder))
    assert done.status == S.COMPLETED and kinds(order) == set()
    assert subsidy(world.elder) == Decimal("30.00")  # 80 − 50


def test_a_check_in_hours_late_is_allowed_but_held_unpaid(funded, clock):
    world = funded
    order = make_order(world, at=datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(hours=12))
    started = check_in(world, order)
    assert started.status == S.IN_PROGRESS and kinds(order) == {K.LATE}
    clock.shift(datetime.timedelta(minutes=70))
    code = elder_code(world.elder)
    with pytest.raises(UnpaidCheckOut) as refused:
        check_out(world, order, elder_code=code)
    assert refused.value.params["reasons"] == [f"{K.LATE.label}（{kinds_detail(order)}）"]
    assert WorkOrder.objects.get(pk=order.pk).status == S.IN_PROGRESS  # nothing written
    held = check_out(world, order, elder_code=code, accept_unpaid=True)
    assert held.status == S.HELD and held.redemption_id is None
    assert subsidy(world.elder) == Decimal("80.00")
    assert LedgerTransaction.objects.filter(kind="redemption").count() == 0


def test_the_district_sets_its_window(funded, clock, tree):
    world = funded
    VisitPolicy.objects.create(district=tree.district, early_minutes=10, late_minutes=15)
    order = make_order(world, at=datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=25))
    check_in(world, order)
    assert kinds(order) == {K.EARLY}


# --- the card code alone is not a paid visit ------------------------------------------------


def test_the_typed_card_code_alone_is_held_as_an_exception(funded, clock):
    world = funded
    order = make_order(world)
    started = check_in(world, order, code=world.code)  # read off the card, typed
    assert started.check_in_method == WorkOrder.CheckMethod.TYPED
    clock.shift(datetime.timedelta(hours=1))
    held = check_out(world, order, code=world.code, accept_unpaid=True)
    assert held.status == S.HELD and kinds(order) == {K.NO_CONFIRMATION}
    assert subsidy(world.elder) == Decimal("80.00")


def test_without_a_confirmation_rule_the_card_suffices(funded, clock, tree):
    world = funded
    VisitPolicy.objects.create(district=tree.district, confirmation_required=False)
    order = make_order(world)
    check_in(world, order)
    clock.shift(datetime.timedelta(hours=1))
    assert check_out(world, order).status == S.COMPLETED


# --- the elder's confirmation --------------------------------------------------------------


def test_each_one_time_code_confirms_one_visit(funded, clock):
    world = funded
    first, second = make_order(world), make_order(world, caregiver=world.caregiver)
    code_1 = card_confirmation_codes(world.elder.card)[0]
    check_in(world, first)
    clock.shift(datetime.timedelta(hours=1))
    done = check_out(world, first, elder_code=code_1)
    assert (done.confirmed_by, done.confirmation_code_no) == (WorkOrder.Confirmation.CODE, 1)
    clock.shift(datetime.timedelta(minutes=5))
    second.scheduled_at = datetime.datetime.now(tz=datetime.UTC)
    second.save()
    check_in(world, second)
    clock.shift(datetime.timedelta(hours=1))
    with translation.override("zh-hans"), pytest.raises(WrongConfirmation) as used:
        check_out(world, second, elder_code=code_1)
    assert used.value.message.startswith("服务卡第 1 号确认码已用于其他服务")
    with pytest.raises(WrongConfirmation):
        check_out(world, second, elder_code="000000" if code_1 != "000000" else "111111")
    assert check_out(world, second, elder_code=card_confirmation_codes(world.elder.card)[1]).status == S.COMPLETED


def test_a_signature_on_the_phone_confirms(funded, clock):
    world = funded
    order = make_order(world)
    check_in(world, order)
    clock.shift(datetime.timedelta(hours=1))
    buffer = io.BytesIO()
    segno.make("签名").save(buffer, kind="png")
    data_url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    done = check_out(world, order, signature=data_url)
    assert done.status == S.COMPLETED and done.confirmed_by == WorkOrder.Confirmation.SIGNATURE
    assert done.signature.read().startswith(b"\x89PNG")


def data_url(content: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(content).decode()


def test_a_signature_that_is_not_a_picture_is_refused(funded, clock):
    world = funded
    order = make_order(world)
    check_in(world, order)
    clock.shift(datetime.timedelta(hours=1))
    with pytest.raises(ValidationFailed):
        check_out(world, order, signature="data:image/png;base64," + base64.b64encode(b"hello").decode())
    # A PNG's first bytes followed by anything else are no picture either.
    with pytest.raises(ValidationFailed):
        check_out(world, order, signature=data_url(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64))
    truncated = png_bytes((60, 60))[:-30]
    with pytest.raises(ValidationFailed):
        check_out(world, order, signature=data_url(truncated))
    assert WorkOrder.objects.get(pk=order.pk).status == S.IN_PROGRESS


# --- far too long, overlapping ----------------------------------------------------------------


def test_a_visit_of_738_minutes_is_held(funded, clock):
    world = funded
    order = make_order(world)
    check_in(world, order)
    clock.shift(datetime.timedelta(minutes=738))
    held = check_out(world, order, elder_code=elder_code(world.elder), accept_unpaid=True)
    assert held.status == S.HELD and kinds(order) == {K.LONG_VISIT}


def test_two_hours_for_an_hour_item_is_still_paid(funded, clock):
    world = funded
    order = make_order(world)
    check_in(world, order)
    clock.shift(datetime.timedelta(minutes=119))
    assert check_out(world, order, elder_code=elder_code(world.elder)).status == S.COMPLETED


def test_overlapping_visits_of_one_caregiver_are_both_held(funded, clock):
    world = funded
    first = make_order(world)
    second = make_order(world, elder=world.elder2)
    check_in(world, first)
    clock.shift(datetime.timedelta(minutes=20))
    visit_check_in(order=second, code=world.token2, by=world.caregiver.user)
    assert kinds(second) == {K.OVERLAP}
    clock.shift(datetime.timedelta(minutes=50))
    held = check_out(world, first, elder_code=elder_code(world.elder), accept_unpaid=True)
    assert held.status == S.HELD and kinds(first) == {K.OVERLAP}


# --- the geofence -----------------------------------------------------------------------------


def test_a_check_in_away_from_the_home_is_held(funded, clock, users):
    world = funded
    home_locate(elder=world.elder, lat=HOME[0], lng=HOME[1], by=users["community"])
    order = make_order(world)
    started = check_in(world, order, lat=AWAY[0], lng=AWAY[1])
    assert 1100 <= started.check_in_distance_m <= 1125
    assert kinds(order) == {K.OUTSIDE_GEOFENCE}


def test_near_the_home_or_without_a_location_nothing_is_opened(funded, clock, users):
    world = funded
    home_locate(elder=world.elder, lat=HOME[0], lng=HOME[1], by=users["community"])
    near, silent = make_order(world), make_order(world, elder=world.elder2)
    assert check_in(world, near, lat=NEAR[0], lng=NEAR[1]).check_in_distance_m == 56
    assert kinds(near) == set()
    clock.shift(datetime.timedelta(hours=1))
    assert check_out(world, near, elder_code=elder_code(world.elder)).status == S.COMPLETED
    visit_check_in(order=silent, code=world.token2, by=world.caregiver.user)  # the phone gave no location
    assert kinds(silent) == set()


def test_a_district_that_does_not_use_location_opens_nothing(funded, clock, users, tree):
    world = funded
    VisitPolicy.objects.create(district=tree.district, use_location=False)
    home_locate(elder=world.elder, lat=HOME[0], lng=HOME[1], by=users["community"])
    order = make_order(world)
    assert check_in(world, order, lat=AWAY[0], lng=AWAY[1]).check_in_distance_m is None
    assert kinds(order) == set()


def test_the_first_verified_visit_locates_the_home(funded, clock):
    world = funded
    order = make_order(world)
    check_in(world, order, lat=NEAR[0], lng=NEAR[1])
    clock.shift(datetime.timedelta(hours=1))
    check_out(world, order, elder_code=elder_code(world.elder))
    home = HomeLocation.objects.get(elder=world.elder)
    assert (home.lat, home.lng, home.source, home.order_id) == (*NEAR, HomeLocation.Source.FIRST_VISIT, order.pk)


def test_a_typed_code_does_not_locate_the_home(funded, clock):
    world = funded
    order = make_order(world)
    check_in(world, order, code=world.code, lat=NEAR[0], lng=NEAR[1])
    clock.shift(datetime.timedelta(hours=1))
    check_out(world, order, elder_code=elder_code(world.elder))
    assert not HomeLocation.objects.filter(elder=world.elder).exists()


# --- the nightly task -------------------------------------------------------------------------


def test_a_forgotten_check_out_is_closed_at_night_as_an_exception(funded, clock):
    world = funded
    order = make_order(world)
    check_in(world, order)
    clock.shift(datetime.timedelta(hours=5, minutes=59))
    assert close_overdue_visits() == (0, 0)
    clock.shift(datetime.timedelta(minutes=2))
    assert close_overdue_visits() == (1, 0)
    assert close_overdue_visits() == (0, 0)
    order.refresh_from_db()
    assert order.status == S.HELD and order.checked_out_at is None and kinds(order) == {K.MISSED_CHECKOUT}
    with pytest.raises(VisitHeld):
        check_out(world, order, elder_code=elder_code(world.elder))


def test_a_visit_never_checked_in_is_a_no_show_the_next_day(funded, clock):
    world = funded
    order = make_order(world)
    clock.shift(datetime.timedelta(hours=15))  # 23:30, still its day
    assert close_overdue_visits() == (0, 0)
    clock.shift(datetime.timedelta(hours=1))  # 00:30 the next day
    assert close_overdue_visits() == (0, 1)
    assert WorkOrder.objects.get(pk=order.pk).status == S.HELD and kinds(order) == {K.NO_SHOW}


# --- corrections ------------------------------------------------------------------------------


@pytest.fixture
def held(funded, clock):
    """A visit checked in at 08:30 and forgotten: closed at night as a missed check-out."""
    world = funded
    order = make_order(world)
    check_in(world, order)
    clock.shift(datetime.timedelta(hours=7))
    close_overdue_visits()
    return WorkOrder.objects.get(pk=order.pk)


def propose(world, order, minutes=70, **kw):
    start = order.checked_in_at
    return correction_propose(
        order=order,
        reason=ReasonCode.objects.get(code=kw.pop("reason", "forgot_checkout")),
        checked_in_at=start,
        checked_out_at=start + datetime.timedelta(minutes=minutes),
        note=kw.pop("note", "护理员忘记签退，老人家属电话确认 09:40 离开"),
        by=kw.pop("by", world.admin),
        **kw,
    )


def test_an_approved_correction_pays_with_the_corrected_times(held, world, users):
    correction = propose(world, held)
    assert held_visits(user=users["street"]).get().pending
    order = correction_approve(correction=correction, by=users["street"])
    assert order.status == S.COMPLETED and order.duration_minutes == 70
    assert subsidy(world.elder) == Decimal("30.00")
    correction.refresh_from_db()
    assert correction.status == VisitCorrection.Status.APPROVED
    assert (correction.original_checked_in_at, correction.original_checked_out_at) == (held.checked_in_at, None)
    assert kinds(order) == set()
    assert VisitException.objects.get(order=order).resolved_by == correction
    assert not held_visits(user=users["street"]).exists()


def test_the_evidence_photo_of_a_correction_is_judged_by_its_content(held, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("记录.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    with pytest.raises(ValidationFailed, match="“记录.png”"):
        propose(world, held, evidence=fake)
    with pytest.raises(ValidationFailed, match="“记录.pdf”"):
        propose(world, held, evidence=pdf_upload("记录.pdf"))  # a photo, not a document
    assert not VisitCorrection.objects.filter(order=held).exists()
    correction = propose(world, held, evidence=png_upload("记录.png"))
    assert correction.evidence.read() == png_bytes()


def test_a_corrected_visit_shorter_than_an_hour_is_served_again(held, world, users):
    order = correction_approve(correction=propose(world, held, minutes=40), by=users["district"])
    assert order.status == S.SHORT and order.redemption_id is None
    assert order.reservices.get().status == S.ASSIGNED


def test_a_rejected_correction_voids_the_visit(held, world, users):
    correction = propose(world, held)
    with pytest.raises(ValidationFailed):
        correction_reject(correction=correction, by=users["street"], note=" ")
    order = correction_reject(correction=correction, by=users["street"], note="家属称当天无人上门")
    assert order.status == S.VOIDED and order.redemption_id is None
    assert order.reservices.get().status == S.ASSIGNED
    assert subsidy(world.elder) == Decimal("80.00")


def test_who_proposes_and_who_decides(held, world, users):
    with pytest.raises(NotAllowed):
        propose(world, held, by=world.caregiver.user)
    with pytest.raises(NotAllowed):
        propose(world, held, by=world.other_admin)
    correction = propose(world, held)
    with pytest.raises(Conflict):
        propose(world, held)  # one open proposal at a time
    with pytest.raises(NotAllowed):
        correction_approve(correction=correction, by=world.admin)
    with pytest.raises(NotAllowed):
        correction_approve(correction=correction, by=users["street_b"])  # another town
    with pytest.raises(NotAllowed):
        correction_approve(correction=correction, by=users["community"])
    assert not held_visits(user=users["street_b"]).exists()


def test_a_reason_code_that_needs_a_note(held, world):
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as refused:
        propose(world, held, reason="other", note="")
    assert "其他" in refused.value.message


def test_edits_lock_after_95_days(held, world, users, clock):
    day = held.scheduled_at
    clock.move_to(day + datetime.timedelta(days=95))
    correction = propose(world, held)
    clock.move_to(day + datetime.timedelta(days=96, hours=1))
    with pytest.raises(Conflict) as locked:
        correction_approve(correction=correction, by=users["street"])
    assert "95" in locked.value.message
    with pytest.raises(Conflict):
        correction_reject(correction=correction, by=users["street"], note="太晚")


def test_the_provider_may_void_a_held_visit_that_did_not_happen(held, world):
    order = order_void(order=held, reason="护理员未上门", by=world.admin)
    assert order.status == S.VOIDED and kinds(order) == set()


def test_held_visits_are_listed_oldest_first_for_their_town(world, clock, users, funded):
    first = make_order(world)
    clock.shift(datetime.timedelta(days=1))
    second = make_order(world, elder=world.elder2, at=datetime.datetime.now(tz=datetime.UTC))
    clock.shift(datetime.timedelta(days=1))
    close_overdue_visits()
    assert [o.pk for o in held_visits(user=users["street"])] == [first.pk, second.pk]
    assert not held_visits(user=world.other_admin).exists()


# --- what the caregiver collects --------------------------------------------------------------


def test_the_charge_splits_subsidy_and_co_pay(world, tree, clock):
    grant(world.elder, "2026-03", "30.00", tree)
    order = make_order(world)
    before = visit_charge(order)
    assert (before.price.amount, before.subsidy.amount, before.copay.amount) == (
        Decimal("50.00"),
        Decimal("30.00"),
        Decimal("20.00"),
    )
    check_in(world, order)
    clock.shift(datetime.timedelta(hours=1))
    done = check_out(world, order, elder_code=elder_code(world.elder))
    after = visit_charge(done)
    assert (after.subsidy.amount, after.cash.amount) == (Decimal("30.00"), Decimal("20.00"))


def test_a_correction_approved_next_month_pays_in_the_month_served(held, world, users, clock):
    """The business date of a paid visit is the day it was served, not the day it was approved."""
    served = held.checked_in_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date()
    correction = propose(world, held)
    clock.shift(datetime.timedelta(days=25))
    order = correction_approve(correction=correction, by=users["street"])
    tx = order.redemption
    assert tx.business_date == served
    assert tx.month == served.replace(day=1)
    assert tx.created_at.date() > served
    assert tx.memo == f"{order.item.name} {served:%Y-%m-%d}"
