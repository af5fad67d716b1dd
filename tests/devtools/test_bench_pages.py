"""The pages benchmark runs at a tiny size so that it cannot rot (no timing assertions): every page
answers 200, and no page's query count grows with the data."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command

from devtools.bench.pages import bench_users, build, measure
from eldercare.models import Elder, ElderCategory
from eldercare.readings import changed_since
from outreach.models import ResponsiblePerson, TemporaryCaregiver, VulnerabilityProfile
from providers.models import FrequencyReading, Provider, ServiceAgreement, WorkOrder
from subsidies.applications.models import Application
from subsidies.standards.models import Assessment, Entitlement

# The bench builds the current month and the two before: a fixed day mid-year, clear of the
# October reminder to enter next year's holidays.
MID_JUNE = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))

# Pages whose query count still grows with the data, until their page is full. Remove a page once
# it is fixed.
GROWING: set[tuple[str, str]] = set()


def table(out: str) -> dict[tuple[str, str], int]:
    """The command's table as {(role, path): queries}."""
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 6 and parts[0] in ("district", "finance", "community") and parts[2] == "200":
            rows[(parts[0], parts[1])] = int(parts[4])
    return rows


@pytest.mark.django_db
@time_machine.travel(MID_JUNE, tick=True)
def test_bench_pages_every_page_answers_and_query_counts_stay_flat(capsys):
    # Given the pages measured over a district of 120 elders
    built = build(elders=120, log=lambda line: None)
    assert built.written["applications"] > 0 and built.written["work orders"] > 0
    assert built.written["contacts"] > 0
    # the community worker's own community has some of everything
    community = bench_users(built.district)["community"].role_assignments.get().division
    assert Application.objects.filter(community=community).exists()
    assert WorkOrder.objects.filter(elder__community=community).exists()
    assert VulnerabilityProfile.objects.filter(elder__community=community).exists()
    # its records saved the day before the readings, as in a district whose reports read them:
    # only the busy half hour's visits and screenings (one each, at this size) are changed since
    since = changed_since(FrequencyReading.objects.latest("as_of").as_of)
    for model in (Elder, Assessment, ElderCategory, Entitlement, ServiceAgreement, Provider):
        assert not model.objects.filter(updated_at__gte=since).exists(), model
    assert WorkOrder.objects.filter(updated_at__gte=since).count() == 1
    assert VulnerabilityProfile.objects.filter(updated_at__gte=since).count() == 1
    for model in (ResponsiblePerson, TemporaryCaregiver):
        assert not model.objects.filter(updated_at__gte=since).exists(), model
    assert not Elder.history.filter(history_date__gte=since).exists()
    small = measure(district=built.district, runs=1, log=lambda line: None)
    assert {t.role for t in small.timings} == {"district", "finance", "community"}
    assert all(t.status == 200 for t in small.timings), [(t.role, t.path, t.status) for t in small.timings]
    assert any(t.path == "/" for t in small.timings)
    assert any(t.path.startswith("/api/v1/") for t in small.timings)

    # When the command doubles the district (it fails when a page does not answer 200)
    call_command("bench_pages", elders=240, runs=1)
    out = capsys.readouterr().out
    for label in ("240 elders", "median ms", "pages over 300 ms", "load average:"):
        assert label in out
    large = table(out)

    # Then every page makes as many queries as with half the data
    assert set(large) == {(t.role, t.path) for t in small.timings}
    grown = {(t.role, t.path) for t in small.timings if large[t.role, t.path] != t.queries}
    assert grown <= GROWING, {key: "more queries with more data" for key in grown - GROWING}
    assert grown == GROWING, {key: "flat now: take it off GROWING" for key in GROWING - grown}
