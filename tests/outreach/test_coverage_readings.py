"""The coverage's stored reading: the day's figures of every community, read where nothing that
enters them changed since and counted live elsewhere, so that the coverage read from it is the
coverage counted live, whatever was done since."""

import datetime

import pytest
import time_machine

from eldercare.models import Elder, Role
from outreach import selectors, services
from outreach.models import CoverageFigure, CoverageReading, ResponsiblePerson
from outreach.tasks import take_coverage_readings

from ..factories import ElderFactory, user_with_role
from .conftest import TODAY
from .factories import responsible, screened

pytestmark = pytest.mark.django_db

OLD = datetime.date(1940, 1, 1)


@pytest.fixture
def worker(tree):
    return user_with_role(Role.COMMUNITY_WORKER, tree.a1)


@pytest.fixture
def district(tree):
    return user_with_role(Role.DISTRICT_REVIEWER, tree.district)


def _figures(user) -> dict:
    return {
        r["community"].pk: {k: r[k] for k in (*selectors.COVERAGE_FIGURES, "unscreened")}
        for r in selectors.coverage(user=user)
    }


def _live(user) -> dict:
    """The same figures with no reading to read."""
    kept = list(CoverageReading.objects.values_list("pk", flat=True))
    readings = CoverageReading.objects.filter(pk__in=kept)
    day_of = {r.pk: r.day for r in readings}
    CoverageReading.objects.filter(pk__in=kept).update(day=TODAY - datetime.timedelta(days=400))
    try:
        return _figures(user)
    finally:
        for pk, day in day_of.items():
            CoverageReading.objects.filter(pk=pk).update(day=day)


def _at(hour: int, minute: int = 0):
    return time_machine.travel(datetime.datetime(2026, 3, 16, hour, minute, tzinfo=datetime.UTC), tick=False)


def _later():
    """An hour after the reading (taken at 10:00): past its margin, each change known by its time."""
    return _at(11)


@pytest.fixture(autouse=True)
def _written_before_the_reading():
    """What a test writes before it takes the reading, written an hour before (outside its margin)."""
    with _at(9):
        yield


def _take() -> CoverageReading:
    with _at(10):
        return services.coverage_readings_take()


@pytest.fixture
def every_change_counted_live(monkeypatch):
    """However many communities changed, their figures are counted and the others read (past half of
    them the coverage counts all live, which would hide a change missed)."""
    monkeypatch.setattr(selectors, "CHANGED_SHARE_AT_MOST", 1.0)


def _move(elders, tree, worker):
    elders["mover"].community = tree.a2  # with the profile: a1 loses a screened elder of high risk
    elders["mover"].save()


def _die(elders, tree, worker):
    elders["dies"].life_status, elders["dies"].life_status_date = "deceased", TODAY
    elders["dies"].save()


def _end_primary(elders, tree, worker):
    person = ResponsiblePerson.objects.get(elder=elders["assigned"])
    services.responsible_end(person=person, ends_on=TODAY, by=user_with_role(Role.COMMUNITY_WORKER, tree.b1))


def _screen(elders, tree, worker):
    screened(elders["stays"], worker, left_behind=True)


def _name_caregiver(elders, tree, worker):
    services.caregiver_name(
        elder=elders["away"], name="王阿姨", phone="13900000011", starts_on=TODAY, ends_on=TODAY, by=worker, meals=True
    )


