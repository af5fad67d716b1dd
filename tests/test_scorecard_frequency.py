"""Visit frequency in the provider's quarterly score: a month met at the minimum or made up the next
month counts as met, a missed month (未达标) as not met, a month not yet judgeable as pending."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from eldercare.models import Role
from eldercare.periods import Quarter
from providers import scorecard
from providers.models import ServiceAgreement, WorkOrder
from subsidies.standards.models import Assessment
from tests.factories import ElderFactory, user_with_role
from tests.providers.factories import make_caregiver, make_item, make_provider

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
Q3 = Quarter(2026, 3)
OCTOBER_OVER = datetime.datetime(2026, 11, 10, 9, tzinfo=SHANGHAI)
OCTOBER_OPEN = datetime.datetime(2026, 10, 20, 9, tzinfo=SHANGHAI)


@pytest.fixture
def served(tree, users):
    """A provider serving one disabled elder in difficulty (minimum 4 visits a month) since September."""
    provider = make_provider(tree, name="频次测试服务中心")
    caregiver = make_caregiver(provider)
    item = make_item(provider)
    elder = ElderFactory(community=tree.a1, birth_date=datetime.date(1955, 1, 1), categories=["dibao"])
    Assessment.objects.create(
        elder=elder,
        assessed_on=datetime.date(2025, 6, 10),
        effective_from=datetime.date(2025, 7, 1),
        assessor=users["assessor"],
        instrument="MZ/T 039",
        instrument_level="disabled",
        care_level="disabled",
    )
    ServiceAgreement.objects.create(elder=elder, provider=provider, signed_on=datetime.date(2026, 9, 1))

    def visits(month: int, n: int) -> None:
        for day in range(1, n + 1):
            at = datetime.datetime(2026, month, day, 9, tzinfo=SHANGHAI)
            WorkOrder.objects.create(
                elder=elder,
                provider=provider,
                item=item,
                price=item.price,
                scheduled_at=at,
                booked_via=WorkOrder.BookedVia.PROVIDER,
                booked_by=users["district"],
                caregiver=caregiver,
                status=WorkOrder.Status.COMPLETED,
                checked_in_at=at,
                checked_out_at=at + datetime.timedelta(hours=1),
            )

    provider.visits = visits
    return provider


def _frequency(card: scorecard.Scorecard) -> scorecard.Part:
    return next(p for p in card.parts if p.key == "visit_frequency")


def test_september_made_up_in_october_scores_the_frequency_part_full(served, users):
    served.visits(9, 2)
    served.visits(10, 6)  # October's own 4 and September's missing 2
    with time_machine.travel(OCTOBER_OVER, tick=False):
        card = scorecard.scorecard_for(provider=served, quarter=Q3, user=users["district"])
    part = _frequency(card)
    assert (part.numerator, part.denominator, part.value, part.weight) == (1, 1, Decimal("100.0"), 20)
    f = card.figures
    assert (f.elder_months_made_up, f.elder_months_missed, f.elder_months_pending) == (1, 0, 0)
    # Frequency 100 (weight 20) and no voided visit 100 (weight 10); the parts without data left out.
    assert card.score == Decimal("100.0")


def test_september_short_and_october_only_its_own_minimum_is_not_met(served, users):
    served.visits(9, 2)
    served.visits(10, 4)  # only October's own minimum: September is 未达标
    with time_machine.travel(OCTOBER_OVER, tick=False):
        card = scorecard.scorecard_for(provider=served, quarter=Q3, user=users["district"])
    part = _frequency(card)
    assert (part.numerator, part.denominator, part.value) == (0, 1, Decimal("0.0"))
    assert (card.figures.elder_months_missed, card.figures.elder_months_pending) == (1, 0)
    # (20 × 0 + 10 × 100) / 30 = 33.3
    assert card.score == Decimal("33.3")


def test_september_is_pending_not_met_while_october_is_open(served, users):
    served.visits(9, 2)
    served.visits(10, 3)  # so far: not yet made up, and October is not over
    with time_machine.travel(OCTOBER_OPEN, tick=False):
        card = scorecard.scorecard_for(provider=served, quarter=Q3, user=users["district"])
    part = _frequency(card)
    assert (part.numerator, part.denominator, part.value) == (0, 1, Decimal("0.0"))
    assert (card.figures.elder_months_pending, card.figures.elder_months_missed) == (1, 0)


def test_the_scorecard_page_shows_the_frequency_figures(served, users, client, tree):
    served.visits(9, 2)
    served.visits(10, 3)
    client.force_login(user_with_role(Role.DISTRICT_REVIEWER, tree.district))
    with time_machine.travel(OCTOBER_OPEN, tick=False):
        page = client.get(reverse("providers:scorecard", args=[served.pk, str(Q3)])).content.decode()
    assert 'data-part="visit_frequency"' in page and 'id="frequency-figures"' in page
    assert 'id="frequency-pending"' in page
