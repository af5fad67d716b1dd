"""The provider library (district): registering, contracts and their expiry, status changes, the
termination cascade and the quarterly scorecard; the providers' staff (provider admin)."""

import datetime
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import Role
from eldercare.paging import PER_PAGE
from eldercare.periods import Quarter
from providers import scorecard
from providers.models import (
    Callback,
    CallbackResult,
    Caregiver,
    Certificate,
    Contract,
    Provider,
    ProviderStatusEvent,
    QuarterlyAssessment,
    SatisfactionSurvey,
    ServiceAgreement,
    WorkOrder,
    WorkOrderEvent,
)
from providers.selectors import certificates_expiring, contracts_expiring, orders_to_reassign
from providers.services import library as services
from providers.services import termination
from providers.services.termination import provider_terminate
from providers.services.visits import order_cancel
from tests.factories import ElderFactory, user_with_role

from .factories import make_item, make_order, make_provider

S = WorkOrder.Status
PS = Provider.Status
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture
def district(tree):
    return user_with_role(Role.DISTRICT_REVIEWER, tree.district)


def png(size=(40, 50)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 180, 160)).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def register(district_user, tree, **extra):
    fields = {
        "name": "颐和居家养老服务中心",
        "kind": Provider.Kind.SOCIAL_ORGANISATION,
        "licence_number": "52321012MJ0001",
        "district": tree.district,
        "streets": [tree.street_a, tree.street_b],
        "phone": "0514-86000000",
        "contact_name": "周主任",
        "contact_phone": "13912345678",
        "by": district_user,
    }
    fields.update(extra)
    return services.provider_create(**fields)


# --- library: registering, contracts, status --------------------------------------------------


def test_district_registers_a_candidate_and_its_first_contract_makes_it_contracted(tree, district, clock):
    provider = register(district, tree)
    assert provider.status == PS.CANDIDATE
    assert set(provider.streets.all()) == {tree.street_a, tree.street_b}
    assert provider.contact_name == "周主任"

    contract = services.contract_create(
        provider=provider, number="JD-2026-01", starts_on=datetime.date(2026, 3, 1), by=district
    )
    provider.refresh_from_db()
    assert provider.status == PS.CONTRACTED
    assert contract.ends_on == datetime.date(2027, 2, 28)  # one year

    renewed = services.contract_renew(contract=contract, number="JD-2027-01", by=district)
    assert (renewed.starts_on, renewed.ends_on, renewed.renews) == (
        datetime.date(2027, 3, 1),
        datetime.date(2028, 2, 29),
        contract,
    )
    with pytest.raises(Conflict):
        services.contract_renew(contract=contract, number="JD-2027-02", by=district)


def test_a_contract_already_over_or_for_a_suspended_provider_is_refused(tree, district, clock):
    provider = register(district, tree)
    # Today is 2026-03-10: a contract from 2025-03-09 ended on 2026-03-08.
    with pytest.raises(ValidationFailed) as exc:
        services.contract_create(provider=provider, number="JD-OLD", starts_on=datetime.date(2025, 3, 9), by=district)
    assert "2026-03-08" in exc.value.message
    assert not provider.contracts.exists()
    # One from 2025-03-11 still runs until 2026-03-10: it may be registered.
    services.contract_create(provider=provider, number="JD-RUN", starts_on=datetime.date(2025, 3, 11), by=district)
    provider = services.provider_set_status(
        provider=provider, to=PS.SUSPENDED, reason="服务投诉集中，暂停接单", by=district
    )
    with pytest.raises(Conflict):
        services.contract_create(provider=provider, number="JD-NEXT", starts_on=datetime.date(2026, 3, 11), by=district)
    assert provider.contracts.count() == 1


def test_registration_is_refused_to_others_and_with_bad_particulars(tree, district, world, clock):
    with pytest.raises(NotAllowed):
        register(world.admin, tree)
    register(district, tree)
    with pytest.raises(ValidationFailed):  # the licence number is already in the library
        register(district, tree, name="另一家")
    other = type(tree.district).objects.create(code="321003000000", name="邗江区", level="district")
    foreign = type(tree.district).objects.create(code="321003001000", name="汊河街道", level="street", parent=other)
    with pytest.raises(ValidationFailed):
        register(district, tree, licence_number="X-2", streets=[foreign])
    with pytest.raises(ValidationFailed):
        register(district, tree, licence_number="X-3", streets=[])
    assert Provider.objects.filter(name="颐和居家养老服务中心").count() == 1


