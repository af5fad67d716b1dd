"""The caregiver's visit page: what the visit costs before and after check-out, the confirmation
asked before a check-out that will not be paid, and the elder's confirmation (code or signature)."""

import base64
import datetime
import io
import re

import pytest
import segno
from django.core.cache import cache
from django.urls import reverse
from djmoney.money import Money

from providers.models import CheckRequest, WorkOrder, WorkOrderEvent
from tests.vouchers.factories import grant
from vouchers.models import Account
from vouchers.services import account_for_elder, personal_deposit

from .conftest import START
from .factories import elder_code, make_order

S = WorkOrder.Status
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The rate limits count in the cache, which outlives a test's database."""
    cache.clear()
    yield
    cache.clear()


def yuan(amount) -> str:
    return f"¥{amount:.2f}"


def figure(html: str, name: str) -> str:
    """The text of the figure `#charge-<name>` on the page."""
    found = re.search(rf'id="charge-{name}">([^<]*)<', html)
    assert found, f"#charge-{name} is not on the page"
    return found.group(1)


def balance(elder, kind):
    return account_for_elder(elder=elder, kind=kind).balance.amount


def post(client, order, **data):
    return client.post(reverse("providers:visit", args=[order.pk]), data)


def checked_in(world, client, order):
    r = post(client, order, action="check_in", code=world.code, request_id=f"in-{order.pk}")
    assert r.status_code == 302
    assert WorkOrder.objects.get(pk=order.pk).status == S.IN_PROGRESS


@pytest.fixture
def visit(world, client, tree):
    """An hour visit of 50 yuan booked for now; the elder holds 30 yuan of subsidy and 12 yuan on
    the personal account: the subsidy pays what it holds, the personal account what it can, cash
    the rest."""
    grant(world.elder, "2026-03", "30.00", tree)
    personal_deposit(elder=world.elder, amount=Money("12.00", "CNY"), idempotency_key="family-deposit")
    client.force_login(world.caregiver.user)
    return make_order(world, at=START)


def test_the_page_shows_price_subsidy_and_copay_before_and_after_check_out(world, client, clock, visit):
    price = visit.price.amount
    subsidy_before = balance(world.elder, Account.Kind.SUBSIDY)
    personal_before = balance(world.elder, Account.Kind.PERSONAL)
    # Subsidy first (what the account holds), then the personal account, then cash at the door.
    subsidy = min(price, subsidy_before)
    personal = min(price - subsidy, personal_before)
    cash = price - subsidy - personal

    html = client.get(reverse("providers:visit", args=[visit.pk])).content.decode()
    assert figure(html, "price") == yuan(price)
    assert figure(html, "subsidy") == yuan(subsidy)
    assert figure(html, "copay") == yuan(personal + cash)
    assert figure(html, "cash") == yuan(cash)

    checked_in(world, client, visit)
    clock.shift(datetime.timedelta(hours=1, minutes=5))
    html = client.get(reverse("providers:visit", args=[visit.pk])).content.decode()
    assert "老人确认码（卡背面）" in html and 'id="signature-pad"' in html
    assert figure(html, "copay") == yuan(personal + cash)

    r = post(
        client,
        visit,
        action="check_out",
        code=world.code,
        request_id="out-1",
        elder_code=elder_code(world.elder),
        notes="打扫了厨房",
    )
    assert r.status_code == 302
    html = client.get(r["Location"]).content.decode()
    assert "已签退，本次服务已结算。" in html and "本次服务结算" in html
    assert figure(html, "subsidy") == yuan(subsidy)
    assert figure(html, "copay") == yuan(personal + cash)
    assert figure(html, "cash") == yuan(cash)
    # What the page says was charged is what left the accounts.
    assert balance(world.elder, Account.Kind.SUBSIDY) == subsidy_before - subsidy
    assert balance(world.elder, Account.Kind.PERSONAL) == personal_before - personal


