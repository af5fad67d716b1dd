"""The visit frequency report read from a stored reading: the same report as the live aggregate's,
whatever changed since the reading, for the district and for a community."""

import datetime

import pytest
from django.db import transaction

from eldercare.celery import app as celery_app
from eldercare.models import ElderCategory, User
from eldercare.periods import Month
from providers import quality
from providers.models import FrequencyJudgement, FrequencyReading, ServiceAgreement
from providers.quality import frequency
from providers.tasks import take_frequency_readings
from tests.factories import ElderFactory

from .conftest import SHANGHAI
from .test_frequency import NOVEMBER, SEPTEMBER, assess, entitle, in_difficulty, sign, visits

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def seen(user, month, per_page=2):
    """Everything the report shows: the tallies and every page of listed elders, in order."""
    report = quality.visit_frequency_report(user=user, month=month, per_page=per_page)
    pages = [report]
    while pages[-1].page.has_next():
        pages.append(quality.visit_frequency_report(user=user, month=month, page=len(pages) + 1, per_page=per_page))
    rows = [
        (r.elder.pk, r.providers, r.minimum, r.done, r.previous.status, r.status, r.items_this_year)
        for p in pages
        for r in p.rows
    ]
    return {
        "judged": report.judged,
        "listed": report.listed_count,
        "by_community": report.by_community,
        "missed_by_community": report.missed_by_community,
        "by_provider": report.by_provider,
        "missed_by_provider": report.missed_by_provider,
        "statuses_by_provider": report.statuses_by_provider,
        "rows": rows,
    }


def live(user, month):
    """What the report shows with no reading (the readings dropped, then restored)."""
    try:
        with transaction.atomic():
            FrequencyReading.objects.all().delete()
            result = seen(user, month)
            raise _Rollback
    except _Rollback:
        return result


@pytest.fixture
def november(world, clock):
    clock.move_to(NOVEMBER)
    return world


@pytest.fixture
def served(november, tree, users, clock):
    """Elders of two communities and two providers, below, made up and meeting their minimums,
    recorded an hour before the readings are taken."""
    short = in_difficulty(tree)
    sign(november, short)
    assess(short, "disabled", datetime.date(2025, 7, 1), users["assessor"])
    visits(november, short, 2026, 9, 2)
    made_up = in_difficulty(tree)
    sign(november, made_up)
    ServiceAgreement.objects.create(elder=made_up, provider=november.other, signed_on=datetime.date(2025, 1, 1))
    assess(made_up, "disabled", datetime.date(2025, 7, 1), users["assessor"])
    visits(november, made_up, 2026, 9, 2)
    visits(november, made_up, 2026, 10, 6)
    elsewhere = ElderFactory(community=tree.a2, birth_date=datetime.date(1950, 3, 1), categories=["dibao"])
    ServiceAgreement.objects.create(elder=elsewhere, provider=november.other, signed_on=datetime.date(2025, 1, 1))
    met = in_difficulty(tree)
    sign(november, met)
    visits(november, met, 2026, 9, 1)
    assess(november.elder, "disabled", datetime.date(2025, 7, 1), users["assessor"])  # 80+, in no category yet
    clock.move_to(NOVEMBER + datetime.timedelta(hours=1))
    return {"short": short, "made_up": made_up, "elsewhere": elsewhere, "met": met}


def test_a_reading_gives_the_live_report_and_follows_every_change_since(served, november, tree, users, clock):
    district, community = users["district"], users["community"]
    before = {user: live(user, SEPTEMBER) for user in (district, community)}
    assert before[district]["judged"] == 6 and before[community]["judged"] == 5

    # A reading of this month and the two before
    assert quality.frequency_readings_take() == 3
    assert set(FrequencyReading.objects.values_list("month", flat=True)) == {
        datetime.date(2026, 9, 1),
        datetime.date(2026, 10, 1),
        datetime.date(2026, 11, 1),
    }
    for user in (district, community):
        assert seen(user, SEPTEMBER) == before[user]

    # Then, an hour later, every kind of change the report depends on, one at a time
    clock.move_to(NOVEMBER + datetime.timedelta(hours=2))
    changes = [
        lambda: visits(november, served["short"], 2026, 9, 2),  # now meets September's four
        lambda: assess(served["met"], "disabled", datetime.date(2026, 8, 1), users["assessor"]),  # now short
        lambda: _end(ServiceAgreement.objects.get(elder=served["made_up"], provider=november.other)),
        lambda: entitle(tree, served["elsewhere"], datetime.date(2026, 10, 1), by=district),  # no minimum in September
        lambda: sign(november, in_difficulty(tree)),  # a new elder with no visit
        lambda: ElderCategory.objects.create(  # four visits due, as disabled and in difficulty
            elder=november.elder, category="dibao", evidence_date=datetime.date(2025, 1, 1)
        ),
        lambda: _move(november.elder2, tree.b1),  # out of the community's report
    ]
    for change in changes:
        change()
        for user in (district, community):
            assert seen(user, SEPTEMBER) == live(user, SEPTEMBER)

    # And the changes did make a difference to the report
    after = live(district, SEPTEMBER)
    assert after != before[district]
    assert after["judged"] == 6  # one out (no minimum in September), one new


def _end(agreement):
    """One provider fewer: the agreement ended before September."""
    agreement.ends_on = datetime.date(2026, 8, 31)
    agreement.save()


def _rename(provider):
    provider.name = "安康居家养老服务中心"
    provider.save()


