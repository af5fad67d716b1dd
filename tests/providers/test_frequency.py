"""Visit frequency: each month judged by its own care level and entitlement, made up only on top of
the next month's own minimum, and at least 3 different service items a person a year."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from eldercare.periods import Month
from providers import quality, rules
from providers.models import ServiceAgreement, WorkOrder
from subsidies.standards.models import Assessment, Entitlement
from tests.factories import ElderFactory
from tests.subsidies.factories import scheme_for

from .conftest import SHANGHAI
from .factories import make_item

S = WorkOrder.Status
pytestmark = pytest.mark.django_db

# Tuesday 10 November 2026: September and October have ended.
NOVEMBER = datetime.datetime(2026, 11, 10, 9, tzinfo=SHANGHAI)
SEPTEMBER = Month(2026, 9)


@pytest.fixture
def november(world, clock):
    clock.move_to(NOVEMBER)
    return world


def in_difficulty(tree):
    """A 71-year-old low-income elder (no high-age minimum): self-care until assessed otherwise."""
    return ElderFactory(community=tree.a1, birth_date=datetime.date(1955, 1, 1), categories=["dibao"])


def sign(world, elder, signed_on=datetime.date(2025, 1, 1), ends_on=None):
    return ServiceAgreement.objects.create(elder=elder, provider=world.provider, signed_on=signed_on, ends_on=ends_on)


def assess(elder, level, effective_from, by):
    return Assessment.objects.create(
        elder=elder,
        assessed_on=effective_from - datetime.timedelta(days=20),
        effective_from=effective_from,
        assessor=by,
        instrument="MZ/T 039",
        instrument_level=level,
        care_level=level,
    )


def entitle(tree, elder, start, end=None, by=None):
    return Entitlement.objects.create(
        elder=elder,
        scheme=scheme_for(tree.district),
        start_month=start,
        end_month=end,
        status=Entitlement.Status.ENDED if end else Entitlement.Status.ACTIVE,
        approved_at=timezone.now(),
        approved_by=by,
    )


def visits(world, elder, year, month, n, item=None):
    item = item or world.item
    for i in range(n):
        at = datetime.datetime(year, month, 1 + i, 9, tzinfo=SHANGHAI)
        WorkOrder.objects.create(
            elder=elder,
            provider=world.provider,
            item=item,
            price=item.price,
            scheduled_at=at,
            booked_via=WorkOrder.BookedVia.PROVIDER,
            booked_by=world.admin,
            caregiver=world.caregiver,
            status=S.COMPLETED,
            checked_in_at=at,
            checked_out_at=at + datetime.timedelta(hours=1),
        )


def report_missed(users, month):
    report = quality.visit_frequency_report(user=users["district"], month=month)
    return {name: n for name, n in report.missed_by_provider.items() if n}


def row_of(report, elder):
    return {r.elder.pk: r for r in report.rows}.get(elder.pk)


def test_september_made_up_by_october_on_top_of_its_own_minimum(november, tree, users):
    elder = in_difficulty(tree)
    sign(november, elder)
    assess(elder, "disabled", datetime.date(2025, 7, 1), users["assessor"])
    visits(november, elder, 2026, 9, 2)
    visits(november, elder, 2026, 10, 6)  # its own 4 and September's 2
    row = row_of(quality.visit_frequency_report(user=users["district"], month=SEPTEMBER), elder)
    assert (row.minimum, row.done, row.status) == (4, 2, "made_up")
    assert row.below and row.listed  # below September's own minimum, but not missed
    assert report_missed(users, SEPTEMBER) == {november.provider.name: 2}  # the two 80+ elders only
    october = row_of(quality.visit_frequency_report(user=users["district"], month=Month(2026, 10)), elder)
    assert october.previous.status == "made_up" and october.status == "ok"


def test_september_missed_when_october_only_meets_its_own(november, tree, users):
    elder = in_difficulty(tree)
    sign(november, elder)
    assess(elder, "disabled", datetime.date(2025, 7, 1), users["assessor"])
    visits(november, elder, 2026, 9, 2)
    visits(november, elder, 2026, 10, 4)
    report = quality.visit_frequency_report(user=users["district"], month=SEPTEMBER)
    assert row_of(report, elder).status == "missed"
    assert elder.pk in [r.elder.pk for r in report.below]
    page = november_page(users, SEPTEMBER)
    assert "未达标" in page and elder.name in page


def november_page(users, month):
    from django.test import Client

    client = Client()
    client.force_login(users["district"])
    response = client.get(reverse("providers:frequency"), {"month": str(month)})
    assert response.status_code == 200
    return response.content.decode()


def test_shortfall_pending_while_the_next_month_is_open(november, tree, users):
    elder = in_difficulty(tree)
    sign(november, elder)
    assess(elder, "disabled", datetime.date(2025, 7, 1), users["assessor"])
    visits(november, elder, 2026, 10, 2)
    visits(november, elder, 2026, 11, 5)  # November is still open: one more would make October up
    row = row_of(quality.visit_frequency_report(user=users["district"], month=Month(2026, 10)), elder)
    assert row.status == "pending" and row.below
    assert "可于下月补足" in november_page(users, Month(2026, 10))


def test_elder_without_agreement_is_not_counted(november, tree, users):
    alone = in_difficulty(tree)
    assess(alone, "disabled", datetime.date(2025, 7, 1), users["assessor"])
    ended = in_difficulty(tree)
    sign(november, ended, ends_on=datetime.date(2026, 8, 31))
    later = in_difficulty(tree)
    sign(november, later, signed_on=datetime.date(2026, 10, 1))
    report = quality.visit_frequency_report(user=users["district"], month=SEPTEMBER)
    counted = {r.elder.pk for r in report.rows}
    assert not counted & {alone.pk, ended.pk, later.pk}
    # world.elder and world.elder2 (80+, agreements since 2025) are the only ones counted.
    assert counted == {november.elder.pk, november.elder2.pk}
    assert report.by_community[tree.a1.name] == [2, 2]
    assert report.missed_by_community[tree.a1.name] == 2  # nothing in September or October


def test_entitlement_in_force_that_month(november, tree, users):
    ended = in_difficulty(tree)
    sign(november, ended)
    entitle(tree, ended, datetime.date(2025, 1, 1), datetime.date(2026, 8, 1), by=users["district"])
    starts = in_difficulty(tree)
    sign(november, starts)
    entitle(tree, starts, datetime.date(2026, 10, 1), by=users["district"])
    held = in_difficulty(tree)
    sign(november, held)
    entitle(tree, held, datetime.date(2026, 1, 1), by=users["district"])
    report = quality.visit_frequency_report(user=users["district"], month=SEPTEMBER)
    assert row_of(report, ended) is None and row_of(report, starts) is None
    assert row_of(report, held).minimum == rules.DIFFICULTY_MINIMUM["self_care"]
    assert row_of(quality.visit_frequency_report(user=users["district"], month=Month(2026, 10)), starts)


def test_care_level_changed_in_october_judges_september_by_septembers(november, tree, users):
    elder = in_difficulty(tree)
    sign(november, elder)
    assess(elder, "semi_disabled", datetime.date(2025, 7, 1), users["assessor"])
    assess(elder, "disabled", datetime.date(2026, 10, 1), users["assessor"])
    visits(november, elder, 2026, 9, 2)
    visits(november, elder, 2026, 10, 4)
    september = row_of(quality.visit_frequency_report(user=users["district"], month=SEPTEMBER), elder)
    assert (september.minimum, september.status) == (2, "ok")
    october = row_of(quality.visit_frequency_report(user=users["district"], month=Month(2026, 10)), elder)
    assert (october.minimum, october.status) == (4, "ok")


def test_fewer_than_three_different_items_in_a_year_is_flagged(november, tree, users, clock):
    clock.move_to(datetime.datetime(2027, 1, 12, 9, tzinfo=SHANGHAI))
    meal = make_item(november.provider, name="助餐：送餐上门", kind="meal")
    care = make_item(november.provider, name="生活照料：洗浴", kind="personal_care")
    cleaning_again = make_item(november.provider, name="助洁：厨房清洁", kind="cleaning")
    two = in_difficulty(tree)
    three = in_difficulty(tree)
    for elder in (two, three):
        sign(november, elder)
        visits(november, elder, 2026, 3, 1)  # cleaning
        visits(november, elder, 2026, 6, 1, item=meal)
        visits(november, elder, 2026, 12, 1, item=cleaning_again)  # cleaning again: not a new item
    visits(november, three, 2026, 9, 1, item=care)
    december = quality.visit_frequency_report(user=users["district"], month=Month(2026, 12))
    assert december.year_ended
    assert (row_of(december, two).items_this_year, row_of(december, two).items_short) == (2, True)
    assert (row_of(december, three).items_this_year, row_of(december, three).items_short) == (3, False)
    flagged = {r.elder.pk for r in december.items_short}
    assert two.pk in flagged and three.pk not in flagged
    page = november_page(users, Month(2026, 12))
    assert "2 / 3" in page
    # During the year the count runs but nobody is flagged.
    june = quality.visit_frequency_report(user=users["district"], month=Month(2026, 6))
    assert row_of(june, two).items_this_year == 2 and not june.items_short


def test_rules_of_the_year_and_the_next_month():
    assert rules.MIN_DISTINCT_ITEMS_A_YEAR == 3
    assert rules.items_short_of_year(distinct_items=2, year_ended=True)
    assert not rules.items_short_of_year(distinct_items=3, year_ended=True)
    assert not rules.items_short_of_year(distinct_items=0, year_ended=False)
    sep, oct_ = rules.month_compliance([4, 4], [2, 6], open_from=None)
    assert sep.status == "made_up"
    (sep, oct_) = rules.month_compliance([4, 4], [2, 4])
    assert sep.status == "missed"
    sep, oct_ = rules.month_compliance([4, 4], [2, 4], open_from=1)
    assert sep.status == "pending" and oct_.status == "ok"


def test_the_report_makes_as_many_queries_for_two_elders_as_for_six(november, tree, users):
    def served(n):
        for _ in range(n):
            elder = in_difficulty(tree)
            sign(november, elder)
            visits(november, elder, 2026, 9, 1)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            report = quality.visit_frequency_report(user=users["district"], month=SEPTEMBER)
        return len(ctx.captured_queries), len(report.rows)

    # Given two elders below the minimum, then four more (the viewer's scope read once before)
    served(2)
    queries()
    few, rows_few = queries()
    served(4)
    many, rows_many = queries()
    # Then the report reads them with the same queries
    assert rows_many - rows_few == 4  # the world's own two elders are served too
    assert many == few
