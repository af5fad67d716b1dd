"""Writes of the daily check-in: enrolments by the community, check-ins (the phone page or a text
message reply), alerts when a day's check-in is missed, and the responsible person's confirmation."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import NotAllowed
from eldercare.masking import mask_phone
from eldercare.models import Elder, Role, User
from eldercare.services import notification_send
from eldercare.sms import sms_send
from outreach import rules as outreach_rules
from outreach import services as outreach_services

from . import rules, selectors, tokens
from .errors import AlertResolved, AlreadyEnrolled, EnrolmentEnded, EnrolmentInvalid
from .models import Channel, Checker, CheckIn, CheckinEnrolment, MissedCheckin, Resolution

REPLY_MAX = 160


def default_deadline() -> datetime.time:
    """The deadline of a new enrolment unless the community sets another (setting, HH:MM)."""
    return rules.parse_deadline(getattr(settings, "OUTREACH_CHECKIN_DEADLINE", "10:00"))


def may_enrol(user: User, elder: Elder) -> bool:
    """The community (and street and district reviewers) of the elder enrol and end."""
    return outreach_services.may_assign(user, elder)


def may_confirm(user: User, alert: MissedCheckin) -> bool:
    """The household's responsible persons, and those who assign them."""
    return outreach_services.may_contact(user, alert.elder)


@transaction.atomic
def enrolment_create(
    *,
    elder: Elder,
    by: User,
    phone: str,
    checker: str = Checker.ELDER,
    checker_name: str = "",
    deadline: datetime.time | None = None,
    starts_on: datetime.date | None = None,
) -> CheckinEnrolment:
    """Enrol an elder in the daily check-in: from `starts_on` (today) a day without a check-in by
    the deadline alerts the household's responsible person."""
    if not may_enrol(by, elder):
        raise NotAllowed(_("You may not enrol elders of this community."))
    errors: dict[str, str] = {}
    if checker not in Checker.values:
        errors["checker"] = _("Choose who checks in.")
    if checker == Checker.FAMILY and not checker_name.strip():
        errors["checker_name"] = _("Enter the family member's name.")
    if not outreach_rules.is_valid_phone(phone):
        errors["phone"] = _("Enter a valid phone number.")
    if errors:
        raise EnrolmentInvalid("; ".join(dict.fromkeys(errors.values())), errors=errors)
    if CheckinEnrolment.objects.filter(elder=elder, ended_at__isnull=True).exists():
        raise AlreadyEnrolled(_("This elder is already enrolled in the daily check-in."))
    phone = outreach_rules.normalise_phone(phone)
    try:
        with transaction.atomic():
            return CheckinEnrolment.objects.create(
                elder=elder,
                checker=checker,
                checker_name=checker_name.strip() if checker == Checker.FAMILY else "",
                phone=phone,
                phone_masked=mask_phone(phone),
                phone_index=selectors.phone_index(phone),
                deadline=deadline or default_deadline(),
                starts_on=starts_on or timezone.localdate(),
                token_nonce=tokens.new_nonce(),
                enrolled_by=by,
            )
    except IntegrityError as exc:  # another enrolment won the race
        raise AlreadyEnrolled(_("This elder is already enrolled in the daily check-in.")) from exc


@transaction.atomic
def enrolment_end(*, enrolment: CheckinEnrolment, by: User) -> CheckinEnrolment:
    """End an enrolment: no more alerts, and its personal page's link stops working."""
    enrolment = CheckinEnrolment.objects.select_for_update(of=("self",)).select_related("elder").get(pk=enrolment.pk)
    if not may_enrol(by, enrolment.elder):
        raise NotAllowed(_("You may not enrol elders of this community."))
    if enrolment.ended_at is not None:
        raise EnrolmentEnded(_("This enrolment has already ended."))
    enrolment.ended_at = timezone.now()
    enrolment.ended_by = by
    enrolment.save(update_fields=["ended_at", "ended_by", "updated_at"])
    return enrolment


@transaction.atomic
def link_reissue(*, enrolment: CheckinEnrolment, by: User) -> CheckinEnrolment:
    """A new link for the personal page (a phone lost or the link passed on): the old one stops."""
    enrolment = CheckinEnrolment.objects.select_for_update(of=("self",)).select_related("elder").get(pk=enrolment.pk)
    if not may_enrol(by, enrolment.elder):
        raise NotAllowed(_("You may not enrol elders of this community."))
    if enrolment.ended_at is not None:
        raise EnrolmentEnded(_("This enrolment has already ended."))
    enrolment.token_nonce = tokens.new_nonce()
    enrolment.save(update_fields=["token_nonce", "updated_at"])
    return enrolment


