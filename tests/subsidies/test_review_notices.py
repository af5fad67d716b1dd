"""Each move of the review tells the next actor, in the case's own part of the tree, once; the
deadline texts and the Monday digest of overdue cases."""

import datetime

import pytest
import time_machine

from eldercare import digest, sms
from eldercare.models import DifficultyCategory, Division, Notification, Role
from eldercare.periods import Month
from eldercare.tasks import send_overdue_digests
from providers.models import Provider, Rectification, SatisfactionSurvey
from subsidies.applications.services import reminders
from subsidies.applications.services import review as svc
from subsidies.applications.services.assessments import assessment_record
from tests.factories import user_with_role

from .factories import SCORES_DISABLED, at, load_policies, walk

MONDAY = datetime.date(2026, 3, 2)
pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(tree, users):
    """Colleagues of the case's offices, and the same roles elsewhere (who must hear nothing)."""
    more = {
        "community_2": user_with_role(Role.COMMUNITY_WORKER, tree.a1),
        "street_2": user_with_role(Role.STREET_REVIEWER, tree.street_a),
        "assessor_b": user_with_role(
            Role.ASSESSOR, Division.objects.create(code="321099000000", name="邗江区", level="district")
        ),
    }
    return {**users, **more}


def file(elder, scheme, users):
    return svc.application_file(
        elder=elder,
        scheme=scheme,
        by=users["community"],
        categories=[DifficultyCategory.LOW_INCOME],
        care_situation="non_self_care",
    )


def notices_of(user, app):
    return list(Notification.objects.filter(user=user, url=app.get_absolute_url()))


def test_each_move_tells_the_next_actor_once(elder_a1, scheme, batch, crowd):
    u = crowd
    with time_machine.travel(at(MONDAY), tick=False) as traveller:
        app = walk(file(elder_a1, scheme, u), u, until="community_decision", traveller=traveller)
        assert not Notification.objects.filter(url=app.get_absolute_url()).exists()

        app = svc.application_forward(application=app, by=u["community"], opinion="同意上报")
        for who in ("street", "street_2"):
            assert len(notices_of(u[who], app)) == 1
        for who in ("street_b", "community", "community_b", "district", "assessor"):
            assert notices_of(u[who], app) == []

        # A retried move is refused and tells nobody again.
        with pytest.raises(svc.AlreadyMoved):
            svc.application_forward(application=app, by=u["community"], opinion="again")
        assert len(notices_of(u["street"], app)) == 1

        # Returned: the community's workers, with the reason.
        app = svc.application_return(application=app, by=u["street"], opinion="缺少低保证明")
        for who in ("community", "community_2"):
            (notice,) = notices_of(u[who], app)
            assert "缺少低保证明" in notice.message
        assert notices_of(u["community_b"], app) == []

        # Forwarded again: a new notice for the street (a new move, not a retry).
        app = svc.application_forward(application=app, by=u["community"], opinion="已补正")
        assert len(notices_of(u["street"], app)) == 2

        app = svc.application_street_approve(application=app, by=u["street"], opinion="同意")
        assert len(notices_of(u["assessor"], app)) == 1
        assert notices_of(u["assessor_b"], app) == []
        assert len(notices_of(u["district"], app)) == 1
        # The street reviewer who approved is not told of their own move.
        assert len(notices_of(u["street"], app)) == 2

        load_policies(district=app.community.parent.parent, first_month=Month(2020, 1))
        assessment_record(
            elder=app.elder, assessed_on=app.stage_started_on, scores=SCORES_DISABLED, by=u["assessor"], application=app
        )
        app.refresh_from_db()
        assert len(notices_of(u["district"], app)) == 2

        before = {who: len(notices_of(u[who], app)) for who in ("community", "community_2")}
        app = svc.application_approve(application=app, by=u["district"], opinion="同意核准")
        for who in ("community", "community_2"):
            assert len(notices_of(u[who], app)) == before[who] + 1
        assert notices_of(u["community_b"], app) == []


def test_rejection_tells_the_community_with_reasons(elder_a1, scheme, batch, crowd):
    u = crowd
    with time_machine.travel(at(MONDAY), tick=False) as traveller:
        app = walk(file(elder_a1, scheme, u), u, until="street_review", traveller=traveller)
        app = svc.application_reject(application=app, by=u["street"], opinion="户籍不在本区")
    for who in ("community", "community_2"):
        assert any("户籍不在本区" in n.message for n in notices_of(u[who], app))


