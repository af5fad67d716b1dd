"""Writes of the daily outreach report: a unit's figures computed from the day's contacts, the
unit confirming them (a submission, or a correction that supersedes it), and the reminders to the
units that have not reported before the cut-off."""

import datetime
from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import NotAllowed
from eldercare.models import Elder, LifeStatus, Role, User
from eldercare.periods import local_day_bounds
from eldercare.services import notification_send
from outreach import rules as outreach_rules
from outreach.models import Contact, ContactResult, EmergencyResponse, Escalation, ResponsiblePerson
from outreach.selectors import active_q, area_q
from providers.models import ServiceAgreement

from . import rules, selectors
from .errors import ReportConflict, ReportInvalid
from .models import DailyReport
from .selectors import Unit

MAX_STAFF = 10_000  # more staff on duty than this in one unit is a typing error
PROBLEM_RESULTS = (ContactResult.HEALTH, ContactResult.UNREACHABLE)


@dataclass(frozen=True)
class Figures:
    """The figures of a unit's day, as the province's form asks for them."""

    households: int
    covered: int
    contacted: int
    problems: int
    needs_open: int
    needs_closed: int
    staff_on_duty: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def unit_elders(*, response: EmergencyResponse, unit: Unit, day: datetime.date) -> QuerySet[Elder]:
    """The households of the unit under the response on `day`: elders living at home, aged 60 or
    more, in the response's area, and of the unit: of the community, or (a provider) with a
    service agreement with it in force on that day."""
    qs = Elder.objects.filter(
        area_q(response),
        life_status=LifeStatus.ACTIVE,
        birth_date__lte=outreach_rules.born_on_or_before(outreach_rules.OUTREACH_MIN_AGE, day),
    )
    if unit.is_community:
        return qs.filter(community_id=unit.pk)
    agreements = ServiceAgreement.objects.filter(elder=OuterRef("pk"), provider_id=unit.pk, signed_on__lte=day).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day)
    )
    return qs.filter(Exists(agreements))


def report_figures(
    *, response: EmergencyResponse, unit: Unit, day: datetime.date, now: datetime.datetime | None = None
) -> Figures:
    """The unit's figures of the day, computed from outreach's records, never typed:

    - **households**: the unit's households under the response (`unit_elders`);
    - **covered** (关爱对象): of those, the screened ones with a responsible person (primary or
      deputy) in charge on that day;
    - **contacted**: distinct households with a contact record of that day under the response,
      answered or not (a call nobody answered counts in problems too);
    - **problems**: distinct households whose contacts of that day found a health problem or
      reached nobody;
    - **needs open**: escalations of the unit's households under the response raised and not yet
      closed at the end of the day (or now, for today), plus the households whose contacts of that
      day recorded needs (the core has no closing for those, the unit follows them up);
    - **needs closed**: escalations of the unit's households closed on that day;
    - **staff on duty**: distinct persons who recorded the day's contacts of the unit's households
      (the unit may correct it when confirming: not everyone on duty records a contact).
    """
    now = now or timezone.now()
    start, end = local_day_bounds(day)
    as_of = min(now, end - datetime.timedelta(microseconds=1))  # the last moment of the day
    elders = unit_elders(response=response, unit=unit, day=day)
    in_charge = ResponsiblePerson.objects.filter(elder=OuterRef("pk"), starts_on__lte=day).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day)
    )
    counts = elders.annotate(in_charge=Exists(in_charge)).aggregate(
        households=Count("pk"),
        covered=Count("pk", filter=Q(vulnerability__isnull=False, in_charge=True)),
    )
    contacts = Contact.objects.filter(response=response, day=day, elder__in=elders.values("pk"))
    c = contacts.aggregate(
        contacted=Count("elder", distinct=True),
        problems=Count("elder", filter=Q(result__in=PROBLEM_RESULTS), distinct=True),
        needs=Count("elder", filter=Q(result=ContactResult.NEEDS), distinct=True),
        staff=Count("by", distinct=True),
    )
    escalations = Escalation.objects.filter(response=response, elder__in=elders.values("pk"))
    open_escalations = (
        escalations.filter(contact__at__lte=as_of).filter(Q(closed_at__isnull=True) | Q(closed_at__gt=as_of)).count()
    )
    closed = escalations.filter(closed_at__gte=start, closed_at__lte=as_of).count()
    return Figures(
        households=counts["households"],
        covered=counts["covered"],
        contacted=c["contacted"],
        problems=c["problems"],
        needs_open=open_escalations + c["needs"],
        needs_closed=closed,
        staff_on_duty=c["staff"],
    )