def test_contract_ending_within_30_days_is_on_the_district_work_list_until_renewed(
    tree, district, world, client, clock
):
    # Given: the world's provider's contract ends 20 days from 10 March, another's in 40 days
    soon = Contract.objects.create(
        provider=world.provider, number="C-1", starts_on=datetime.date(2025, 3, 31), ends_on=datetime.date(2026, 3, 30)
    )
    Contract.objects.create(
        provider=world.other, number="C-2", starts_on=datetime.date(2025, 4, 20), ends_on=datetime.date(2026, 4, 19)
    )
    today = datetime.date(2026, 3, 10)
    assert list(contracts_expiring(user=district, today=today)) == [soon]

    client.force_login(district)
    page = client.get(reverse("home")).content.decode()
    assert "C-1" in page and "C-2" not in page
    assert reverse("providers:contract_renew", args=[soon.pk]) in page

    services.contract_renew(contract=soon, number="C-1b", by=district)
    assert list(contracts_expiring(user=district, today=today)) == []


def test_suspend_and_reinstate_need_a_reason_and_write_events(world, district, clock):
    with pytest.raises(ValidationFailed):
        services.provider_set_status(provider=world.provider, to=PS.SUSPENDED, reason=" ", by=district)
    services.provider_set_status(provider=world.provider, to=PS.SUSPENDED, reason="回访投诉集中", by=district)
    world.provider.refresh_from_db()
    assert (world.provider.status, world.provider.status_reason) == (PS.SUSPENDED, "回访投诉集中")
    services.provider_set_status(provider=world.provider, to=PS.CONTRACTED, reason="整改完成", by=district)
    moves = list(world.provider.status_events.order_by("id").values_list("from_status", "to_status"))
    assert moves == [(PS.CONTRACTED, PS.SUSPENDED), (PS.SUSPENDED, PS.CONTRACTED)]
    with pytest.raises(NotAllowed):
        services.provider_set_status(provider=world.provider, to=PS.SUSPENDED, reason="x", by=world.admin)


def test_the_provider_library_goes_a_page_at_a_time_by_name_and_finds_a_provider(tree, district, client):
    for i in range(PER_PAGE):
        make_provider(tree, name=f"福寿护理站{i:02d}")
    found = make_provider(tree, name="颐养天年服务社")
    listed = Provider.objects.count()
    client.force_login(district)
    first = client.get(reverse("providers:provider_list")).context["page"]
    assert first.paginator.count == listed and len(first.object_list) == PER_PAGE
    names = [p.name for p in first.object_list]
    assert names == sorted(names)
    last = client.get(reverse("providers:provider_list"), {"page": 2}).context["page"]
    assert len(last.object_list) == listed - PER_PAGE
    for text in ("天年", found.licence_number):
        page = client.post(reverse("providers:provider_list"), {"q": text}, follow=True).context["page"]
        assert [p.name for p in page] == ["颐养天年服务社"], text


def test_only_the_providers_own_admin_is_offered_to_add_a_caregiver(world, district, tree, client):
    other = make_provider(tree, name="松柏护理站")
    client.force_login(world.admin)
    listing = client.get(reverse("providers:caregiver_list")).content.decode()
    assert reverse("providers:caregiver_create", args=[world.provider.pk]) in listing
    assert reverse("providers:caregiver_create", args=[other.pk]) not in listing
    client.force_login(district)
    listing = client.get(reverse("providers:caregiver_list")).content.decode()
    assert 'id="caregiver-create-' not in listing


