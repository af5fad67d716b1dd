"""The provider side's write endpoints, role by role.

For each write endpoint of the library, the staff, the catalogue, bookings and visits,
agreements and cards, surveys and rectifications: each role that may call it gets a 2xx and the
record changes as asked (checked in figures); every other role is refused, 403 when it sees the
object and 404 when the object is outside its scope, with a message, and nothing is written.

The roles: the community worker of the elders' community, the street office (town) the providers
serve, the district, finance, the supervisor (reads, never writes), the provider's own
administrator, another provider's administrator, and a caregiver of the provider.
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from djmoney.money import Money
from PIL import Image
from rest_framework.test import APIClient

from eldercare.periods import Quarter
from providers import quality
from providers.models import (
    Approval,
    Callback,
    CallbackResult,
    CardIssue,
    Caregiver,
    Certificate,
    Contract,
    ElderCard,
    Provider,
    ProviderStatusEvent,
    QuarterlyAssessment,
    Rectification,
    RectificationStep,
    SatisfactionSurvey,
    ServiceAgreement,
    ServiceItem,
    ServicePackage,
    SurveyAnswer,
    TrainingRecord,
    WorkOrder,
    WorkOrderEvent,
)
from providers.services import card_token_for, elder_from_code
from providers.tokens import ExpiredCard
from tests.factories import ElderFactory
from tests.files import pdf_bytes
from tests.vouchers.factories import grant
from vouchers.models import Account
from vouchers.services import account_for_elder, redemption_create

from .conftest import SHANGHAI
from .factories import make_caregiver, make_item, make_order, make_provider

pytestmark = pytest.mark.django_db

S = WorkOrder.Status
ROLES = ("community", "town", "district", "finance", "supervisor", "admin", "other_admin", "caregiver")
TOMORROW_9 = "2026-03-11T09:00:00+08:00"
PDF = pdf_bytes()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ctx(world, users, tree) -> SimpleNamespace:
    who = {
        "community": users["community"],
        "town": users["street"],
        "district": users["district"],
        "finance": users["finance"],
        "supervisor": users["supervisor"],
        "admin": world.admin,
        "other_admin": world.other_admin,
        "caregiver": world.caregiver.user,
    }
    return SimpleNamespace(world=world, tree=tree, who=who, p=world.provider)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@dataclass(frozen=True)
class Write:
    """One write endpoint: how to call it, who may, what it changes. Every other role is refused:
    404 when the object is outside its scope (`out_of_scope`), else 403."""

    name: str
    call: Callable  # (ctx, client, role) -> response
    state: Callable  # (ctx) -> what a refused call must leave as it was
    done: Callable  # (ctx, response, role) -> asserts the change
    allowed: tuple[str, ...]
    out_of_scope: tuple[str, ...] = ()
    arrange: Callable = field(default=lambda ctx: None)

    @property
    def refused(self) -> dict[str, int]:
        return {role: 404 if role in self.out_of_scope else 403 for role in ROLES if role not in self.allowed}

    def __repr__(self) -> str:
        return self.name


# --- arrangements -----------------------------------------------------------------------------


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 40), (10, 20, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("badge.png", buffer.getvalue(), content_type="image/png")


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("整改.pdf", PDF, content_type="application/pdf")


def add_candidate(ctx):
    ctx.candidate = make_provider(ctx.tree, name="颐和居家养老服务中心", status=Provider.Status.CANDIDATE)


def add_contract(ctx):
    ctx.contract = Contract.objects.create(
        provider=ctx.p, number="JD-2025-01", starts_on=datetime.date(2025, 4, 1), ends_on=datetime.date(2026, 3, 31)
    )


def suspend(ctx):
    Provider.objects.filter(pk=ctx.p.pk).update(status=Provider.Status.SUSPENDED, status_reason="投诉集中")


def add_booked_order(ctx):
    """A visit booked for 12 March, no caregiver assigned yet."""
    ctx.order = WorkOrder.objects.create(
        elder=ctx.world.elder,
        provider=ctx.p,
        item=ctx.world.item,
        price=ctx.world.item.price,
        scheduled_at=datetime.datetime(2026, 3, 12, 9, tzinfo=SHANGHAI),
        booked_via=WorkOrder.BookedVia.COMMUNITY,
        booked_by=ctx.who["community"],
        status=S.BOOKED,
    )


def add_quarter_to_assess(ctx):
    order = make_order(ctx.world, status=S.COMPLETED, at=datetime.datetime(2025, 11, 5, 9, 0, tzinfo=SHANGHAI))
    Callback.objects.create(order=order, source="district", result=CallbackResult.SATISFIED, by=ctx.who["district"])


def add_untrained(ctx):
    ctx.untrained = make_caregiver(ctx.p, name="孙护工", trained=False)


def pending_item(ctx):
    ctx.entry = ServiceItem.objects.create(
        provider=ctx.p, kind="meal", name="助餐：送餐上门", price=Money("45.00", "CNY"), minutes=60
    )


def add_meal(ctx):
    ctx.meal = make_item(ctx.p, price="45.00", name="助餐：代买并烹饪午餐", kind="meal")


def approved_package(ctx):
    add_meal(ctx)
    ctx.package = ServicePackage.objects.create(
        provider=ctx.p, name="居家基础套餐", price=Money("85.00", "CNY"), approval=Approval.APPROVED
    )
    ctx.package.items.set([ctx.meal, ctx.world.item])


def pending_package(ctx):
    approved_package(ctx)
    ServicePackage.objects.filter(pk=ctx.package.pk).update(approval=Approval.PENDING)
    ctx.entry = ServicePackage.objects.get(pk=ctx.package.pk)


def add_completed_order(ctx):
    ctx.order = make_order(ctx.world, status=S.COMPLETED)


def add_redeemed_order(ctx):
    grant(ctx.world.elder, "2026-03", "80.00", ctx.tree)
    ctx.order = make_order(ctx.world, status=S.COMPLETED)
    result = redemption_create(
        elder=ctx.world.elder,
        amount=ctx.order.price,
        provider=ctx.p,
        idempotency_key=f"workorder:{ctx.order.pk}:redeem",
        reference=f"workorder:{ctx.order.pk}",
    )
    WorkOrder.objects.filter(pk=ctx.order.pk).update(redemption=result.transaction)


def add_fresh_elder(ctx):
    ctx.fresh = ElderFactory(community=ctx.tree.a1)


def add_open_agreement(ctx):
    ctx.agreement = ServiceAgreement.objects.get(elder=ctx.world.elder, provider=ctx.p, ends_on__isnull=True)


def add_card(ctx):
    ctx.card = ElderCard.objects.get(elder=ctx.world.elder)
    ctx.old_token = card_token_for(ctx.card)


def open_survey(ctx):
    ctx.survey = quality.survey_open(
        provider=ctx.p, street=ctx.tree.street_a, quarter=Quarter.parse("2026Q1"), by=ctx.who["town"]
    )


def four_answers(ctx):
    """Four elders asked, three satisfied: 75 %, below the 80 % that opens a rectification."""
    open_survey(ctx)
    more = [ElderFactory(community=ctx.tree.a1) for _ in range(2)]
    for elder in more:
        ServiceAgreement.objects.create(elder=elder, provider=ctx.p, signed_on=datetime.date(2025, 6, 1))
    for i, elder in enumerate([ctx.world.elder, ctx.world.elder2, *more]):
        quality.survey_answer_record(
            survey=ctx.survey, elder=elder, satisfied=i < 3, asked_on=datetime.date(2026, 3, 9), by=ctx.who["town"]
        )


def open_rectification(ctx):
    four_answers(ctx)
    quality.survey_submit(survey=ctx.survey, by=ctx.who["town"])
    ctx.rect = Rectification.objects.get(survey=ctx.survey)


def answered_rectification(ctx):
    open_rectification(ctx)
    quality.rectification_answer(rectification=ctx.rect, text="已更换护理员并培训", evidence=pdf(), by=ctx.who["admin"])


def sheet(rows) -> SimpleUploadedFile:
    out = io.BytesIO()
    pd.DataFrame(rows, columns=["身份证号", "姓名", "是否满意", "询问日期", "备注"]).to_excel(out, index=False)
    return SimpleUploadedFile("测评.xlsx", out.getvalue())


# --- the effects, in figures ----------------------------------------------------------------


def provider_registered(ctx, r, role):
    p = Provider.objects.get(licence_number="52321012MJ0009")
    assert (r.status_code, p.status, p.district, list(p.streets.all())) == (
        201,
        Provider.Status.CANDIDATE,
        ctx.tree.district,
        [ctx.tree.street_a],
    )


def provider_edited(ctx, r, role):
    ctx.p.refresh_from_db()
    assert (r.status_code, ctx.p.contact_name, ctx.p.contact_phone) == (200, "吴主任", "13912345678")


def provider_replaced(ctx, r, role):
    ctx.p.refresh_from_db()
    assert (r.status_code, ctx.p.name, ctx.p.phone) == (200, "康乐居家服务中心（龙川）", "0514-86111111")
    assert set(ctx.p.streets.all()) == {ctx.tree.street_a, ctx.tree.street_b}


def contract_signed(ctx, r, role):
    contract = Contract.objects.get(number="JD-2026-09")
    ctx.candidate.refresh_from_db()
    assert (r.status_code, contract.starts_on, contract.ends_on) == (
        201,
        datetime.date(2026, 4, 1),
        datetime.date(2027, 3, 31),
    )
    assert ctx.candidate.status == Provider.Status.CONTRACTED
    assert ProviderStatusEvent.objects.filter(provider=ctx.candidate, to_status="contracted").count() == 1


def contract_renewed(ctx, r, role):
    renewed = Contract.objects.get(number="JD-2026-01")
    assert (r.status_code, renewed.starts_on, renewed.ends_on, renewed.renews) == (
        201,
        datetime.date(2026, 4, 1),
        datetime.date(2027, 3, 31),
        ctx.contract,
    )


def status_moved(to, reason):
    def done(ctx, r, role):
        ctx.p.refresh_from_db()
        event = ProviderStatusEvent.objects.get(provider=ctx.p)
        assert (r.status_code, ctx.p.status, ctx.p.status_reason) == (200, to, reason)
        assert (event.to_status, event.reason, event.by) == (to, reason, ctx.who[role])

    return done


def provider_terminated(ctx, r, role):
    ctx.p.refresh_from_db()
    ctx.order.refresh_from_db()
    assert (r.status_code, r.data["agreements_ended"], r.data["orders_cancelled"]) == (200, 2, 1)
    assert (ctx.p.status, ctx.order.status) == (Provider.Status.TERMINATED, S.CANCELLED)
    assert set(ServiceAgreement.objects.filter(provider=ctx.p).values_list("end_reason", flat=True)) == {
        "provider_terminated"
    }


def scorecard_confirmed(ctx, r, role):
    assessment = QuarterlyAssessment.objects.get(provider=ctx.p)
    assert (r.status_code, assessment.quarter, assessment.by) == (201, datetime.date(2025, 10, 1), ctx.who[role])
    assert assessment.figures["figures"]["district_callbacks"] == 1
    assert r.data["score"] == f"{assessment.score}" and assessment.confirmed_at is not None


def caregiver_added(ctx, r, role):
    caregiver = Caregiver.objects.get(provider=ctx.p, staff_number="K-9")
    assert (r.status_code, caregiver.name, caregiver.phone, caregiver.trained_on) == (
        201,
        "孙护工",
        "13955556666",
        None,
    )
    assert caregiver.photo.name and r.data["phone"] == "139****6666"


def caregiver_edited(ctx, r, role):
    ctx.world.caregiver.refresh_from_db()
    assert (r.status_code, ctx.world.caregiver.phone) == (200, "13700001111")


def caregiver_replaced(ctx, r, role):
    ctx.world.caregiver.refresh_from_db()
    c = ctx.world.caregiver
    assert (r.status_code, c.name, c.phone, c.provider, c.active) == (200, "李明护工", "13700002222", ctx.p, True)


def training_recorded(ctx, r, role):
    record = TrainingRecord.objects.get(caregiver=ctx.untrained)
    ctx.untrained.refresh_from_db()
    assert (r.status_code, record.course, record.hours) == (201, "失能照护", Decimal("12.5"))
    assert ctx.untrained.trained_on == datetime.date(2026, 3, 1)  # trained before work: the first one counts


def certificate_recorded(ctx, r, role):
    certificate = Certificate.objects.get(caregiver=ctx.world.caregiver)
    assert (r.status_code, certificate.kind, certificate.number, certificate.valid_until) == (
        201,
        "rehabilitation",
        "KF-1",
        datetime.date(2027, 6, 30),
    )


def item_added(ctx, r, role):
    item = ServiceItem.objects.get(name="助餐：送餐")
    assert (r.status_code, item.approval, item.price, item.valid_from) == (
        201,
        Approval.PENDING,
        Money("45.00", "CNY"),
        datetime.date(2026, 3, 10),
    )


def item_revised(ctx, r, role):
    new = ServiceItem.objects.get(replaces=ctx.world.item)
    ctx.world.item.refresh_from_db()
    assert (r.status_code, new.approval, new.price, new.valid_from) == (
        201,
        Approval.PENDING,
        Money("52.00", "CNY"),
        datetime.date(2026, 4, 1),
    )
    assert ctx.world.item.valid_until is None  # the current price holds until the district decides


def decided(state, note):
    def done(ctx, r, role):
        ctx.entry.refresh_from_db()
        assert (r.status_code, ctx.entry.approval, ctx.entry.approval_note) == (200, state, note)
        assert ctx.entry.approved_by == ctx.who[role]

    return done


def package_added(ctx, r, role):
    package = ServicePackage.objects.get(name="基础套餐")
    assert (r.status_code, package.approval, package.price) == (201, Approval.PENDING, Money("85.00", "CNY"))
    assert set(package.items.all()) == {ctx.meal, ctx.world.item}


def package_revised(ctx, r, role):
    new = ServicePackage.objects.get(replaces=ctx.package)
    assert (r.status_code, new.approval, new.price, new.valid_from) == (
        201,
        Approval.PENDING,
        Money("90.00", "CNY"),
        datetime.date(2026, 4, 1),
    )
    assert set(new.items.all()) == {ctx.meal, ctx.world.item}


def channel(role) -> str:
    return WorkOrder.BookedVia.PROVIDER if role == "admin" else WorkOrder.BookedVia.COMMUNITY


def visit_booked(ctx, r, role):
    order = WorkOrder.objects.get()
    assert (r.status_code, order.status, order.price, order.self_paid, order.booked_via, order.booked_by) == (
        201,
        S.BOOKED,
        Money("50.00", "CNY"),
        True,
        channel(role),
        ctx.who[role],
    )
    assert list(WorkOrderEvent.objects.filter(order=order).values_list("to_status", flat=True)) == [S.BOOKED]


def package_booked(ctx, r, role):
    orders = list(WorkOrder.objects.order_by("scheduled_at"))
    assert r.status_code == 201
    # 85.00 shared in proportion to 50.00 and 45.00, one visit after the other.
    assert [(o.item, o.price.amount, o.package) for o in orders] == [
        (ctx.world.item, Decimal("44.74"), ctx.package),
        (ctx.meal, Decimal("40.26"), ctx.package),
    ]
    assert orders[1].scheduled_at - orders[0].scheduled_at == datetime.timedelta(minutes=60)
    assert {o.booked_via for o in orders} == {channel(role)}


def order_moved(to, **fields):
    def done(ctx, r, role):
        ctx.order.refresh_from_db()
        assert (r.status_code, ctx.order.status) == (200, to)
        assert {k: getattr(ctx.order, k) for k in fields} == {
            k: (v(ctx) if callable(v) else v) for k, v in fields.items()
        }
        event = WorkOrderEvent.objects.filter(order=ctx.order).latest("id")
        assert (event.to_status, event.by) == (to, ctx.who[role])

    return done


def subsidy_balance(ctx) -> Decimal:
    return account_for_elder(elder=ctx.world.elder, kind=Account.Kind.SUBSIDY).balance.amount


def visit_voided(ctx, r, role):
    order_moved(S.VOIDED, void_reason="服务时长不足")(ctx, r, role)
    assert subsidy_balance(ctx) == Decimal("80.00")  # the 50.00 redeemed came back
    again = WorkOrder.objects.get(reservice_of=ctx.order)
    assert (again.status, again.scheduled_at - ctx.order.scheduled_at) == (S.ASSIGNED, datetime.timedelta(days=1))


def callback_recorded(source):
    def done(ctx, r, role):
        callback = Callback.objects.get(order=ctx.order)
        assert (r.status_code, callback.source, callback.result, callback.by) == (
            201,
            source,
            CallbackResult.SATISFIED,
            ctx.who[role],
        )

    return done


def agreement_signed(ctx, r, role):
    agreement = ServiceAgreement.objects.get(elder=ctx.fresh)
    consent = "本人当面签字" if role == "admin" else ""
    assert (r.status_code, agreement.provider, agreement.signed_on, agreement.ends_on, agreement.consent) == (
        201,
        ctx.p,
        datetime.date(2026, 3, 10),
        None,
        consent,
    )
    assert agreement.signed_by == ctx.who[role]


def agreement_ended(ctx, r, role):
    ctx.agreement.refresh_from_db()
    a = ctx.agreement
    assert (r.status_code, a.ends_on, a.end_reason, a.ended_by) == (
        200,
        datetime.date(2026, 3, 31),
        "elder_choice",
        ctx.who[role],
    )


def provider_changed(ctx, r, role):
    ctx.agreement.refresh_from_db()
    new = ServiceAgreement.objects.get(elder=ctx.world.elder, ends_on__isnull=True)
    assert (r.status_code, ctx.agreement.ends_on, ctx.agreement.end_reason) == (
        201,
        datetime.date(2026, 3, 31),
        "changed_provider",
    )
    assert (new.provider, new.signed_on, new.consent) == (ctx.world.other, datetime.date(2026, 4, 1), "家属代签")


def card_reissued(ctx, r, role):
    card = ElderCard.objects.get(elder=ctx.world.elder)
    issue = CardIssue.objects.get(card=card)
    assert (r.status_code, card.version, issue.reason, issue.by) == (
        201,
        ctx.card.version + 1,
        "卡片遗失",
        ctx.who[role],
    )
    assert card.short_code != ctx.card.short_code
    with pytest.raises(ExpiredCard):
        elder_from_code(ctx.old_token)  # the lost card no longer checks a visit in


def survey_opened(ctx, r, role):
    survey = SatisfactionSurvey.objects.get()
    assert (r.status_code, survey.provider, survey.street, survey.quarter, survey.status) == (
        201,
        ctx.p,
        ctx.tree.street_a,
        datetime.date(2026, 1, 1),
        SatisfactionSurvey.Status.OPEN,
    )


def answer_recorded(ctx, r, role):
    answer = SurveyAnswer.objects.get(survey=ctx.survey)
    assert (r.status_code, answer.elder, answer.satisfied, answer.asked_on, answer.by) == (
        201,
        ctx.world.elder,
        False,
        datetime.date(2026, 3, 9),
        ctx.who[role],
    )


def answers_imported(ctx, r, role):
    answers = dict(SurveyAnswer.objects.filter(survey=ctx.survey).values_list("elder", "satisfied"))
    assert (r.status_code, answers) == (201, {ctx.world.elder.pk: True, ctx.world.elder2.pk: False})


def survey_submitted(ctx, r, role):
    ctx.survey.refresh_from_db()
    s = ctx.survey
    assert (r.status_code, s.status, s.surveyed, s.satisfied, s.rate) == (
        200,
        SatisfactionSurvey.Status.SUBMITTED,
        4,
        3,
        Decimal("75.0"),
    )
    rect = Rectification.objects.get(survey=s)
    assert (rect.status, rect.deadline) == (Rectification.Status.OPEN, datetime.date(2026, 4, 8))


def rectification_moved(to, kind, text):
    def done(ctx, r, role):
        ctx.rect.refresh_from_db()
        step = RectificationStep.objects.filter(rectification=ctx.rect).latest("id")
        assert (r.status_code, ctx.rect.status, ctx.rect.deadline) == (200, to, datetime.date(2026, 4, 8))
        assert (step.kind, step.text, step.by) == (kind, text, ctx.who[role])
        if kind == "answer":
            assert step.evidence.read().startswith(b"%PDF")
        if kind == "accept":
            assert (ctx.rect.resolution, ctx.rect.resolved_at is not None) == (text, True)

    return done


# --- the states a refused call must leave alone -----------------------------------------------


def provider_state(ctx):
    p = Provider.objects.get(pk=ctx.p.pk)
    return (
        Provider.objects.count(),
        p.name,
        p.phone,
        p.contact_name,
        p.status,
        p.status_reason,
        sorted(p.streets.values_list("pk", flat=True)),
        ProviderStatusEvent.objects.count(),
        Contract.objects.count(),
        list(Provider.objects.values_list("status", flat=True).order_by("pk")),
        list(ServiceAgreement.objects.values_list("ends_on", "end_reason").order_by("pk")),
        list(WorkOrder.objects.values_list("status", flat=True).order_by("pk")),
        QuarterlyAssessment.objects.count(),
    )


def staff_state(ctx):
    return (
        list(Caregiver.objects.values_list("name", "phone", "active", "trained_on", "photo").order_by("pk")),
        TrainingRecord.objects.count(),
        Certificate.objects.count(),
    )


def catalogue_state(ctx):
    return (
        list(ServiceItem.objects.values_list("pk", "price", "approval", "approval_note", "valid_until").order_by("pk")),
        list(ServicePackage.objects.values_list("pk", "price", "approval", "approval_note").order_by("pk")),
    )


def orders_state(ctx):
    return (
        list(WorkOrder.objects.values_list("pk", "status", "caregiver", "void_reason").order_by("pk")),
        WorkOrderEvent.objects.count(),
        Callback.objects.count(),
        list(Account.objects.values_list("pk", "balance").order_by("pk")),
    )


def agreements_state(ctx):
    return (
        list(ServiceAgreement.objects.values_list("pk", "provider", "ends_on", "end_reason").order_by("pk")),
        list(ElderCard.objects.values_list("pk", "version", "short_code").order_by("pk")),
        CardIssue.objects.count(),
    )


def quality_state(ctx):
    return (
        list(SatisfactionSurvey.objects.values_list("pk", "status", "surveyed", "satisfied").order_by("pk")),
        SurveyAnswer.objects.count(),
        list(Rectification.objects.values_list("pk", "status", "resolution").order_by("pk")),
        RectificationStep.objects.count(),
    )


# --- the calls ---------------------------------------------------------------------------------

NEW_PROVIDER = {
    "name": "颐和居家养老服务中心",
    "kind": "social",
    "licence_number": "52321012MJ0009",
    "phone": "0514-86000000",
    "address": "龙川路8号",
    "contact_name": "周主任",
    "contact_phone": "13912345678",
}


def post(url_of, body_of=lambda ctx, role: {}, fmt="json"):
    def call(ctx, client, role):
        body = body_of(ctx, role)
        return client.post(url_of(ctx), body, format=fmt)

    return call


def send(method, url_of, body_of, fmt="json"):
    def call(ctx, client, role):
        return getattr(client, method)(url_of(ctx), body_of(ctx, role), format=fmt)

    return call


def _sign_body(ctx, role):
    if role in ("admin", "other_admin"):  # a provider names the elder by the ID number shown to it
        return {
            "elder_id_number": ctx.fresh.id_number,
            "provider": ctx.p.pk,
            "signed_on": "2026-03-10",
            "consent": "本人当面签字",
        }
    return {"elder": ctx.fresh.pk, "provider": ctx.p.pk, "signed_on": "2026-03-10"}


WRITES = [
    # provider library
    Write(
        "register a provider",
        post(lambda ctx: "/api/v1/providers/", lambda ctx, role: {**NEW_PROVIDER, "streets": [ctx.tree.street_a.pk]}),
        provider_state,
        provider_registered,
        allowed=("district",),
    ),
    Write(
        "edit a provider",
        send(
            "patch",
            lambda ctx: f"/api/v1/providers/{ctx.p.pk}/",
            lambda ctx, role: {"contact_name": "吴主任", "contact_phone": "13912345678"},
        ),
        provider_state,
        provider_edited,
        allowed=("district",),
        out_of_scope=("other_admin",),
    ),
    Write(
        "replace a provider's particulars",
        send(
            "put",
            lambda ctx: f"/api/v1/providers/{ctx.p.pk}/",
            lambda ctx, role: {
                **NEW_PROVIDER,
                "name": "康乐居家服务中心（龙川）",
                "licence_number": ctx.p.licence_number,
                "phone": "0514-86111111",
                "streets": [ctx.tree.street_a.pk, ctx.tree.street_b.pk],
            },
        ),
        provider_state,
        provider_replaced,
        allowed=("district",),
        out_of_scope=("other_admin",),
    ),
    Write(
        "sign a contract",
        post(
            lambda ctx: "/api/v1/contracts/",
            lambda ctx, role: {"provider": ctx.candidate.pk, "number": "JD-2026-09", "starts_on": "2026-04-01"},
        ),
        provider_state,
        contract_signed,
        allowed=("district",),
        # The candidate is no provider's own: outside the providers' scope.
        out_of_scope=("admin", "other_admin", "caregiver"),
        arrange=add_candidate,
    ),
    Write(
        "renew a contract",
        post(lambda ctx: f"/api/v1/contracts/{ctx.contract.pk}/renew/", lambda ctx, role: {"number": "JD-2026-01"}),
        provider_state,
        contract_renewed,
        allowed=("district",),
        out_of_scope=("other_admin",),
        arrange=add_contract,
    ),
    Write(
        "suspend a provider",
        post(
            lambda ctx: f"/api/v1/providers/{ctx.p.pk}/status/",
            lambda ctx, role: {"to": "suspended", "reason": "投诉集中，暂停接单"},
        ),
        provider_state,
        status_moved(Provider.Status.SUSPENDED, "投诉集中，暂停接单"),
        allowed=("district",),
        out_of_scope=("other_admin",),
    ),
    Write(
        "reinstate a provider",
        post(
            lambda ctx: f"/api/v1/providers/{ctx.p.pk}/status/",
            lambda ctx, role: {"to": "contracted", "reason": "整改完成，恢复接单"},
        ),
        provider_state,
        status_moved(Provider.Status.CONTRACTED, "整改完成，恢复接单"),
        allowed=("district",),
        out_of_scope=("other_admin",),
        arrange=suspend,
    ),
    Write(
        "terminate a provider",
        post(
            lambda ctx: f"/api/v1/providers/{ctx.p.pk}/terminate/",
            lambda ctx, role: {"ground": "violation", "reason": "违规收费"},
        ),
        provider_state,
        provider_terminated,
        allowed=("district",),
        out_of_scope=("other_admin",),
        arrange=add_booked_order,
    ),
    Write(
        "confirm the quarter's scorecard",
        post(lambda ctx: f"/api/v1/providers/{ctx.p.pk}/scorecard/", lambda ctx, role: {"quarter": "2025Q4"}),
        provider_state,
        scorecard_confirmed,
        allowed=("district",),
        out_of_scope=("other_admin",),
        arrange=add_quarter_to_assess,
    ),
    # staff
    Write(
        "add a caregiver with a photo",
        post(
            lambda ctx: "/api/v1/caregivers/",
            lambda ctx, role: {
                "provider": ctx.p.pk,
                "name": "孙护工",
                "staff_number": "K-9",
                "phone": "13955556666",
                "photo": png(),
            },
            fmt="multipart",
        ),
        staff_state,
        caregiver_added,
        allowed=("admin",),
    ),
    Write(
        "edit a caregiver",
        send(
            "patch",
            lambda ctx: f"/api/v1/caregivers/{ctx.world.caregiver.pk}/",
            lambda ctx, r: {"phone": "13700001111"},
        ),
        staff_state,
        caregiver_edited,
        allowed=("admin",),
        out_of_scope=("other_admin",),
    ),
    Write(
        "replace a caregiver's particulars",
        send(
            "put",
            lambda ctx: f"/api/v1/caregivers/{ctx.world.caregiver.pk}/",
            lambda ctx, r: {"name": "李明护工", "phone": "13700002222", "active": True},
        ),
        staff_state,
        caregiver_replaced,
        allowed=("admin",),
        out_of_scope=("other_admin",),
    ),
    Write(
        "record a training",
        post(
            lambda ctx: f"/api/v1/caregivers/{ctx.untrained.pk}/trainings/",
            lambda ctx, role: {"course": "失能照护", "completed_on": "2026-03-01", "hours": "12.5"},
        ),
        staff_state,
        training_recorded,
        allowed=("admin",),
        out_of_scope=("other_admin",),
        arrange=add_untrained,
    ),
    Write(
        "record a certificate with its expiry",
        post(
            lambda ctx: f"/api/v1/caregivers/{ctx.world.caregiver.pk}/certificates/",
            lambda ctx, role: {"kind": "rehabilitation", "number": "KF-1", "valid_until": "2027-06-30"},
        ),
        staff_state,
        certificate_recorded,
        allowed=("admin",),
        out_of_scope=("other_admin",),
    ),
    # catalogue
    Write(
        "add a catalogue item",
        post(
            lambda ctx: "/api/v1/service-items/",
            lambda ctx, role: {"provider": ctx.p.pk, "kind": "meal", "name": "助餐：送餐", "price": "45.00"},
        ),
        catalogue_state,
        item_added,
        allowed=("admin",),
        out_of_scope=("other_admin",),
    ),
    Write(
        "revise an item's price from a date",
        post(
            lambda ctx: f"/api/v1/service-items/{ctx.world.item.pk}/revise/",
            lambda ctx, role: {"valid_from": "2026-04-01", "price": "52.00"},
        ),
        catalogue_state,
        item_revised,
        allowed=("admin",),
        out_of_scope=("other_admin",),
    ),
    Write(
        "approve an item",
        post(lambda ctx: f"/api/v1/service-items/{ctx.entry.pk}/approve/", lambda ctx, role: {"note": "价格合理"}),
        catalogue_state,
        decided(Approval.APPROVED, "价格合理"),
        allowed=("district",),
        out_of_scope=("other_admin",),
        arrange=pending_item,
    ),
    Write(
        "reject an item",
        post(lambda ctx: f"/api/v1/service-items/{ctx.entry.pk}/reject/", lambda ctx, role: {"note": "与现有项目重复"}),
        catalogue_state,
        decided(Approval.REJECTED, "与现有项目重复"),
        allowed=("district",),
        out_of_scope=("other_admin",),
        arrange=pending_item,
    ),
    Write(
        "add a package",
        post(
            lambda ctx: "/api/v1/service-packages/",
            lambda ctx, role: {
                "provider": ctx.p.pk,
                "name": "基础套餐",
                "items": [ctx.meal.pk, ctx.world.item.pk],
                "price": "85.00",
            },
        ),
        catalogue_state,
        package_added,
        allowed=("admin",),
        out_of_scope=("other_admin",),
        arrange=add_meal,
    ),
    Write(
        "revise a package from a date",
        post(
            lambda ctx: f"/api/v1/service-packages/{ctx.package.pk}/revise/",
            lambda ctx, role: {"valid_from": "2026-04-01", "price": "90.00"},
        ),
        catalogue_state,
        package_revised,
        allowed=("admin",),
        out_of_scope=("other_admin",),
        arrange=approved_package,
    ),
    Write(
        "approve a package",
        post(lambda ctx: f"/api/v1/service-packages/{ctx.entry.pk}/approve/", lambda ctx, role: {"note": "同意"}),
        catalogue_state,
        decided(Approval.APPROVED, "同意"),
        allowed=("district",),
        out_of_scope=("other_admin",),
        arrange=pending_package,
    ),
    Write(
        "reject a package",
        post(
            lambda ctx: f"/api/v1/service-packages/{ctx.entry.pk}/reject/", lambda ctx, role: {"note": "套餐价格偏高"}
        ),
        catalogue_state,
        decided(Approval.REJECTED, "套餐价格偏高"),
        allowed=("district",),
        out_of_scope=("other_admin",),
        arrange=pending_package,
    ),
    # bookings and visits
    Write(
        "book a self-paid visit",
        post(
            lambda ctx: "/api/v1/work-orders/",
            lambda ctx, role: {
                "elder": ctx.world.elder.pk,
                "item": ctx.world.item.pk,
                "scheduled_at": TOMORROW_9,
                "self_paid": True,
            },
        ),
        orders_state,
        visit_booked,
        allowed=("community", "admin"),
        out_of_scope=("other_admin", "caregiver"),  # a caregiver sees only the elders it visits
    ),
    Write(
        "book a package",
        post(
            lambda ctx: "/api/v1/work-orders/book-package/",
            lambda ctx, role: {"elder": ctx.world.elder.pk, "package": ctx.package.pk, "scheduled_at": TOMORROW_9},
        ),
        orders_state,
        package_booked,
        allowed=("community", "admin"),
        out_of_scope=("other_admin", "caregiver"),  # a caregiver sees only the elders it visits
        arrange=approved_package,
    ),
    Write(
        "assign a caregiver",
        post(
            lambda ctx: f"/api/v1/work-orders/{ctx.order.pk}/assign/",
            lambda ctx, role: {"caregiver": ctx.world.caregiver2.pk},
        ),
        orders_state,
        order_moved(S.ASSIGNED, caregiver=lambda ctx: ctx.world.caregiver2),
        allowed=("admin",),
        # An unassigned visit is no caregiver's to see.
        out_of_scope=("other_admin", "caregiver"),
        arrange=add_booked_order,
    ),
    Write(
        "cancel a visit",
        post(lambda ctx: f"/api/v1/work-orders/{ctx.order.pk}/cancel/", lambda ctx, role: {"reason": "家属取消"}),
        orders_state,
        order_moved(S.CANCELLED),
        allowed=("community", "town", "district", "admin"),
        out_of_scope=("other_admin", "caregiver"),
        arrange=add_booked_order,
    ),
    Write(
        "void a visit",
        post(lambda ctx: f"/api/v1/work-orders/{ctx.order.pk}/void/", lambda ctx, role: {"reason": "服务时长不足"}),
        orders_state,
        visit_voided,
        allowed=("district", "admin"),
        out_of_scope=("other_admin",),
        arrange=add_redeemed_order,
    ),
    Write(
        "record the provider's callback",
        post(
            lambda ctx: f"/api/v1/work-orders/{ctx.order.pk}/callback/",
            lambda ctx, role: {"source": "provider", "result": "satisfied"},
        ),
        orders_state,
        callback_recorded("provider"),
        allowed=("admin",),
        out_of_scope=("other_admin",),
        arrange=add_completed_order,
    ),
    Write(
        "record the district's callback",
        post(
            lambda ctx: f"/api/v1/work-orders/{ctx.order.pk}/callback/",
            lambda ctx, role: {"source": "district", "result": "satisfied"},
        ),
        orders_state,
        callback_recorded("district"),
        allowed=("district",),
        out_of_scope=("other_admin",),
        arrange=add_completed_order,
    ),
    # agreements and cards
    Write(
        "sign an agreement",
        post(lambda ctx: "/api/v1/agreements/", _sign_body),
        agreements_state,
        agreement_signed,
        allowed=("community", "admin"),
        # The caregiver does not see an elder its provider does not serve yet.
        out_of_scope=("caregiver",),
        arrange=add_fresh_elder,
    ),
    Write(
        "end an agreement",
        post(
            lambda ctx: f"/api/v1/agreements/{ctx.agreement.pk}/end/",
            lambda ctx, role: {"ends_on": "2026-03-31", "reason": "elder_choice"},
        ),
        agreements_state,
        agreement_ended,
        allowed=("community", "admin"),
        # Finance has no part in agreements: it does not see them.
        out_of_scope=("finance", "other_admin", "caregiver"),
        arrange=add_open_agreement,
    ),
    Write(
        "change the elder's provider",
        post(
            lambda ctx: f"/api/v1/agreements/{ctx.agreement.pk}/change-provider/",
            lambda ctx, role: {"provider": ctx.world.other.pk, "starts_on": "2026-04-01", "consent": "家属代签"},
        ),
        agreements_state,
        provider_changed,
        allowed=("community",),
        out_of_scope=("finance", "other_admin", "caregiver"),
        arrange=add_open_agreement,
    ),
    Write(
        "re-issue a service card",
        post(lambda ctx: "/api/v1/cards/issue/", lambda ctx, role: {"elder": ctx.world.elder.pk, "reason": "卡片遗失"}),
        agreements_state,
        card_reissued,
        allowed=("community", "admin"),
        out_of_scope=("other_admin", "caregiver"),  # a caregiver sees only the elders it visits
        arrange=add_card,
    ),
    # satisfaction surveys and rectifications
    Write(
        "open a satisfaction survey",
        post(
            lambda ctx: "/api/v1/satisfaction-surveys/",
            lambda ctx, role: {"provider": ctx.p.pk, "street": ctx.tree.street_a.pk, "quarter": "2026Q1"},
        ),
        quality_state,
        survey_opened,
        allowed=("town",),
    ),
    Write(
        "enter one elder's answer",
        post(
            lambda ctx: f"/api/v1/satisfaction-surveys/{ctx.survey.pk}/answers/",
            lambda ctx, role: {"elder": ctx.world.elder.pk, "satisfied": False, "asked_on": "2026-03-09"},
        ),
        quality_state,
        answer_recorded,
        allowed=("town",),
        out_of_scope=("community", "other_admin"),
        arrange=open_survey,
    ),
    Write(
        "import the answers from a spreadsheet",
        post(
            lambda ctx: f"/api/v1/satisfaction-surveys/{ctx.survey.pk}/import/",
            lambda ctx, role: {
                "file": sheet(
                    [
                        [ctx.world.elder.id_number, ctx.world.elder.name, "满意", "2026-03-09", ""],
                        [ctx.world.elder2.id_number, ctx.world.elder2.name, "不满意", "2026-03-09", "上门迟到"],
                    ]
                )
            },
            fmt="multipart",
        ),
        quality_state,
        answers_imported,
        allowed=("town",),
        out_of_scope=("community", "other_admin"),
        arrange=open_survey,
    ),
    Write(
        "submit a survey below 80 %",
        post(lambda ctx: f"/api/v1/satisfaction-surveys/{ctx.survey.pk}/submit/"),
        quality_state,
        survey_submitted,
        allowed=("town",),
        out_of_scope=("community", "other_admin"),
        arrange=four_answers,
    ),
    Write(
        "answer a rectification with evidence",
        post(
            lambda ctx: f"/api/v1/rectifications/{ctx.rect.pk}/answer/",
            lambda ctx, role: {"text": "已更换护理员并培训", "evidence": pdf()},
            fmt="multipart",
        ),
        quality_state,
        rectification_moved(Rectification.Status.ANSWERED, "answer", "已更换护理员并培训"),
        allowed=("admin",),
        out_of_scope=("community", "other_admin"),
        arrange=open_rectification,
    ),
    Write(
        "accept a rectification",
        post(lambda ctx: f"/api/v1/rectifications/{ctx.rect.pk}/accept/", lambda ctx, role: {"text": "整改到位"}),
        quality_state,
        rectification_moved(Rectification.Status.RESOLVED, "accept", "整改到位"),
        allowed=("town",),
        out_of_scope=("community", "other_admin"),
        arrange=answered_rectification,
    ),
    Write(
        "reject a rectification",
        post(lambda ctx: f"/api/v1/rectifications/{ctx.rect.pk}/reject/", lambda ctx, role: {"text": "缺少培训记录"}),
        quality_state,
        rectification_moved(Rectification.Status.OPEN, "reject", "缺少培训记录"),
        allowed=("town",),
        out_of_scope=("community", "other_admin"),
        arrange=answered_rectification,
    ),
]


@pytest.mark.parametrize(
    ("write", "role"), [(w, role) for w in WRITES for role in w.allowed], ids=lambda x: getattr(x, "name", x)
)
def test_the_allowed_role_writes(ctx, write, role):
    write.arrange(ctx)
    response = write.call(ctx, api(ctx.who[role]), role)
    assert 200 <= response.status_code < 300, response.content.decode()
    write.done(ctx, response, role)


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
def test_every_other_role_is_refused_and_nothing_is_written(ctx, write):
    write.arrange(ctx)
    before = write.state(ctx)
    answers, messages = {}, {}
    for role in write.refused:
        response = write.call(ctx, api(ctx.who[role]), role)
        answers[role] = response.status_code
        messages[role] = bool(response.json().get("detail"))
        assert write.state(ctx) == before, f"{role} changed something"
    assert answers == write.refused
    assert all(messages.values()), messages


# --- the supervisor reads what the others write ------------------------------------------------


SUPERVISOR_READS = {
    "/api/v1/providers/{p}/": lambda ctx, body: body["status"] == "contracted",
    "/api/v1/providers/{p}/scorecard/?quarter=2025Q4": lambda ctx, body: body["quarter"] == "2025Q4",
    "/api/v1/contracts/": lambda ctx, body: [c["number"] for c in body["results"]] == ["JD-2025-01"],
    "/api/v1/caregivers/{cg}/": lambda ctx, body: body["phone"] == "139****0000",
    "/api/v1/service-items/{item}/": lambda ctx, body: body["price"] == "50.00",
    "/api/v1/agreements/": lambda ctx, body: body["count"] == 4,
    "/api/v1/work-orders/": lambda ctx, body: [o["id"] for o in body["results"]] == [ctx.order.pk],
    "/api/v1/satisfaction-surveys/{survey}/": lambda ctx, body: body["rate"] == "75.0",
    "/api/v1/rectifications/": lambda ctx, body: [x["id"] for x in body["results"]] == [ctx.rect.pk],
}


@pytest.mark.parametrize("url", SUPERVISOR_READS)
def test_the_supervisor_reads_what_it_may_not_write(ctx, url):
    add_contract(ctx)
    add_booked_order(ctx)
    open_rectification(ctx)
    filled = url.format(p=ctx.p.pk, cg=ctx.world.caregiver.pk, item=ctx.world.item.pk, survey=ctx.survey.pk)
    response = api(ctx.who["supervisor"]).get(filled)
    assert response.status_code == 200
    assert SUPERVISOR_READS[url](ctx, response.json()), response.json()


# --- bookings the API refuses, whoever books -----------------------------------------------------


def book(ctx, role, **body):
    data = {"elder": ctx.world.elder.pk, "item": ctx.world.item.pk, "scheduled_at": TOMORROW_9, **body}
    return api(ctx.who[role]).post("/api/v1/work-orders/", data, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")


@pytest.mark.parametrize("role", ["community", "admin"])
def test_a_past_date_is_refused(ctx, role):
    r = book(ctx, role, scheduled_at="2026-03-10T08:00:00+08:00")  # half an hour ago
    assert (r.status_code, r.json()["detail"]) == (400, "上门服务须提前预约：请选择晚于现在的时间。")
    assert not WorkOrder.objects.exists()


def test_an_item_outside_the_elders_agreement_is_refused(ctx):
    """The other provider's item: the elder signed with this provider only."""
    foreign = make_item(ctx.world.other, name="助洁：深度清洁", price="80.00")
    r = book(ctx, "community", item=foreign.pk)
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert ctx.world.elder.name in r.json()["detail"] and ctx.world.other.name in r.json()["detail"]
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("role", ["community", "admin"])
def test_a_caregiver_without_the_required_certificate_is_refused(ctx, role):
    rehab = make_item(ctx.p, name="康复护理：肢体训练", price="120.00", certificate_kind="rehabilitation")
    Certificate.objects.create(
        caregiver=ctx.world.caregiver, kind="rehabilitation", number="KF-0", valid_until=datetime.date(2026, 3, 10)
    )  # expires the day before the visit
    r = book(ctx, role, item=rehab.pk, caregiver=ctx.world.caregiver.pk)
    assert (r.status_code, r.json()["code"]) == (409, "certificate_missing")
    assert "2026-03-11" in r.json()["detail"] and ctx.world.caregiver.name in r.json()["detail"]
    assert not WorkOrder.objects.exists()
    Certificate.objects.create(
        caregiver=ctx.world.caregiver, kind="rehabilitation", number="KF-1", valid_until=datetime.date(2027, 3, 10)
    )
    r = book(ctx, role, item=rehab.pk, caregiver=ctx.world.caregiver.pk)
    assert r.status_code == 201
    order = WorkOrder.objects.get()
    assert (order.status, order.caregiver, order.price) == (S.ASSIGNED, ctx.world.caregiver, Money("120.00", "CNY"))