def _move(elder, community):
    elder.community = community
    elder.save()


def test_an_elder_unchanged_since_the_reading_is_read_from_it(served, users):
    # Given a reading, and a stored judgement altered behind the report's back
    quality.frequency_readings_take()
    stored = FrequencyJudgement.objects.get(reading__month=SEPTEMBER.first_day, elder=served["short"])
    FrequencyJudgement.objects.filter(pk=stored.pk).update(d1=3)
    # Then the report shows the stored value: the reading is what it reads
    row = next(
        r
        for r in quality.visit_frequency_report(user=users["district"], month=SEPTEMBER).rows
        if r.elder == served["short"]
    )
    assert (row.minimum, row.done) == (4, 3)


def test_a_reading_taken_before_a_month_ended_is_not_read_after(served, users, clock):
    # Given October's reading taken on 10 November (November, the month after, still open)
    quality.frequency_readings_take()
    october = Month(2026, 10)
    stored = FrequencyJudgement.objects.get(reading__month=october.first_day, elder=served["made_up"])
    FrequencyJudgement.objects.filter(pk=stored.pk).update(d1=0)
    # When the report is read on 2 December, November having ended
    clock.move_to(datetime.datetime(2026, 12, 2, 9, tzinfo=SHANGHAI))
    # Then October is judged live (a shortfall is missed now, no longer pending)
    assert seen(users["district"], october) == live(users["district"], october)
    row = quality.elder_frequency(user=users["district"], month=october, elder=served["made_up"])
    assert row.done == 6


def test_a_provider_sees_its_elders_judged_live(served, november):
    quality.frequency_readings_take()
    assert seen(november.other_admin, SEPTEMBER) == live(november.other_admin, SEPTEMBER)
    assert seen(november.other_admin, SEPTEMBER)["judged"] == 2


def test_readings_of_months_no_longer_read_are_dropped(served, clock):
    quality.frequency_readings_take()
    clock.move_to(datetime.datetime(2027, 1, 5, 9, tzinfo=SHANGHAI))
    quality.frequency_readings_take()
    assert set(FrequencyReading.objects.values_list("month", flat=True)) == {
        datetime.date(2026, 11, 1),
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
    }
    assert not FrequencyJudgement.objects.filter(reading__month__lt=datetime.date(2026, 11, 1)).exists()


def test_the_readings_are_taken_every_half_hour(served):
    entry = celery_app.conf.beat_schedule["providers-frequency-readings"]
    assert entry["task"] == take_frequency_readings.name
    assert entry["schedule"].minute == {5, 35}
    assert take_frequency_readings.delay().get() == 3
    assert FrequencyReading.objects.count() == 3


def test_the_earlier_reading_of_a_month_stays_whole_until_the_next(served, users, clock):
    # Given a reading, then a second one half an hour later: a report that began on the first
    # still finds its rows, and the report now reads the second
    quality.frequency_readings_take()
    first = FrequencyReading.objects.get(month=SEPTEMBER.first_day)
    clock.move_to(NOVEMBER + datetime.timedelta(hours=1, minutes=30))
    quality.frequency_readings_take()
    assert FrequencyJudgement.objects.filter(reading=first).count() == 6
    assert seen(users["district"], SEPTEMBER) == live(users["district"], SEPTEMBER)
    # When a third is taken, the first is dropped
    clock.move_to(NOVEMBER + datetime.timedelta(hours=2))
    quality.frequency_readings_take()
    assert not FrequencyReading.objects.filter(pk=first.pk).exists()
    assert FrequencyReading.objects.filter(month=SEPTEMBER.first_day).count() == 2


def test_too_many_elders_changed_since_the_reading_judges_every_elder_live(served, november, users, monkeypatch):
    # Given a reading with a stored judgement altered behind the report's back
    quality.frequency_readings_take()
    stored = FrequencyJudgement.objects.get(reading__month=SEPTEMBER.first_day, elder=served["short"])
    FrequencyJudgement.objects.filter(pk=stored.pk).update(d1=3)
    # When more elders changed since than the reading is worth
    monkeypatch.setattr(frequency, "CHANGED_AT_MOST", 1)
    visits(november, served["met"], 2026, 9, 1)
    visits(november, served["made_up"], 2026, 9, 1)
    # Then the report judges every elder live: the altered row is not shown
    row = quality.elder_frequency(user=users["district"], month=SEPTEMBER, elder=served["short"])
    listed = quality.visit_frequency_report(user=users["district"], month=SEPTEMBER).rows
    assert next(r for r in listed if r.elder == served["short"]).done == row.done == 2


def test_a_viewer_of_no_community_gets_an_empty_report(served):
    nobody = User.objects.create_user(username="nobody", password="pw-12345678")  # signed in, no role
    quality.frequency_readings_take()
    report = quality.visit_frequency_report(user=nobody, month=SEPTEMBER)
    assert (report.judged, report.listed_count, report.rows) == (0, 0, [])


def test_a_provider_renamed_since_the_reading_is_tallied_by_its_new_name(served, november, users, clock):
    quality.frequency_readings_take()
    clock.move_to(NOVEMBER + datetime.timedelta(hours=2))
    _rename(november.other)
    report = seen(users["district"], SEPTEMBER)
    assert report == live(users["district"], SEPTEMBER)
    assert "安康居家养老服务中心" in report["by_provider"] and november.provider.name in report["by_provider"]