def _validate(
    *, response: EmergencyResponse, unit: Unit, day: datetime.date, staff_on_duty: int | None, note: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    last = min(today, response.ends_on) if response.ends_on else today
    if response.ended_at is not None:
        last = min(last, timezone.localdate(response.ended_at))
    if day > today:
        errors["day"] = _("A daily report cannot be for a day to come.")
    elif not response.starts_on <= day <= last:
        errors["day"] = _("The emergency response is not in progress on that day.")
    if staff_on_duty is not None and not 0 <= staff_on_duty <= MAX_STAFF:
        errors["staff_on_duty"] = _("Staff on duty must be from 0 to %(max)s.") % {"max": MAX_STAFF}
    if len(note) > 300:
        errors["note"] = _("The note is at most 300 characters.")
    if all(u != unit for u in selectors.response_units(response)):
        errors["unit"] = _("This unit does not report under this emergency response.")
    return errors


@transaction.atomic
def report_submit(
    *,
    response: EmergencyResponse,
    unit: Unit,
    day: datetime.date,
    by: User,
    staff_on_duty: int | None = None,
    note: str = "",
    at: datetime.datetime | None = None,
) -> DailyReport:
    """A unit confirms its figures of the day (computed by `report_figures`), correcting at most
    the staff on duty and adding a note.

    Allowed after the cut-off too, but recorded late (`rules.is_on_time`). Submitting again is a
    correction: a new version that supersedes the current one, which stays as history; the day's
    on-time mark follows the first submission.

    `at` is when the unit reported, for a report on paper typed in afterwards (and the demo);
    pages and the API never pass it: their reports are made now.
    """
    if not selectors.may_submit(by, unit):
        raise NotAllowed(_("Only the unit's own staff submit its daily report."))
    note = (note or "").strip()
    errors = _validate(response=response, unit=unit, day=day, staff_on_duty=staff_on_duty, note=note)
    if errors:
        raise ReportInvalid("; ".join(dict.fromkeys(errors.values())), errors=errors)
    now = at or timezone.now()
    if now > timezone.now() or timezone.localdate(now) < day:
        raise ReportInvalid(_("A report is made on its day or later, never in the future."))
    figures = report_figures(response=response, unit=unit, day=day, now=now)
    previous = (
        DailyReport.objects.select_for_update(of=("self",))
        .filter(unit.report_q(), response=response, day=day, is_current=True)
        .first()
    )
    reported_at = previous.reported_at if previous is not None else now
    try:
        with transaction.atomic():
            if previous is not None:
                previous.is_current = False
                previous.save(update_fields=["is_current", "updated_at"])
            return DailyReport.objects.create(
                response=response,
                day=day,
                unit_kind=unit.kind,
                community_id=unit.pk if unit.is_community else None,
                provider_id=None if unit.is_community else unit.pk,
                street_id=unit.street_id,
                households=figures.households,
                covered=figures.covered,
                contacted=figures.contacted,
                problems=figures.problems,
                needs_open=figures.needs_open,
                needs_closed=figures.needs_closed,
                staff_on_duty=figures.staff_on_duty if staff_on_duty is None else staff_on_duty,
                staff_computed=figures.staff_on_duty,
                note=note,
                version=previous.version + 1 if previous is not None else 1,
                supersedes=previous,
                submitted_at=now,
                submitted_by=by,
                reported_at=reported_at,
                on_time=rules.is_on_time(reported_at, day, selectors.cutoff()),
            )
    except IntegrityError as exc:  # another submission of the same unit and day came first
        raise ReportConflict(_("The report was submitted meanwhile: reload the page and confirm again.")) from exc


def _unit_recipients(unit: Unit) -> QuerySet[User]:
    """Who answers for a unit's report: the community's workers, or the provider's administrators."""
    if unit.is_community:
        q = Q(role_assignments__role=Role.COMMUNITY_WORKER, role_assignments__division_id=unit.pk)
    else:
        q = Q(role_assignments__role=Role.PROVIDER_ADMIN, role_assignments__provider_id=unit.pk)
    return User.objects.filter(q, is_active=True).distinct().order_by("pk")


def reminder_key(*, response: EmergencyResponse, unit: Unit, day: datetime.date) -> str:
    return f"outreach-report-reminder:{response.pk}:{day.isoformat()}:{unit.key}"


def reminders_send(*, on: datetime.date | None = None) -> int:
    """Remind each unit without a report of the day, under each response in progress, by an in-app
    notice and a text message to its community workers or provider administrators.

    Idempotent: one reminder per unit, response and day however often it runs (dedupe key).
    Returns the number of units reminded (those already reminded count again, nothing is resent).
    """
    on = on or timezone.localdate()
    time = selectors.cutoff()
    url = reverse("outreach_reports:today")
    reminded = 0
    for response in EmergencyResponse.objects.filter(active_q(on)).prefetch_related("streets").order_by("pk"):
        units = selectors.response_units(response)
        reported = {
            (r.unit_kind, r.community_id or r.provider_id)
            for r in DailyReport.objects.filter(response=response, day=on, is_current=True)
        }
        for unit in units:
            if (unit.kind, unit.pk) in reported:
                continue
            message = _(
                "%(unit)s: the daily outreach report of %(day)s (%(response)s) is due by %(cutoff)s. "
                "Confirm the figures now."
            ) % {
                "unit": unit.name,
                "day": f"{on:%m-%d}",
                "response": response.name,
                "cutoff": f"{time:%H:%M}",
            }
            key = reminder_key(response=response, unit=unit, day=on)
            recipients = list(_unit_recipients(unit))
            for user in recipients:
                notification_send(user=user, message=message, url=url, dedupe_key=key, sms=True)
            reminded += bool(recipients)
    return reminded