def test_assigning_a_caregiver_without_the_certificate_is_refused(ctx):
    rehab = make_item(ctx.p, name="康复护理：肢体训练", price="120.00", certificate_kind="rehabilitation")
    order = WorkOrder.objects.create(
        elder=ctx.world.elder,
        provider=ctx.p,
        item=rehab,
        price=rehab.price,
        scheduled_at=datetime.datetime(2026, 3, 12, 9, tzinfo=SHANGHAI),
        booked_via=WorkOrder.BookedVia.PROVIDER,
        booked_by=ctx.who["admin"],
        status=S.BOOKED,
    )
    r = api(ctx.who["admin"]).post(
        f"/api/v1/work-orders/{order.pk}/assign/", {"caregiver": ctx.world.caregiver.pk}, format="json"
    )
    assert (r.status_code, r.json()["code"]) == (409, "certificate_missing")
    order.refresh_from_db()
    assert (order.status, order.caregiver) == (S.BOOKED, None)


def zh(english: str) -> str:
    with translation.override("zh-hans"):
        chinese = translation.gettext(english)
    assert chinese != english, f"no Chinese for {english!r}"
    return chinese


def test_refusals_are_in_the_users_language(ctx):
    """A refused card, an object outside the scope, a wrong password: each says why in Chinese."""
    r = api(ctx.who["town"]).post(
        "/api/v1/cards/issue/", {"elder": ctx.world.elder.pk, "reason": "卡片遗失"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert (r.status_code, r.json()["detail"]) == (
        403,
        zh("Only the elder's community or their provider may issue the elder's card."),
    )
    add_open_agreement(ctx)
    r = api(ctx.who["other_admin"]).get(f"/api/v1/agreements/{ctx.agreement.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert (r.status_code, r.json()["detail"]) == (404, zh("Not found."))
    r = APIClient().post(
        "/api/v1/auth-token/",
        {"username": ctx.who["caregiver"].username, "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert (r.status_code, r.json()["detail"]) == (400, zh("Unable to log in with provided credentials."))