@pytest.mark.usefixtures("every_change_counted_live")
@pytest.mark.parametrize(
    ("change", "community", "expected"),
    [
        (_move, "a1", {"elders": 2, "screened": 1, "unscreened": 1, "unassigned": 0, "high": 0}),
        (_move, "a2", {"elders": 2, "screened": 1, "unscreened": 1, "unassigned": 1, "high": 1}),
        (_die, "b1", {"elders": 1, "unscreened": 0}),
        (_end_primary, "b1", {"unassigned": 1}),
        (_screen, "a2", {"screened": 1, "unscreened": 0, "unassigned": 1, "medium": 1}),  # left behind: medium
        (_name_caregiver, "a1", {"uncared": 0}),
    ],
)
def test_the_coverage_read_from_a_reading_is_the_coverage_counted_live_whatever_changed_since(
    tree, worker, district, change, community, expected
):
    elders = {
        "mover": ElderFactory(community=tree.a1, birth_date=OLD),
        "away": ElderFactory(community=tree.a1, birth_date=OLD),
        "other": ElderFactory(community=tree.a1, birth_date=OLD),
        "stays": ElderFactory(community=tree.a2, birth_date=OLD),
        "dies": ElderFactory(community=tree.b1, birth_date=OLD),
        "assigned": ElderFactory(community=tree.b1, birth_date=OLD),
    }
    screened(elders["mover"], worker, solitary=True)
    screened(elders["away"], worker, carers_absent=True)
    screened(elders["assigned"], worker)
    responsible(elders["assigned"], worker, name="网格员 张三")
    responsible(elders["away"], worker, name="网格员 李四")
    _take()
    before = _figures(district)
    assert before[tree.a1.pk] == {
        "elders": 3,
        "screened": 2,
        "unscreened": 1,
        "unassigned": 1,
        "uncared": 1,
        "high": 1,
        "medium": 1,  # carers away, no care need
        "low": 0,
    }
    assert (before[tree.b1.pk]["elders"], before[tree.b1.pk]["unassigned"]) == (2, 0)

    with _later():
        change(elders, tree, worker)
        after = _figures(district)
    assert after == _live(district)
    pk = getattr(tree, community).pk
    assert after[pk] == {**before[pk], **expected}


@pytest.mark.usefixtures("every_change_counted_live")
def test_a_community_with_nothing_changed_since_is_read_from_the_reading_and_a_changed_one_counted(tree, worker):
    ElderFactory(community=tree.a1, birth_date=OLD)
    ElderFactory(community=tree.a2, birth_date=OLD)
    reading = _take()
    # What the reading holds is what the coverage shows of a community unchanged since (a figure
    # put there by hand shows through)...
    CoverageFigure.objects.filter(reading=reading, community=tree.a2).update(elders=7)
    CoverageFigure.objects.filter(reading=reading, community=tree.a1).update(elders=7)
    street = user_with_role(Role.STREET_REVIEWER, tree.street_a)
    with _later():
        # ... and a community where an elder was saved since is counted again.
        ElderFactory(community=tree.a1, birth_date=OLD)
        figures = _figures(street)
    assert (figures[tree.a2.pk]["elders"], figures[tree.a1.pk]["elders"]) == (7, 2)


@pytest.mark.usefixtures("every_change_counted_live")
def test_an_elder_deleted_since_the_reading_leaves_the_figures_of_the_community(tree, district):
    gone = ElderFactory(community=tree.a1, birth_date=OLD)
    ElderFactory(community=tree.a1, birth_date=OLD)
    _take()
    with _later():
        Elder.objects.get(pk=gone.pk).delete()  # a repair by the system administrator
        assert _figures(district)[tree.a1.pk]["elders"] == 1


def test_a_reading_of_another_day_is_not_read(tree, district):
    turns_sixty_today = ElderFactory(community=tree.a1, birth_date=TODAY.replace(year=TODAY.year - 60))
    with time_machine.travel(datetime.datetime(2026, 3, 15, 10, 0, tzinfo=datetime.UTC), tick=False):
        _take()
        assert _figures(district)[tree.a1.pk]["elders"] == 0  # 59 yesterday
    assert _figures(district)[tree.a1.pk]["elders"] == 1
    assert Elder.objects.filter(pk=turns_sixty_today.pk, updated_at__date=TODAY).exists()  # saved today: no change


def test_the_task_keeps_the_last_reading_until_the_next_and_drops_the_older(tree):
    ElderFactory(community=tree.a1, birth_date=OLD)
    firsts = [take_coverage_readings() for _ in range(3)]
    assert firsts == [1, 1, 1]  # one community with elders
    assert CoverageReading.objects.count() == 2


@pytest.mark.usefixtures("every_change_counted_live")
def test_an_elder_written_without_its_history_since_the_reading_is_counted(tree, district):
    ElderFactory(community=tree.a1, birth_date=OLD)
    _take()
    with _later():
        # A bulk write (a data load by the system administrator) keeps no history, only the time.
        Elder.objects.bulk_create([ElderFactory.build(community=tree.a1, birth_date=OLD)])
        assert _figures(district)[tree.a1.pk]["elders"] == 2