def test_a_short_check_out_is_confirmed_first_and_then_not_paid(world, client, clock, visit):
    checked_in(world, client, visit)
    clock.shift(datetime.timedelta(minutes=40))
    events = WorkOrderEvent.objects.filter(order=visit).count()
    subsidy_before = balance(world.elder, Account.Kind.SUBSIDY)
    data = {
        "action": "check_out",
        "code": world.code,
        "request_id": "out-short",
        "elder_code": elder_code(world.elder),
        "notes": "老人身体不适，提前结束",
    }

    r = post(client, visit, **data)

    # Nothing written: the page asks first, with what the caregiver entered.
    assert r.status_code == 409
    html = r.content.decode()
    warning = html[html.index('id="unpaid-warning"') : html.index('id="check-out-unpaid"')]
    assert "40" in warning  # the service's reason: a visit of 40 minutes
    assert "确认签退（本次不结算）" in html and 'name="accept_unpaid" value="1"' in html
    assert 'value="out-short"' in html and f'value="{data["elder_code"]}"' in html and data["notes"] in html
    visit.refresh_from_db()
    assert visit.status == S.IN_PROGRESS and visit.checked_out_at is None and visit.notes == ""
    assert WorkOrderEvent.objects.filter(order=visit).count() == events
    assert not CheckRequest.objects.filter(key="out-short").exists()
    assert not WorkOrder.objects.filter(reservice_of=visit).exists()

    r = post(client, visit, accept_unpaid="1", **data)

    assert r.status_code == 302
    visit.refresh_from_db()
    assert visit.status == S.SHORT and visit.redemption is None
    again = WorkOrder.objects.get(reservice_of=visit)
    assert balance(world.elder, Account.Kind.SUBSIDY) == subsidy_before
    html = client.get(r["Location"]).content.decode()
    assert "本次服务不足一小时：不结算，将重新服务。" in html  # the message of the check-out
    assert 'id="not-paid"' in html and "本次不结算：服务时长不足一小时。" in html
    assert f"{again.scheduled_at.astimezone(START.tzinfo):%Y-%m-%d %H:%M}" in html
    assert 'id="charge"' not in html


def test_a_check_out_without_the_elders_confirmation_is_held_once_accepted(world, client, clock, visit):
    checked_in(world, client, visit)
    clock.shift(datetime.timedelta(hours=1, minutes=2))
    data = {"action": "check_out", "code": world.code, "request_id": "out-held"}

    r = post(client, visit, **data)

    assert r.status_code == 409
    html = r.content.decode()
    assert 'id="unpaid-warning"' in html and 'id="unpaid-reasons"' in html
    assert WorkOrder.objects.get(pk=visit.pk).status == S.IN_PROGRESS

    r = post(client, visit, accept_unpaid="1", **data)

    assert WorkOrder.objects.get(pk=visit.pk).status == S.HELD
    html = client.get(r["Location"]).content.decode()
    assert "本次暂不结算：服务已挂起待审核。" in html
    my = client.get(reverse("providers:my_visits")).content.decode()
    assert "visit-held" in my and "暂不结算：挂起待审核。" in my


def test_the_elders_one_time_code_pays_the_visit(world, client, clock, visit):
    checked_in(world, client, visit)
    clock.shift(datetime.timedelta(hours=1, minutes=1))

    r = post(
        client, visit, action="check_out", code=world.token, request_id="out-code", elder_code=elder_code(world.elder)
    )

    assert r.status_code == 302
    visit.refresh_from_db()
    assert visit.status == S.COMPLETED and visit.redemption is not None
    assert visit.confirmed_by == WorkOrder.Confirmation.CODE


def test_a_signature_drawn_on_the_phone_pays_the_visit(world, client, clock, visit):
    checked_in(world, client, visit)
    clock.shift(datetime.timedelta(hours=1, minutes=1))
    png = io.BytesIO()
    segno.make("签名").save(png, kind="png", scale=4)
    signature = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()

    r = post(client, visit, action="check_out", code=world.code, request_id="out-sig", signature=signature)

    assert r.status_code == 302
    visit.refresh_from_db()
    assert visit.status == S.COMPLETED and visit.confirmed_by == WorkOrder.Confirmation.SIGNATURE
    assert visit.signature.read().startswith(b"\x89PNG")


def test_a_wrong_one_time_code_is_refused_with_the_values_kept(world, client, clock, visit):
    checked_in(world, client, visit)
    clock.shift(datetime.timedelta(hours=1, minutes=1))

    r = post(client, visit, action="check_out", code=world.code, request_id="out-wrong", elder_code="000000")

    assert r.status_code == 403
    html = r.content.decode()
    assert "alert-danger" in html and 'value="out-wrong"' in html and 'value="000000"' in html
    assert WorkOrder.objects.get(pk=visit.pk).status == S.IN_PROGRESS


def test_the_page_offers_the_photo_scanner_and_works_without_javascript(world, client, visit):
    html = client.get(reverse("providers:visit", args=[visit.pk])).content.decode()
    assert 'type="file"' in html and 'accept="image/*"' in html and 'capture="environment"' in html
    assert "拍照扫码" in html and "vendor/jsqr/jsQR.js" in html
    # A plain form post: the method, the CSRF token and what to do are in the form itself.
    assert re.search(r'<form method="post" id="visit-form"', html)
    assert 'name="action" value="check_in"' in html and 'name="csrfmiddlewaretoken"' in html


def test_my_visits_lists_the_days_visits_with_their_status(world, client, visit):
    held = make_order(world, elder=world.elder2, at=START - datetime.timedelta(days=2), status=S.HELD)
    html = client.get(reverse("providers:my_visits")).content.decode()
    assert reverse("providers:visit", args=[visit.pk]) in html and "status-assigned" in html
    assert "挂起待审核的服务" in html and reverse("providers:visit", args=[held.pk]) in html
