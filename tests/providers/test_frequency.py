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


def order(world, elder, month, day, *, year=2026, item=None) -> WorkOrder:
    """A completed visit of an hour at 09:00 on that day (not saved)."""
    item = item or world.item
    at = datetime.datetime(year, month, day, 9, tzinfo=SHANGHAI)
    return WorkOrder(
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


def visits(world, elder, year, month, n, item=None):
    for i in range(n):
        order(world, elder, month, 1 + i, year=year, item=item).save()


def report_missed(users, month):
    report = quality.visit_frequency_report(user=users["district"], month=month)
    return {name: n for name, n in report.missed_by_provider.items() if n}


def judged(users, month, elder):
    """The elder's month as the district's report judges it, listed or not."""
    return quality.elder_frequency(user=users["district"], month=month, elder=elder)


def test_september_made_up_by_october_on_top_of_its_own_minimum(november, tree, users):
    elder = in_difficulty(tree)
    sign(november, elder)
    assess(elder, "disabled", datetime.date(2025, 7, 1), users["assessor"])
    visits(november, elder, 2026, 9, 2)
    visits(november, elder, 2026, 10, 6)  # its own 4 and September's 2
    row = judged(users, SEPTEMBER, elder)
    assert (row.minimum, row.done, row.status) == (4, 2, "made_up")
    assert row.below and row.listed  # below September's own minimum, but not missed
    assert report_missed(users, SEPTEMBER) == {november.provider.name: 2}  # the two 80+ elders only
    october = judged(users, Month(2026, 10), elder)
    assert october.previous.status == "made_up" and october.status == "ok"


def test_september_missed_when_october_only_meets_its_own(november, tree, users):
    elder = in_difficulty(tree)
    sign(november, elder)
    assess(elder, "disabled", datetime.date(2025, 7, 1), users["assessor"])
    visits(november, elder, 2026, 9, 2)
    visits(november, elder, 2026, 10, 4)
    report = quality.visit_frequency_report(user=users["district"], month=SEPTEMBER)
    assert judged(users, report.month, elder).status == "missed"
    assert elder.pk in [r.elder.pk for r in report.rows if r.below]
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
    row = judged(users, Month(2026, 10), elder)
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
    assert judged(users, report.month, ended) is None and judged(users, report.month, starts) is None
    assert judged(users, report.month, held).minimum == rules.DIFFICULTY_MINIMUM["self_care"]
    assert judged(users, Month(2026, 10), starts)


def test_care_level_changed_in_october_judges_september_by_septembers(november, tree, users):
    elder = in_difficulty(tree)
    sign(november, elder)
    assess(elder, "semi_disabled", datetime.date(2025, 7, 1), users["assessor"])
    assess(elder, "disabled", datetime.date(2026, 10, 1), users["assessor"])
    visits(november, elder, 2026, 9, 2)
    visits(november, elder, 2026, 10, 4)
    september = judged(users, SEPTEMBER, elder)
    assert (september.minimum, september.status) == (2, "ok")
    october = judged(users, Month(2026, 10), elder)
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
    assert (judged(users, december.month, two).items_this_year, judged(users, december.month, two).items_short) == (
        2,
        True,
    )
    assert (judged(users, december.month, three).items_this_year, judged(users, december.month, three).items_short) == (
        3,
        False,
    )
    flagged = {r.elder.pk for r in december.rows if r.items_short}
    assert two.pk in flagged and three.pk not in flagged
    page = november_page(users, Month(2026, 12))
    assert "2 / 3" in page
    # During the year the count runs but nobody is flagged.
    june = quality.visit_frequency_report(user=users["district"], month=Month(2026, 6))
    assert judged(users, june.month, two).items_this_year == 2 and not any(r.items_short for r in june.rows)


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
        return len(ctx.captured_queries), report.judged

    # Given two elders below the minimum, then four more (the viewer's scope read once before)
    served(2)
    queries()
    few, rows_few = queries()
    served(4)
    many, rows_many = queries()
    # Then the report reads them with the same queries
    assert rows_many - rows_few == 4  # the world's own two elders are served too
    assert many == few


def test_the_minimum_of_each_care_level_and_age_is_the_policys(november, tree, users):
    # Given elders in difficulty of each care level, one unassessed, and an 80-year-old assessed
    # semi-disabled in difficulty (the higher minimum wins), each served once in September
    cases = {}
    for level in ("self_care", "semi_disabled", "disabled", None):
        elder = in_difficulty(tree)
        if level:
            assess(elder, level, datetime.date(2025, 7, 1), users["assessor"])
        cases[elder] = rules.DIFFICULTY_MINIMUM[level or "self_care"]
    old = ElderFactory(community=tree.a1, birth_date=datetime.date(1946, 9, 30), categories=["dibao"])
    assess(old, "semi_disabled", datetime.date(2025, 7, 1), users["assessor"])
    cases[old] = max(rules.DIFFICULTY_MINIMUM["semi_disabled"], rules.HIGH_AGE_MINIMUM)
    for elder in cases:
        sign(november, elder)
        visits(november, elder, 2026, 9, 1)
    # Then each month's minimum is the policy's: 1 / 2 / 4 by care level, self-care unassessed
    for elder, minimum in cases.items():
        row = judged(users, SEPTEMBER, elder)
        assert (row.minimum, row.done) == (minimum, 1)
        assert row.status == ("ok" if minimum == 1 else "missed")
    assert [cases[e] for e in cases] == [1, 2, 4, 1, 2]


def test_eighty_is_reached_on_the_birthday_within_the_month(november, tree, users):
    # Given two elders out of difficulty, one turning 80 on 30 September, one on 1 October
    turns = ElderFactory(community=tree.a1, birth_date=datetime.date(1946, 9, 30))
    later = ElderFactory(community=tree.a1, birth_date=datetime.date(1946, 10, 1))
    for elder in (turns, later):
        sign(november, elder)
    # Then September has a minimum of one visit for the first only (the age on its last day)
    assert judged(users, SEPTEMBER, turns).minimum == rules.HIGH_AGE_MINIMUM
    assert judged(users, SEPTEMBER, later) is None
    assert judged(users, Month(2026, 10), later).minimum == rules.HIGH_AGE_MINIMUM


def test_the_tallies_count_each_status_and_the_listed_elders_page_by_fifty(november, tree, users):
    # Given 55 disabled elders in difficulty, each served twice in September (4 due) and, for
    # every fifth, six times in October (made up), the others four times (missed); three served
    # four times (met)
    short, met = [], []
    for _ in range(55):
        elder = in_difficulty(tree)
        sign(november, elder)
        assess(elder, "disabled", datetime.date(2025, 7, 1), users["assessor"])
        short.append(elder)
    WorkOrder.objects.bulk_create(
        [order(november, elder, 9, day) for elder in short for day in (1, 2)]
        + [order(november, elder, 10, day) for n, elder in enumerate(short) for day in range(1, 7 if n % 5 == 0 else 5)]
    )
    for _ in range(3):
        elder = in_difficulty(tree)
        sign(november, elder)
        assess(elder, "disabled", datetime.date(2025, 7, 1), users["assessor"])
        visits(november, elder, 2026, 9, 4)
        visits(november, elder, 2026, 10, 4)
        met.append(elder)
    # When the district reads September's report, its first page, its second and one past the last
    report = quality.visit_frequency_report(user=users["district"], month=SEPTEMBER)
    second = quality.visit_frequency_report(user=users["district"], month=SEPTEMBER, page=2)
    past = quality.visit_frequency_report(user=users["district"], month=SEPTEMBER, page=9)
    # Then the world's two 80+ elders and the 55 are listed, fifty a page, by community and name
    assert report.listed_count == 57 and report.judged == 60
    assert (len(report.rows), len(second.rows), past.page.number, len(past.rows)) == (50, 7, 2, 7)
    listed = [r.elder for r in report.rows + second.rows]
    assert listed == sorted(listed, key=lambda e: (e.community_id, e.name, e.pk))
    assert not {e.pk for e in met} & {e.pk for e in listed}
    # And the tallies count each elder's status: 11 made up, 44 and the two 80+ missed, 3 met
    name = november.provider.name
    assert report.statuses_by_provider[name] == {"made_up": 11, "missed": 46, "ok": 3}
    assert report.by_provider[name] == [60, 57] and report.missed_by_provider[name] == 46
    assert report.by_community[tree.a1.name] == [60, 57]
    # And the exports' batches give every listed elder once, in the same order
    batches = list(quality.listed_in_batches(user=users["district"], month=SEPTEMBER, batch=20))
    assert [len(b) for b in batches] == [20, 20, 17]
    assert [r.elder.pk for b in batches for r in b] == [e.pk for e in listed]
    # And the page shows the pager
    page = november_page(users, SEPTEMBER)
    assert 'data-count="57"' in page
    # And its tables give each provider's and community's elders, below the minimum and missed
    assert f"<tr><td>{name}</td><td>60</td><td>57</td><td>46</td></tr>" in page
    assert f"<tr><td>{tree.a1.name}</td><td>60</td><td>57</td><td>46</td></tr>" in page
