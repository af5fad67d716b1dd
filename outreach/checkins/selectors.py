"""Reads of the daily check-in, scoped as the register: area roles see their part of the tree,
a volunteer only the households in their care (`outreach.selectors.visible_q`)."""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from eldercare.crypto import blind_index
from eldercare.models import Elder, User
from outreach import rules as outreach_rules
from outreach import selectors as outreach_selectors
from outreach.models import ResponsiblePerson

from . import rules
from .models import CheckIn, CheckinEnrolment, MissedCheckin

# The state of an enrolment today, as the community's list shows it.
CHECKED_IN = "checked_in"
WAITING = "waiting"  # before the deadline, no check-in yet
MISSED = "missed"  # past the deadline, no check-in: an alert is (or will be within minutes) open
CONFIRMED = "confirmed"  # missed, then confirmed fine by the responsible person


def phone_index(phone: str) -> str:
    return blind_index(outreach_rules.normalise_phone(phone))


def enrolment_list(*, user: User, current: bool = True) -> QuerySet[CheckinEnrolment]:
    qs = CheckinEnrolment.objects.filter(outreach_selectors.visible_q(user, "elder")).select_related(
        "elder", "elder__community", "enrolled_by"
    )
    if current:
        qs = qs.filter(ended_at__isnull=True)
    return qs


def enrolment_get(*, user: User, pk: int) -> CheckinEnrolment:
    return get_object_or_404(enrolment_list(user=user, current=False), pk=pk)


def enrollable_elders(*, user: User) -> QuerySet[Elder]:
    """Elders of the register the user may enrol: in their area, not enrolled now; those living
    alone first."""
    if not outreach_selectors.sees_whole_area(user):
        return Elder.objects.none()
    enrolled = CheckinEnrolment.objects.filter(ended_at__isnull=True).values("elder_id")
    return (
        outreach_selectors.register_elders(user=user)
        .exclude(pk__in=enrolled)
        .order_by("-vulnerability__solitary", "community__code", "name", "pk")
    )


def active_enrolments(*, on: datetime.date) -> QuerySet[CheckinEnrolment]:
    """Every current enrolment begun by `on` (the alert task's set, all districts)."""
    return CheckinEnrolment.objects.filter(ended_at__isnull=True, starts_on__lte=on)


def enrolments_by_phone(*, phone: str) -> QuerySet[CheckinEnrolment]:
    """Current enrolments checked in from this phone (a text message reply's sender)."""
    return CheckinEnrolment.objects.filter(ended_at__isnull=True, phone_index=phone_index(phone)).select_related(
        "elder"
    )


def primary_of(elder_id: int) -> ResponsiblePerson | None:
    return (
        ResponsiblePerson.objects.filter(elder_id=elder_id, duty=ResponsiblePerson.Duty.PRIMARY, ends_on__isnull=True)
        .select_related("user")
        .first()
    )


@dataclass
class TodayRow:
    enrolment: CheckinEnrolment
    state: str
    checked_in_at: datetime.datetime | None
    alert: MissedCheckin | None


def today_rows(*, user: User, now: datetime.datetime | None = None) -> list[TodayRow]:
    """The user's current enrolments with today's state, missed first (one query, one for alerts)."""
    now = now or timezone.now()
    today = rules.local_day(now)
    checkins = CheckIn.objects.filter(enrolment=OuterRef("pk"), day=today).order_by("at")
    enrolments = list(
        enrolment_list(user=user)
        .annotate(checked_in_at=Subquery(checkins.values("at")[:1]))
        .order_by("elder__community__code", "elder__name", "pk")
    )
    alerts = {a.enrolment_id: a for a in MissedCheckin.objects.filter(enrolment__in=enrolments, day=today)}
    rows = []
    for e in enrolments:
        alert = alerts.get(e.pk)
        if e.checked_in_at is not None:
            state = CHECKED_IN
        elif alert is not None and alert.resolved_at is not None:
            state = CONFIRMED
        elif rules.checkin_missed(now=now, deadline=e.deadline, last_checkin_at=None) and e.starts_on <= today:
            state = MISSED
        else:
            state = WAITING
        rows.append(TodayRow(e, state, e.checked_in_at, alert))
    order = {MISSED: 0, WAITING: 1, CONFIRMED: 2, CHECKED_IN: 3}
    rows.sort(key=lambda r: order[r.state])
    return rows


def checkin_list(*, user: User, enrolment: CheckinEnrolment | None = None) -> QuerySet[CheckIn]:
    qs = CheckIn.objects.filter(outreach_selectors.visible_q(user, "elder")).select_related("elder", "elder__community")
    if enrolment is not None:
        qs = qs.filter(enrolment=enrolment)
    return qs


def alert_list(*, user: User, open_only: bool | None = None) -> QuerySet[MissedCheckin]:
    """Missed check-ins of the households the user may see (a responsible person: their own)."""
    qs = MissedCheckin.objects.filter(outreach_selectors.visible_q(user, "elder")).select_related(
        "enrolment", "elder", "elder__community", "responsible", "responsible__user", "resolved_by"
    )
    if open_only is True:
        qs = qs.filter(resolved_at__isnull=True).order_by("day", "elder__name", "pk")
    elif open_only is False:
        qs = qs.filter(resolved_at__isnull=False).order_by("-resolved_at", "pk")
    return qs


def alert_get(*, user: User, pk: int) -> MissedCheckin:
    return get_object_or_404(alert_list(user=user), pk=pk)
