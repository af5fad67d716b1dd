"""On PostgreSQL the elder searches and the big lists' orderings read an index, never the whole
table: the name's trigram index (pg_trgm, migration eldercare 0009) serves every name search
(the registry, the picker, the applications), the initials and ID-tail prefixes their pattern
indexes, and the home page's recently updated elders and the applications' deadline order a
B-tree in the order of the list.

The planner is told not to scan the table (`enable_seqscan`) and, for the orderings, not to sort
(`enable_sort`): each test then asks whether an index exists that matches the query's own
expression, whatever the number of rows. On SQLite they are skipped; the search itself is tested
there by test_picker and the application list's tests.
"""

import datetime

import pytest
from django.db import connection

from eldercare.models import Elder, Role
from eldercare.selectors import elder_list, elder_search_q
from subsidies.applications.selectors import application_list

from ..factories import ElderFactory, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _planner_off(*methods: str) -> None:
    with connection.cursor() as cursor:  # for the test's transaction only
        # statistics first: the district's communities hold every elder, so the scope's own
        # index would not narrow anything down
        cursor.execute("ANALYZE eldercare_elder")
        for method in methods:
            cursor.execute(f"SET LOCAL enable_{method} = off")


@pytest.fixture
def district_user(tree):
    """A district of 3,000 elders, one in a hundred named 王秀英…, with the planner's statistics."""
    elders = []
    for n in range(3000):
        elder = ElderFactory.build(
            community=[tree.a1, tree.a2, tree.b1][n % 3],
            name=f"王秀英{n}" if n % 100 == 0 else f"张{n}",
            birth_date=datetime.date(1940, 1, 1) + datetime.timedelta(days=n),
        )
        elder.fill_search_keys()
        elders.append(elder)
    Elder.objects.bulk_create(elders)
    return user_with_role(Role.DISTRICT_REVIEWER, tree.district)


def _elder_table_scans(plan: str) -> list[str]:
    return [line for line in plan.splitlines() if "Seq Scan on eldercare_elder " in line + " "]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("王秀英", "elder_name_trgm_idx"),
        ("秀英1", "elder_name_trgm_idx"),
        ("wxy", "name_initials"),
        ("1234", "id_tail"),
    ],
)
def test_every_registry_search_reads_an_index_of_the_elder_table(district_user, text, index):
    _planner_off("seqscan")
    bare = Elder.objects.filter(elder_search_q(text)).explain()
    listed = elder_list(user=district_user, search=text)[:25].explain()
    picked = elder_list(user=district_user).filter(elder_search_q(text)).order_by()[:21].explain()
    for plan in (bare, listed, picked):
        assert index in plan, plan
        assert not _elder_table_scans(plan), plan


def test_the_application_search_matches_the_name_as_the_registry_does(district_user):
    """The same expression, hence the same index (an `UPPER(name)` here would scan every elder)."""
    elder_where = str(Elder.objects.filter(elder_search_q("王秀英")).order_by().query).split("WHERE")[1]
    application_sql = str(application_list(user=district_user, filters={"q": "王秀英"}).query)
    assert elder_where.strip() in application_sql


def test_the_name_index_matches_the_expression_of_the_search(district_user):
    """The index is on the column itself, as the search writes it (not `UPPER(name)`)."""
    sql = str(Elder.objects.filter(elder_search_q("王秀英")).query)
    assert '"eldercare_elder"."name"::text LIKE' in sql and "UPPER" not in sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'elder_name_trgm_idx'")
        (definition,) = cursor.fetchone()
    assert definition.endswith("USING gin (name gin_trgm_ops)")


def test_the_home_pages_recently_updated_elders_come_from_an_index_in_that_order(district_user):
    _planner_off("seqscan", "sort")
    plan = elder_list(user=district_user).order_by("-updated_at")[:5].explain()
    assert "Index Scan Backward using elder_updated_at_idx" in plan, plan
    assert "Sort Key" not in plan, plan


def test_the_application_list_comes_from_an_index_in_deadline_order(district_user):
    _planner_off("seqscan", "sort")
    plan = application_list(user=district_user).order_by("deadline", "id")[:25].explain()
    assert "Index Scan using application_deadline_idx" in plan, plan
    assert "Sort Key" not in plan, plan