@transaction.atomic
def checkin_record(
    *, enrolment: CheckinEnrolment, channel: str, text: str = "", at: datetime.datetime | None = None
) -> CheckIn:
    """The day's "I am fine": the first of the day is kept, pressing again changes nothing. A
    check-in after an alert closes the alert (the elder checked in late)."""
    at = at or timezone.now()
    if enrolment.ended_at is not None:
        raise EnrolmentEnded(_("This enrolment has already ended."))
    day = rules.local_day(at)
    checkin, _created = CheckIn.objects.get_or_create(
        enrolment=enrolment,
        day=day,
        defaults={"elder_id": enrolment.elder_id, "at": at, "channel": channel, "text": text.strip()[:REPLY_MAX]},
    )
    for alert in MissedCheckin.objects.select_for_update(of=("self",)).filter(
        enrolment=enrolment, day=day, resolved_at__isnull=True
    ):
        alert.resolved_at = at
        alert.how = Resolution.LATE_CHECKIN
        alert.save(update_fields=["resolved_at", "how", "updated_at"])
    return checkin


def sms_reply_receive(*, phone: str, text: str) -> list[CheckIn]:
    """A text message from a phone: any reply from an enrolled phone ("1", "好"...) is the day's
    check-in of each elder enrolled with it."""
    return [
        checkin_record(enrolment=e, channel=Channel.SMS, text=text) for e in selectors.enrolments_by_phone(phone=phone)
    ]


def missing_checkins_alert(*, now: datetime.datetime | None = None) -> int:
    """Alert for every enrolment whose check-in of today is missed (`rules.checkin_missed`); once
    per elder and day however often it runs. Returns the number of alerts raised."""
    now = now or timezone.now()
    today = rules.local_day(now)
    last_checkins = dict(
        CheckIn.objects.filter(day=today, enrolment__ended_at__isnull=True).values_list("enrolment_id", "at")
    )
    alerted = set(MissedCheckin.objects.filter(day=today).values_list("enrolment_id", flat=True))
    raised = 0
    for enrolment in selectors.active_enrolments(on=today).select_related("elder").order_by("pk"):
        if enrolment.pk in alerted:
            continue
        if not rules.checkin_missed(
            now=now, deadline=enrolment.deadline, last_checkin_at=last_checkins.get(enrolment.pk)
        ):
            continue
        alert, created = MissedCheckin.objects.get_or_create(
            enrolment=enrolment,
            day=today,
            defaults={
                "elder": enrolment.elder,
                "community_id": enrolment.elder.community_id,
                "responsible": selectors.primary_of(enrolment.elder_id),
            },
        )
        if created:
            _alert_notify(alert)
            raised += 1
    return raised


def _alert_notify(alert: MissedCheckin) -> None:
    """Tell the primary responsible person at once, by text message too; without one, the
    community's workers."""
    message = _("%(name)s has not checked in today by %(deadline)s: please make sure the elder is fine.") % {
        "name": alert.elder.name,
        "deadline": f"{alert.enrolment.deadline:%H:%M}",
    }
    url = reverse("outreach_checkins:alert", args=[alert.pk])
    key = f"outreach-checkins-missed:{alert.pk}"
    person = alert.responsible
    if person is not None and person.user is not None:
        notification_send(user=person.user, message=message, url=url, dedupe_key=key, sms=True)
        return
    if person is not None and person.phone:
        sms_send(phone=person.phone, text=message, purpose="missed_checkin", dedupe_key=key)
    workers = User.objects.filter(
        is_active=True, role_assignments__role=Role.COMMUNITY_WORKER, role_assignments__division_id=alert.community_id
    ).distinct()
    for worker in workers:
        notification_send(user=worker, message=message, url=url, dedupe_key=key, sms=person is None)


@transaction.atomic
def alert_confirm(*, alert: MissedCheckin, by: User, how: str, note: str = "") -> MissedCheckin:
    """The responsible person confirms the elder is fine (or that help was arranged), and how."""
    alert = MissedCheckin.objects.select_for_update(of=("self",)).select_related("elder").get(pk=alert.pk)
    if not may_confirm(by, alert):
        raise NotAllowed(_("You are not responsible for this household."))
    if alert.resolved_at is not None:
        raise AlertResolved(_("This missed check-in has already been confirmed."))
    errors: dict[str, str] = {}
    if how not in Resolution.values or how == Resolution.LATE_CHECKIN:
        errors["how"] = _("Choose how you made sure the elder is fine.")
    if how == Resolution.HELP and not note.strip():
        errors["note"] = _("Write down what was arranged.")
    if errors:
        raise EnrolmentInvalid("; ".join(dict.fromkeys(errors.values())), errors=errors)
    alert.resolved_at = timezone.now()
    alert.resolved_by = by
    alert.how = how
    alert.note = note.strip()
    alert.save(update_fields=["resolved_at", "resolved_by", "how", "note", "updated_at"])
    return alert