def test_deadline_text_goes_to_the_reviewers_phone_once_a_day(elder_a1, scheme, batch, crowd):
    u = crowd
    u["street"].phone = "13900000001"
    u["street"].save()
    u["street_b"].phone = "13900000002"
    u["street_b"].save()
    with time_machine.travel(at(MONDAY), tick=False) as traveller:
        app = walk(file(elder_a1, scheme, u), u, until="street_review", traveller=traveller)
    # The street has 5 working days; 2 working days before the deadline the text goes out.
    day = app.deadline - datetime.timedelta(days=2)
    while svc.workdays_between(day, app.deadline) != 2:
        day -= datetime.timedelta(days=1)
    sms.outbox.clear()
    reminders.deadline_reminders_send(on=day)
    reminders.deadline_reminders_send(on=day)
    assert [phone for phone, _text in sms.outbox] == ["13900000001"]
    # Three working days before: no text.
    sms.outbox.clear()
    earlier = day - datetime.timedelta(days=1)
    while svc.workdays_between(earlier, app.deadline) != 3:
        earlier -= datetime.timedelta(days=1)
    reminders.deadline_reminders_send(on=earlier)
    assert sms.outbox == []
    # The next day, once more.
    reminders.deadline_reminders_send(on=app.deadline)
    assert [phone for phone, _text in sms.outbox] == ["13900000001"]


def test_monday_digest_lists_overdue_cases_once_a_week(elder_a1, scheme, batch, crowd):
    u = crowd
    with time_machine.travel(at(MONDAY), tick=False):
        app = file(elder_a1, scheme, u)
    # The community's 10 working days end 2026-03-16; on Monday 2026-03-23 the case is overdue.
    monday = datetime.date(2026, 3, 23)
    with time_machine.travel(at(monday), tick=False):
        # The community's two workers, and the towns' reviewers of the month still to confirm
        assert digest.overdue_digests_send(on=monday) == 5
        assert digest.overdue_digests_send(on=monday + datetime.timedelta(days=2)) == 0
    (notice,) = Notification.objects.filter(user=u["community"], dedupe_key__startswith="overdue-digest")
    # The heading, the section's title, then one line per case
    assert len(notice.message.splitlines()) == 3  # the heading, the section's title, the case
    assert elder_a1.name in notice.message and "2026-03-16" in notice.message
    for who in ("community_b", "street", "district"):
        assert not Notification.objects.filter(
            user=u[who], dedupe_key__startswith="overdue-digest", message__contains=elder_a1.name
        ).exists()
    # The next week, again.
    with time_machine.travel(at(monday + datetime.timedelta(days=7)), tick=False):
        assert digest.overdue_digests_send(on=monday + datetime.timedelta(days=7)) == 5
    assert app.deadline == datetime.date(2026, 3, 16)


def test_one_digest_names_the_overdue_application_and_the_overdue_rectification(elder_a1, scheme, batch, crowd, tree):
    u = crowd
    with time_machine.travel(at(MONDAY), tick=False) as traveller:
        app = walk(file(elder_a1, scheme, u), u, until="street_review", traveller=traveller)
    # A rectification of a provider serving street A, due on 2026-04-01 and still open
    provider = Provider.objects.create(
        name="康乐居家服务中心",
        kind=Provider.Kind.SOCIAL_ORGANISATION,
        licence_number="LIC-DIGEST",
        district=tree.district,
    )
    survey = SatisfactionSurvey.objects.create(
        provider=provider,
        street=tree.street_a,
        quarter=datetime.date(2026, 1, 1),
        surveyed=5,
        satisfied=2,
        by=u["street"],
    )
    Rectification.objects.create(provider=provider, survey=survey, deadline=datetime.date(2026, 4, 1))
    monday = datetime.date(2026, 4, 6)
    assert app.deadline < monday
    with time_machine.travel(at(monday), tick=False):
        digest.overdue_digests_send(on=monday)
        digest.overdue_digests_send(on=monday)  # twice the same week: once
        digest.overdue_digests_send(on=monday + datetime.timedelta(days=3))

    (notice,) = Notification.objects.filter(user=u["street"], dedupe_key__startswith="overdue-digest")
    assert notice.dedupe_key == "overdue-digest:2026-W15"
    assert elder_a1.name in notice.message and str(app.deadline) in notice.message
    assert "康乐居家服务中心 · 龙川街道" in notice.message and "2026-04-01" in notice.message
    # Neither is theirs: the community's turn is over, street B is not theirs (its town's digest
    # names only its own month to confirm).
    for who in ("community", "community_b", "street_b", "finance"):
        for notice in Notification.objects.filter(user=u[who], dedupe_key__startswith="overdue-digest"):
            assert elder_a1.name not in notice.message and "康乐居家服务中心" not in notice.message
    assert not Notification.objects.filter(user=u["community"], dedupe_key__startswith="overdue-digest").exists()


def test_the_digest_is_the_weekly_task_of_the_beat_schedule():
    from eldercare.celery import app as celery_app

    entry = celery_app.conf.beat_schedule["overdue-digests"]
    assert entry["task"] == send_overdue_digests.name == "eldercare.send_overdue_digests"
    assert entry["schedule"].day_of_week == {1}