def test_district_pages_register_sign_and_suspend(tree, district, client, clock):
    client.force_login(district)
    listing = client.get(reverse("providers:provider_list")).content.decode()
    assert reverse("providers:provider_create") in listing
    r = client.post(
        reverse("providers:provider_create"),
        {
            "name": "颐和居家养老服务中心",
            "kind": "social",
            "licence_number": "52321012MJ0001",
            "streets": [tree.street_a.pk],
            "phone": "0514-86000000",
            "address": "龙川路8号",
            "contact_name": "周主任",
            "contact_phone": "13912345678",
        },
    )
    provider = Provider.objects.get(licence_number="52321012MJ0001")
    assert r.status_code == 302 and r["Location"] == reverse("providers:provider_detail", args=[provider.pk])
    r = client.post(
        reverse("providers:contract_create", args=[provider.pk]), {"number": "JD-1", "starts_on": "2026-03-10"}
    )
    assert r.status_code == 302
    provider.refresh_from_db()
    assert provider.status == PS.CONTRACTED
    client.post(reverse("providers:provider_status", args=[provider.pk]), {"to": "suspended", "reason": "资质复核"})
    provider.refresh_from_db()
    assert (provider.status, provider.status_reason) == (PS.SUSPENDED, "资质复核")
    r = client.post(
        reverse("providers:provider_edit", args=[provider.pk]),
        {
            "name": "颐和居家养老服务中心（江都）",
            "kind": "social",
            "licence_number": "52321012MJ0001",
            "streets": [tree.street_a.pk, tree.street_b.pk],
            "contact_name": "吴主任",
        },
    )
    provider.refresh_from_db()
    assert provider.name == "颐和居家养老服务中心（江都）" and provider.streets.count() == 2


def test_provider_admin_may_not_open_the_registration_page(world, client):
    client.force_login(world.admin)
    assert client.get(reverse("providers:provider_create")).status_code == 403
    assert reverse("providers:provider_create") not in client.get(reverse("providers:provider_list")).content.decode()


# --- termination cascade ----------------------------------------------------------------------


