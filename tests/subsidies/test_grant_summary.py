"""The grant summary the run report reads equals the grant table, whatever happened to the month:
a run, a rerun, a run interrupted then completed, a grant booked outside the run, a recovery.
The changes against last month, worked out in SQL, are those of the grants one by one."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eldercare.models import Role
from eldercare.periods import Month
from subsidies.standards.models import Assessment, Grant, GrantSummary
from subsidies.standards.selectors import ChangeList, run_report
from subsidies.standards.services.entitlements import entitlement_end
from subsidies.standards.services.run import RunInterrupted, run_month
from tests.factories import user_with_role
from tests.vouchers.factories import grant as grant_outside_the_run
from vouchers.models import LedgerEntry, LedgerTransaction

from .policy_factories import entitled_elder, schemes
from .test_monthly_run import _population

DEC = Month(2026, 12)
JAN = Month(2027, 1)


def _from_grants() -> dict:
    rows = (
        Grant.objects.filter(recovery__isnull=True)
        .values("month", "community_id", "care_level", "categories")
        .annotate(n=Count("id"), s=Sum("amount"), d=Sum("district_share"), t=Sum("town_share"))
    )
    return {
        (r["month"], r["community_id"], r["care_level"], r["categories"]): (r["n"], r["s"], r["d"], r["t"])
        for r in rows
    }


def _from_summary() -> dict:
    return {
        (s.month, s.community_id, s.care_level, s.categories): (s.people, s.amount, s.district_share, s.town_share)
        for s in GrantSummary.objects.filter(people__gt=0)
    }


def _assert_summary_is_the_grants():
    grants = _from_grants()
    assert grants, "the scenario wrote no grant"
    assert _from_summary() == grants


@pytest.mark.django_db
def test_the_summary_equals_the_grants_after_a_run_and_a_rerun(tree):
    _population(tree)
    run_month(month=DEC, chunk_size=2)
    _assert_summary_is_the_grants()
    run_month(month=DEC)  # nothing new: nothing added twice
    _assert_summary_is_the_grants()
    assert sum(s.people for s in GrantSummary.objects.all()) == 4


@pytest.mark.django_db
def test_the_summary_equals_the_grants_after_an_interrupted_run_is_completed(tree):
    _population(tree)
    with pytest.raises(RunInterrupted):
        run_month(month=DEC, chunk_size=1, stop_after_chunks=2)
    _assert_summary_is_the_grants()  # the chunks committed, and only them
    assert sum(s.people for s in GrantSummary.objects.all()) == 2
    run_month(month=DEC, chunk_size=1)
    _assert_summary_is_the_grants()
    assert sum(s.people for s in GrantSummary.objects.all()) == 4


@pytest.mark.django_db
def test_a_grant_booked_outside_the_run_is_counted_once(tree):
    # Given the month of one elder booked in the ledger before the run (the run links its grant
    # to that transaction: the chunk's careful path)
    p = _population(tree)
    grant_outside_the_run(p["dibao_semi"], "2026-12", 410, tree)
    # When the month is run, then run again
    run_month(month=DEC)
    run_month(month=DEC)
    # Then the summary holds each grant once
    _assert_summary_is_the_grants()
    assert sum(s.people for s in GrantSummary.objects.all()) == 4


@pytest.mark.django_db
def test_a_recovered_grant_leaves_the_summary(tree):
    p = _population(tree)
    for m in (DEC, JAN):
        run_month(month=m)
    elder = p["dibao_semi"]
    elder.life_status, elder.life_status_date = "deceased", datetime.date(2026, 12, 20)
    elder.save()
    entitlement_end(
        elder=elder, last_month=DEC, reason="死亡（迟报）", by=user_with_role(Role.COMMUNITY_WORKER, tree.a1)
    )
    assert Grant.objects.filter(recovery__isnull=False).count() == 1
    _assert_summary_is_the_grants()
    report = run_report(user=user_with_role(Role.DISTRICT_REVIEWER, tree.district), month=JAN)
    assert report.people == 4  # four paid in January, one of them taken back; the new one of January
    assert report.people == Grant.objects.filter(month=JAN.first_day, recovery__isnull=True).count()


def _python_changes(month: Month, community_ids=None) -> list[tuple]:
    """The changes worked out one grant at a time, as the report did before."""

    def by_elder(m: Month):
        grants = Grant.objects.filter(month=m.first_day, recovery__isnull=True).select_related("elder", "community")
        if community_ids is not None:
            grants = grants.filter(community_id__in=community_ids)
        return {g.elder_id: g for g in grants}

    now, before = by_elder(month), by_elder(month.previous())
    out = []
    for elder_id, g in now.items():
        old = before.get(elder_id)
        if old is None:
            out.append((elder_id, "new", None, g.amount.amount))
        elif old.amount != g.amount:
            out.append((elder_id, "changed", old.amount.amount, g.amount.amount))
    out += [(elder_id, "stopped", old.amount.amount, None) for elder_id, old in before.items() if elder_id not in now]
    return sorted(out)


def _changes_world(tree):
    """December and January with one of each change: a new elder, one stopped, one whose standard rose."""
    p = _population(tree)
    run_month(month=DEC)
    a = schemes(tree)["jiangdu"]
    # From January: a newcomer, an end in December, and a reassessment to disabled.
    entitled_elder(scheme=a, community=tree.b1, categories=["dibao"], care_level="disabled", start_month=JAN)
    entitlement_end(elder=p["tekun_self"], last_month=DEC, reason="迁出", by=None)
    Assessment.objects.create(
        elder=p["dibao_semi"],
        assessed_on=datetime.date(2026, 12, 15),
        effective_from=datetime.date(2026, 12, 15),
        assessor=user_with_role(Role.ASSESSOR, tree.district),
        instrument="民政部老年人能力评估",
        instrument_level="-",
        care_level="disabled",
    )
    run_month(month=JAN)
    return p


@pytest.mark.django_db
def test_the_changes_in_sql_are_the_changes_grant_by_grant(tree):
    _changes_world(tree)
    every = ChangeList(month=JAN, community_ids=None)
    found = sorted((c.elder_id, c.kind, c.before, c.after) for c in every)
    assert found == _python_changes(JAN)
    assert {c[1] for c in found} == {"new", "stopped", "changed"}
    assert every.counts() == {k: sum(1 for c in found if c[1] == k) for k in ("changed", "new", "stopped")}
    # A street sees only its communities' changes.
    street_a = frozenset([tree.a1.pk, tree.a2.pk])
    scoped = sorted((c.elder_id, c.kind, c.before, c.after) for c in ChangeList(month=JAN, community_ids=street_a))
    assert scoped == _python_changes(JAN, street_a)
    # A page is a slice of the whole, in the same order.
    ordered = list(every)
    assert every[1:3] == ordered[1:3] and len(every) == len(ordered)


@pytest.mark.django_db
def test_the_report_page_pages_the_changes_and_counts_them(client, tree, users):
    _changes_world(tree)
    client.force_login(users["district"])
    url = reverse("subsidy_run_report", args=["2027-01"])
    html = client.get(url).content.decode()
    counts = ChangeList(month=JAN, community_ids=None).counts()
    line = re.search(r"data-change-counts>(.*?)</p>", html, re.S)
    assert line and sorted(int(n) for n in re.findall(r"\d+", line.group(1))) == sorted(counts.values())
    assert f'data-count="{sum(counts.values())}"' in html  # the pager of the changes counts them all
    # A page number beyond the last gives the last page, never an error.
    assert client.get(url + "?changes=99&refused=99").status_code == 200


@pytest.mark.django_db
def test_the_report_reads_the_summary_not_the_grant_table(tree, users):
    _population(tree)
    run_month(month=DEC)
    Grant.objects.update(amount=Decimal("1.00"))  # a change the summary does not know of
    report = run_report(user=users["district"], month=DEC)
    assert report.total == Decimal("550.00")


@pytest.mark.django_db
def test_the_report_page_takes_as_many_queries_for_more_elders_and_changes(client, tree, users):
    def queries() -> int:
        with CaptureQueriesContext(connection) as q:
            assert client.get(reverse("subsidy_run_report", args=["2027-01"])).status_code == 200
        return len(q)

    _changes_world(tree)
    client.force_login(users["district"])
    few = queries()
    # Sixty more elders, all new in January: more than a page of changes.
    a = schemes(tree)["jiangdu"]
    for _n in range(60):
        entitled_elder(scheme=a, community=tree.a2, categories=["dibao"], care_level="disabled", start_month=JAN)
    run_month(month=JAN)
    assert ChangeList(month=JAN, community_ids=None).count() > 60
    assert queries() == few


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_run_leaves_fresh_planner_statistics_of_what_it_wrote(tree):
    _population(tree)
    with connection.cursor() as cur:
        cur.execute("SELECT clock_timestamp()")
        started = cur.fetchone()[0]
    run_month(month=DEC)
    tables = [Grant._meta.db_table, GrantSummary._meta.db_table, LedgerTransaction._meta.db_table]
    tables.append(LedgerEntry._meta.db_table)
    with connection.cursor() as cur:
        cur.execute("SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname = ANY(%s)", [tables])
        analysed = dict(cur.fetchall())
    # Too few rows for autovacuum to analyse them: only the run's own ANALYZE sets the time.
    assert set(analysed) == set(tables)
    assert all(at is not None and at >= started for at in analysed.values()), analysed