@pytest.fixture
def served(world, tree):
    """Five open agreements (the world's two elders and three more), three open orders, one done."""
    for _ in range(3):
        ServiceAgreement.objects.create(
            elder=ElderFactory(community=tree.a1), provider=world.provider, signed_on=datetime.date(2025, 6, 1)
        )
    at = datetime.datetime(2026, 3, 12, 9, 0, tzinfo=SHANGHAI)
    open_orders = [
        make_order(world, status=S.BOOKED, caregiver=None, at=at),
        make_order(world, status=S.ASSIGNED, at=at),
        make_order(world, status=S.ASSIGNED, elder=world.elder2, at=at + datetime.timedelta(days=1)),
    ]
    done = make_order(world, status=S.COMPLETED, at=datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    return open_orders, done


def test_termination_ends_agreements_and_cancels_open_orders(world, district, served, clock):
    open_orders, done = served
    assert ServiceAgreement.objects.filter(provider=world.provider, ends_on__isnull=True).count() == 5

    result = provider_terminate(provider=world.provider, ground="fraud", reason="虚报服务工单", by=district)

    assert (result.agreements_ended, result.orders_cancelled) == (5, 3)
    assert result.provider.status == PS.TERMINATED
    assert WorkOrder.objects.filter(provider=world.provider, status__in=[S.BOOKED, S.ASSIGNED]).count() == 0
    assert ServiceAgreement.objects.filter(provider=world.provider, ends_on__isnull=True).count() == 0
    ended = ServiceAgreement.objects.filter(provider=world.provider)
    assert set(ended.values_list("ends_on", "end_reason", "ended_by")) == {
        (datetime.date(2026, 3, 10), ServiceAgreement.EndReason.PROVIDER_TERMINATED, district.pk)
    }
    for order in open_orders:
        event = WorkOrderEvent.objects.filter(order=order).latest("id")
        assert (event.to_status, event.note) == (S.CANCELLED, "服务商资格终止：虚报服务工单")
    done.refresh_from_db()
    assert done.status == S.COMPLETED
    assert (
        ProviderStatusEvent.objects.get(provider=world.provider, to_status=PS.TERMINATED).reason
        == "[fraud] 虚报服务工单"
    )


def test_termination_writes_nothing_when_a_step_fails(world, district, served, clock, monkeypatch):
    calls = []

    def failing_cancel(*, order, reason, by):
        calls.append(order.pk)
        if len(calls) == 2:
            raise Conflict("stop")
        return order_cancel(order=order, reason=reason, by=by)

    monkeypatch.setattr(termination, "order_cancel", failing_cancel)
    with pytest.raises(Conflict):
        provider_terminate(provider=world.provider, ground="fraud", reason="虚报", by=district)
    world.provider.refresh_from_db()
    assert world.provider.status == PS.CONTRACTED
    assert ServiceAgreement.objects.filter(provider=world.provider, ends_on__isnull=True).count() == 5
    assert WorkOrder.objects.filter(provider=world.provider, status__in=[S.BOOKED, S.ASSIGNED]).count() == 3


def test_termination_needs_a_ground_and_the_district(world, district, served, clock):
    with pytest.raises(ValidationFailed):
        provider_terminate(provider=world.provider, ground="", reason="x", by=district)
    with pytest.raises(NotAllowed):
        provider_terminate(provider=world.provider, ground="fraud", reason="x", by=world.admin)
    assert ServiceAgreement.objects.filter(provider=world.provider, ends_on__isnull=True).count() == 5


def test_termination_page_reports_counts_and_shows_the_ground_in_chinese(world, district, served, client, clock):
    client.force_login(district)
    r = client.post(
        reverse("providers:provider_terminate", args=[world.provider.pk]),
        {"ground": "unable_to_deliver", "reason": "中标后无法履约"},
        follow=True,
    )
    page = r.content.decode()
    assert "已终止服务协议 5 份，取消未完成工单 3 张" in page
    assert "中标后无法履约" in page and "中标后无法提供服务" in page


# --- scorecard --------------------------------------------------------------------------------


def test_scorecard_formula_with_the_figures_of_a_quarter():
    figures = scorecard.Figures(
        district_callbacks=10,
        district_satisfied=9,
        surveyed=50,
        survey_satisfied=45,
        elder_months=20,
        elder_months_met=16,
        visits=20,
        voided=1,
        callbacks=25,
        complaints=1,
    )
    card = scorecard.compute(figures)
    assert [p.value for p in card.parts] == [
        Decimal("90.0"),
        Decimal("90.0"),
        Decimal("80.0"),
        Decimal("95.0"),
        Decimal("96.0"),
    ]
    # 0.3 × 90 + 0.3 × 90 + 0.2 × 80 + 0.1 × 95 + 0.1 × 96 = 89.1
    assert card.score == Decimal("89.1")
    assert card.result == QuarterlyAssessment.Result.GOOD


def test_scorecard_leaves_out_a_part_with_no_data():
    figures = scorecard.Figures(0, 0, 10, 7, 4, 4, 10, 0, 10, 0)
    card = scorecard.compute(figures)
    assert card.parts[0].value is None
    # (30 × 70 + 20 × 100 + 10 × 100 + 10 × 100) / 70 = 87.1
    assert card.score == Decimal("87.1")


def test_scorecard_rounds_a_tie_half_up_as_a_check_by_hand_would():
    # 30 × 100 + 30 × 100 + 20 × 100 + 10 × 62.5 (3 of 8 visits voided) + 10 × 100 = 9625 → 96.25
    card = scorecard.compute(scorecard.Figures(1, 1, 1, 1, 1, 1, 8, 3, 1, 0))
    assert card.parts[3].value == Decimal("62.5")
    assert card.score == Decimal("96.3")


def test_scorecard_with_nothing_to_count_has_no_score_and_no_result():
    card = scorecard.compute(scorecard.Figures(0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    assert (card.score, card.result, card.result_label) == (None, "", "")


@pytest.mark.parametrize(
    ("score", "result"),
    [
        ("100", "excellent"),
        ("90.0", "excellent"),
        ("89.9", "good"),
        ("80.0", "good"),
        ("79.9", "pass"),
        ("60.0", "pass"),
        ("59.9", "fail"),
        ("0", "fail"),
    ],
)
def test_result_bands(score, result):
    assert scorecard.result_for(Decimal(score)) == result


def _visit(world, elder, day, status=S.COMPLETED):
    return make_order(world, elder=elder, status=status, at=datetime.datetime(2025, *day, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
def quarter_q4(world, tree, district):
    """Q4 2025 of the world's provider, with figures chosen to give round parts:
    district callbacks 9 of 10 satisfied → 90.0; town surveys 45 of 50 → 90.0; elder-months 5 of 6
    met (elder2's November made up in December, its October missed) → 83.3; 1 voided of 10 visits
    → 90.0; 1 complaint of 20 callbacks → 95.0."""
    orders = [_visit(world, world.elder, (m, 10)) for m in (10, 11, 12)]  # one visit each month
    orders += [_visit(world, world.elder2, (12, d)) for d in range(1, 7)]  # only in December
    orders.append(_visit(world, world.elder2, (12, 8), status=S.VOIDED))
    for i, order in enumerate(orders):
        Callback.objects.create(order=order, source="provider", result=CallbackResult.SATISFIED, by=world.admin)
        result = CallbackResult.COMPLAINT if i == 0 else CallbackResult.SATISFIED
        Callback.objects.create(order=order, source="district", result=result, by=district)
    SatisfactionSurvey.objects.create(
        provider=world.provider,
        street=tree.street_a,
        quarter=datetime.date(2025, 10, 1),
        surveyed=50,
        satisfied=45,
        by=district,
    )
    SatisfactionSurvey.objects.create(  # still being entered: not counted
        provider=world.provider,
        street=tree.street_b,
        quarter=datetime.date(2025, 10, 1),
        surveyed=10,
        satisfied=0,
        status="open",
        by=district,
    )
    return Quarter(2025, 4)


def test_scorecard_counts_the_platform_figures(world, district, quarter_q4, clock):
    card = scorecard.scorecard_for(provider=world.provider, quarter=quarter_q4, user=district)
    assert card.figures == scorecard.Figures(
        district_callbacks=10,
        district_satisfied=9,
        surveyed=50,
        survey_satisfied=45,
        elder_months=6,
        elder_months_met=5,
        visits=10,
        voided=1,
        callbacks=20,
        complaints=1,
        elder_months_made_up=1,
        elder_months_missed=1,
    )
    assert [p.value for p in card.parts] == [
        Decimal("90.0"),
        Decimal("90.0"),
        Decimal("83.3"),
        Decimal("90.0"),
        Decimal("95.0"),
    ]
    # (30 × 90 + 30 × 90 + 20 × 83.3 + 10 × 90 + 10 × 95) / 100 = 89.16 → 89.2
    assert (card.score, card.result) == (Decimal("89.2"), "good")


def test_district_confirms_the_scorecard_once(world, district, quarter_q4, client, clock):
    client.force_login(district)
    url = reverse("providers:scorecard", args=[world.provider.pk, "2025Q4"])
    page = client.get(url).content.decode()
    assert "89.2" in page and "83.3" in page and "confirm-scorecard" in page
    client.post(url, {"notes": "季度考核"})
    assessment = QuarterlyAssessment.objects.get(provider=world.provider, quarter=datetime.date(2025, 10, 1))
    assert (assessment.score, assessment.result, assessment.by) == (Decimal("89.2"), "good", district)
    assert assessment.confirmed_at is not None
    assert assessment.figures["figures"]["elder_months_met"] == 5
    assert assessment.figures["weights"] == scorecard.WEIGHTS
    with pytest.raises(Conflict):
        services.assessment_confirm(provider=world.provider, quarter=quarter_q4, by=district)
    with pytest.raises(Conflict):  # the current quarter is not over
        services.assessment_confirm(provider=world.provider, quarter=Quarter(2026, 1), by=district)
    with pytest.raises(NotAllowed):
        services.assessment_confirm(provider=world.other, quarter=quarter_q4, by=world.admin)
    client.force_login(world.admin)
    assert client.get(url).status_code == 403


def test_a_quarter_with_nothing_to_count_is_not_confirmed(world, district, clock):
    card = scorecard.scorecard_for(provider=world.other, quarter=Quarter(2025, 4), user=district)
    assert all(p.value is None for p in card.parts) and card.score is None
    with pytest.raises(Conflict):
        services.assessment_confirm(provider=world.other, quarter=Quarter(2025, 4), by=district)
    assert not QuarterlyAssessment.objects.filter(provider=world.other).exists()


def test_scorecards_to_confirm_are_on_the_district_work_list(world, district, client, clock):
    client.force_login(district)
    page = client.get(reverse("home")).content.decode()
    assert reverse("providers:scorecard", args=[world.provider.pk, "2025Q4"]) in page


def test_a_provider_with_nothing_to_count_is_not_on_the_list_to_confirm(world, district, tree, client, clock):
    idle = make_provider(tree, name="未开展服务的服务商")
    client.force_login(district)
    page = client.get(reverse("home")).content.decode()
    assert reverse("providers:scorecard", args=[world.provider.pk, "2025Q4"]) in page
    assert reverse("providers:scorecard", args=[idle.pk, "2025Q4"]) not in page
    card = client.get(reverse("providers:scorecard", args=[idle.pk, "2025Q4"])).content.decode()
    assert 'id="confirm-scorecard"' not in card


# --- staff ------------------------------------------------------------------------------------


def test_provider_admin_adds_a_caregiver_with_a_photo(world, client, clock):
    client.force_login(world.admin)
    listing = client.get(reverse("providers:caregiver_list")).content.decode()
    assert reverse("providers:caregiver_create", args=[world.provider.pk]) in listing
    r = client.post(
        reverse("providers:caregiver_create", args=[world.provider.pk]),
        {"name": "孙护工", "staff_number": "K-77", "phone": "13955556666", "photo": png()},
    )
    caregiver = Caregiver.objects.get(staff_number="K-77")
    assert r.status_code == 302 and caregiver.photo.name.startswith("caregivers/")
    assert client.get(reverse("providers:caregiver_photo", args=[caregiver.pk])).status_code == 200
    # The edit page offers a new photo without linking the stored file (it is not public media).
    edit = client.get(reverse("providers:caregiver_edit", args=[caregiver.pk])).content.decode()
    assert caregiver.photo.name not in edit and 'type="file"' in edit
    r = client.post(
        reverse("providers:caregiver_edit", args=[caregiver.pk]), {"name": "孙秀护", "phone": "13955556666"}
    )
    caregiver.refresh_from_db()
    assert r.status_code == 302 and caregiver.name == "孙秀护" and caregiver.photo.name.startswith("caregivers/")
    detail = client.get(reverse("providers:caregiver_detail", args=[caregiver.pk])).content.decode()
    assert "139****6666" in detail and reverse("providers:caregiver_badge", args=[caregiver.pk]) in detail


def test_photo_too_large_or_not_an_image_is_refused_with_a_message(world, clock):
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (services.PHOTO_MAX_BYTES + 1), content_type="image/png")
    with pytest.raises(ValidationFailed, match="MB"):
        services.caregiver_create(
            provider=world.provider, name="甲", staff_number="K-1", phone="13900001111", photo=big, by=world.admin
        )
    text = SimpleUploadedFile("cv.png", b"not an image at all", content_type="image/png")
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    gif = SimpleUploadedFile("a.gif", buffer.getvalue(), content_type="image/gif")
    # A PNG's first bytes followed by junk, and a real PNG cut short, are no photos either.
    fake = SimpleUploadedFile("fake.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    noisy = io.BytesIO()
    Image.effect_noise((120, 150), 60).convert("RGB").save(noisy, "PNG")
    cut = SimpleUploadedFile("cut.png", noisy.getvalue()[:-500], content_type="image/png")
    for photo in (text, gif, fake, cut):
        with pytest.raises(ValidationFailed, match=f"“{photo.name}”"):
            services.caregiver_create(
                provider=world.provider, name="甲", staff_number="K-1", phone="13900001111", photo=photo, by=world.admin
            )
    assert not Caregiver.objects.filter(staff_number="K-1").exists()


def test_the_caregivers_list_goes_a_page_at_a_time_and_finds_a_caregiver(world, district, tree, client):
    other = make_provider(tree, name="松柏护理站")
    before = Caregiver.objects.count()
    Caregiver.objects.bulk_create(
        Caregiver(provider=world.provider, name=f"周护工{i:02d}", staff_number=f"Z{i:03d}", phone_masked="139****0000")
        for i in range(PER_PAGE + 5)
    )
    Caregiver.objects.create(provider=other, name="吴长顺", staff_number="W-9", phone="13911112222")
    client.force_login(district)
    first = client.get(reverse("providers:caregiver_list"))
    listed = before + PER_PAGE + 5 + 1
    assert len(first.context["page"].object_list) == PER_PAGE
    assert first.context["page"].paginator.count == listed
    last = client.get(reverse("providers:caregiver_list"), {"page": 2})
    assert len(last.context["page"].object_list) == listed - PER_PAGE
    # The search posts its text; a name's beginning, a staff number's or part of a provider's name.
    for text in ("吴长", "W-9", "松柏"):
        found = client.post(reverse("providers:caregiver_list"), {"q": text}, follow=True)
        assert [c.name for c in found.context["page"]] == ["吴长顺"], text
        assert text not in found.redirect_chain[-1][0]
    # A name is searched by its beginning.
    middle = client.post(reverse("providers:caregiver_list"), {"q": "长顺"}, follow=True)
    assert middle.context["page"].paginator.count == 0


def test_phone_masked_except_for_the_own_provider_admin(world, district, client):
    client.force_login(district)
    page = client.get(reverse("providers:caregiver_list")).content.decode()
    assert "139****0000" in page and "13900000000" not in page
    page = client.get(reverse("providers:caregiver_detail", args=[world.caregiver.pk])).content.decode()
    assert "139****0000" in page and "13900000000" not in page
    client.force_login(world.admin)
    page = client.get(reverse("providers:caregiver_detail", args=[world.caregiver.pk])).content.decode()
    # The own admin sees the mask too, with the form that reveals the number (logged).
    assert "139****0000" in page and "13900000000" not in page
    assert reverse("providers:caregiver_phone_reveal", args=[world.caregiver.pk]) in page
    client.force_login(world.other_admin)
    assert client.get(reverse("providers:caregiver_detail", args=[world.caregiver.pk])).status_code == 404


def test_trainings_certificates_and_deactivation_from_the_caregiver_page(world, client, clock):
    caregiver = Caregiver.objects.create(provider=world.provider, name="新人", staff_number="N-1", phone="13911112222")
    client.force_login(world.admin)
    client.post(
        reverse("providers:caregiver_training", args=[caregiver.pk]),
        {"course": "岗前培训", "completed_on": "2026-03-05", "hours": "16"},
    )
    client.post(
        reverse("providers:caregiver_certificate", args=[caregiver.pk]),
        {"kind": "medical", "number": "YL-001", "valid_until": "2027-03-01"},
    )
    caregiver.refresh_from_db()
    assert caregiver.trained_on == datetime.date(2026, 3, 5)
    assert list(caregiver.trainings.values_list("course", "hours")) == [("岗前培训", Decimal("16.0"))]
    assert list(caregiver.certificates.values_list("number", flat=True)) == ["YL-001"]
    r = client.post(
        reverse("providers:caregiver_training", args=[caregiver.pk]),
        {"course": "康复", "completed_on": "2026-04-01", "hours": "8"},
        follow=True,
    )
    assert caregiver.trainings.count() == 1  # a date in the future is refused, with a message
    assert "日期不能晚于今天。" in r.content.decode()
    client.post(reverse("providers:caregiver_deactivate", args=[caregiver.pk]))
    caregiver.refresh_from_db()
    assert caregiver.active is False
    client.force_login(world.other_admin)
    assert client.post(reverse("providers:caregiver_deactivate", args=[world.caregiver.pk])).status_code == 404


def test_district_may_not_edit_staff(world, district):
    with pytest.raises(NotAllowed):
        services.caregiver_update(caregiver=world.caregiver, name="改名", by=district)
    with pytest.raises(NotAllowed):
        services.certificate_add(
            caregiver=world.caregiver, kind="medical", number="1", valid_until=datetime.date(2027, 1, 1), by=district
        )


def test_certificate_ending_within_30_days_is_on_both_work_lists(world, district, client, clock):
    ending = Certificate.objects.create(
        caregiver=world.caregiver, kind="medical", number="YL-20", valid_until=datetime.date(2026, 3, 30)
    )
    Certificate.objects.create(
        caregiver=world.caregiver2, kind="medical", number="YL-60", valid_until=datetime.date(2026, 5, 9)
    )
    Certificate.objects.create(  # another provider's: not on this admin's list
        caregiver=world.other_caregiver, kind="medical", number="YL-OT", valid_until=datetime.date(2026, 3, 20)
    )
    today = datetime.date(2026, 3, 10)
    assert list(certificates_expiring(user=world.admin, today=today)) == [ending]
    for user in (world.admin, district):
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert reverse("providers:caregiver_detail", args=[world.caregiver.pk]) in page
        assert reverse("providers:caregiver_detail", args=[world.caregiver2.pk]) not in page
    # a renewed certificate of the same kind takes it off the list
    Certificate.objects.create(
        caregiver=world.caregiver, kind="medical", number="YL-21", valid_until=datetime.date(2029, 3, 30)
    )
    assert list(certificates_expiring(user=world.admin, today=today)) == []


def test_an_expired_certificate_stays_on_the_work_lists_until_replaced(world, district, client, clock):
    expired = Certificate.objects.create(
        caregiver=world.caregiver, kind="medical", number="YL-OLD", valid_until=datetime.date(2026, 2, 20)
    )
    today = datetime.date(2026, 3, 10)
    assert list(certificates_expiring(user=world.admin, today=today)) == [expired]
    client.force_login(district)
    page = client.get(reverse("home")).content.decode()
    assert reverse("providers:caregiver_detail", args=[world.caregiver.pk]) in page and "2026-02-20" in page
    Certificate.objects.create(
        caregiver=world.caregiver, kind="medical", number="YL-NEW", valid_until=datetime.date(2028, 3, 1)
    )
    assert list(certificates_expiring(user=world.admin, today=today)) == []


def test_order_of_a_caregiver_whose_certificate_expired_is_listed_to_reassign(world, client, clock):
    item = make_item(world.provider, certificate_kind="medical", name="助医：测血压", kind="errands")
    Certificate.objects.create(
        caregiver=world.caregiver, kind="medical", number="YL-OLD", valid_until=datetime.date(2026, 3, 9)
    )
    Certificate.objects.create(
        caregiver=world.caregiver2, kind="medical", number="YL-OK", valid_until=datetime.date(2027, 1, 1)
    )
    today_at = datetime.datetime(2026, 3, 10, 15, 0, tzinfo=SHANGHAI)
    stale = make_order(world, at=today_at)
    stale.item = item
    stale.save()
    fine = make_order(world, caregiver=world.caregiver2, at=today_at)
    fine.item = item
    fine.save()
    plain = make_order(world, at=today_at)  # cleaning needs no certificate

    assert orders_to_reassign(user=world.admin) == [stale]
    client.force_login(world.admin)
    page = client.get(reverse("home")).content.decode()
    assert reverse("providers:order_detail", args=[stale.pk]) in page
    assert f"#{fine.pk} " not in page and f"#{plain.pk} " not in page


def test_order_of_a_deactivated_caregiver_is_listed_to_reassign(world, clock):
    order = make_order(world, at=datetime.datetime(2026, 3, 11, 9, 0, tzinfo=SHANGHAI))
    assert orders_to_reassign(user=world.admin) == []
    services.caregiver_deactivate(caregiver=world.caregiver, by=world.admin)
    assert orders_to_reassign(user=world.admin) == [order]
    assert orders_to_reassign(user=world.other_admin) == []


def test_caregiver_names_are_stored_plain(world, clock):
    caregiver = services.caregiver_create(
        provider=world.provider, name="孙\u202e秀\u200b护", staff_number="K-9", phone="13900001111", by=world.admin
    )
    assert caregiver.name == "孙秀护"
    services.caregiver_update(caregiver=caregiver, name="\u2066孙秀芳\u2069", by=world.admin)
    caregiver.refresh_from_db()
    assert caregiver.name == "孙秀芳"
    with pytest.raises(ValidationFailed, match="请填写服务人员姓名"):
        services.caregiver_create(
            provider=world.provider, name="\u200b", staff_number="K-8", phone="13900001112", by=world.admin
        )
