"""Writes of active care calls: the district's plans, the daily call lists, each call's outcome
and the home visits that two unanswered calls in a row ask of the household's responsible person."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import NotAllowed
from eldercare.models import Division, Elder, Role, User
from eldercare.services import notification_send
from eldercare.sms import sms_send
from outreach import services as outreach_services
from outreach.models import ResponsiblePerson

from . import rules, selectors
from .errors import CallAlreadyRecorded, CallInvalid, VisitAlreadyRecorded
from .models import CallListEntry, CallOutcome, CallPlan, CallResult, CallTarget, HomeVisitRequest, VisitFinding


def may_manage(user: User, district: Division) -> bool:
    """The district's reviewers set up and end its call plans."""
    return selectors.manageable_districts(user).filter(pk=district.pk).exists()


def may_call(user: User, plan: CallPlan) -> bool:
    return user.is_superuser or plan.callers.filter(pk=user.pk).exists()


def may_record_visit(user: User, visit: HomeVisitRequest) -> bool:
    """The household's responsible persons, and those who assign them (its community)."""
    return outreach_services.may_contact(user, visit.elder)


def _plan_errors(
    *, district: Division, name: str, target: str, interval_days: int, starts_on, ends_on, callers: list[User]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Enter the name of the plan.")
    if target not in CallTarget.values:
        errors["target"] = _("Choose the households to call.")
    if not 1 <= interval_days <= rules.MAX_INTERVAL_DAYS:
        errors["interval_days"] = _("Days between calls must be from 1 to %(max)s.") % {"max": rules.MAX_INTERVAL_DAYS}
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The end date cannot be before the start date.")
    allowed = set(selectors.caller_choices(district).values_list("pk", flat=True))
    if not callers:
        errors["callers"] = _("Name at least one hotline operator.")
    elif any(c.pk not in allowed for c in callers):
        errors["callers"] = _("Hotline operators must work in the district's offices.")
    return errors


@transaction.atomic
def plan_create(
    *,
    by: User,
    district: Division,
    name: str,
    target: str,
    callers: Iterable[User],
    starts_on: datetime.date,
    interval_days: int = rules.DEFAULT_INTERVAL_DAYS,
    ends_on: datetime.date | None = None,
) -> CallPlan:
    """A plan of active care calls of the district: from its first day its households are put on
    the operators' call lists as `rules.call_due` says."""
    if not may_manage(by, district):
        raise NotAllowed(_("Only the district's reviewers manage its call plans."))
    callers = list(callers)
    errors = _plan_errors(
        district=district,
        name=name,
        target=target,
        interval_days=interval_days,
        starts_on=starts_on,
        ends_on=ends_on,
        callers=callers,
    )
    if errors:
        raise CallInvalid("; ".join(dict.fromkeys(errors.values())), errors=errors)
    plan = CallPlan.objects.create(
        district=district,
        name=name.strip(),
        target=target,
        interval_days=interval_days,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=by,
    )
    plan.callers.set(callers)
    return plan


@transaction.atomic
def plan_callers_set(*, plan: CallPlan, callers: Iterable[User], by: User) -> CallPlan:
    """Change who calls for a plan; the entries already generated go to the new operators."""
    if not may_manage(by, plan.district):
        raise NotAllowed(_("Only the district's reviewers manage its call plans."))
    callers = list(callers)
    errors = _plan_errors(
        district=plan.district,
        name=plan.name,
        target=plan.target,
        interval_days=plan.interval_days,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        callers=callers,
    )
    if errors:
        raise CallInvalid("; ".join(dict.fromkeys(errors.values())), errors=errors)
    plan.callers.set(callers)
    return plan


@transaction.atomic
def plan_end(*, plan: CallPlan, by: User) -> CallPlan:
    """End a plan today: no list is generated after today; the records stay."""
    plan = CallPlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
    if not may_manage(by, plan.district):
        raise NotAllowed(_("Only the district's reviewers manage its call plans."))
    today = timezone.localdate()
    if plan.ends_on is not None and plan.ends_on <= today:
        raise CallAlreadyRecorded(_("This call plan has already ended."))
    plan.ends_on = max(today, plan.starts_on)
    plan.save(update_fields=["ends_on", "updated_at"])
    return plan


def call_list_generate(*, plan: CallPlan, on: datetime.date) -> int:
    """Put the plan's households due on `on` on its list of that day; running it again adds only
    what is missing. Returns the number of entries added."""
    if not plan.is_active(on):
        return 0
    due = selectors.due_elders(plan=plan, on=on)
    before = CallListEntry.objects.filter(plan=plan, day=on).count()
    CallListEntry.objects.bulk_create(
        [CallListEntry(plan=plan, elder_id=pk, day=on) for pk in due], ignore_conflicts=True, batch_size=500
    )
    return CallListEntry.objects.filter(plan=plan, day=on).count() - before


def call_lists_generate(*, on: datetime.date | None = None) -> int:
    """The call lists of every plan in progress on `on` (today by default)."""
    on = on or timezone.localdate()
    return sum(call_list_generate(plan=plan, on=on) for plan in CallPlan.objects.order_by("pk") if plan.is_active(on))


@transaction.atomic
def call_record(
    *,
    entry: CallListEntry,
    by: User,
    result: str,
    note: str = "",
    at: datetime.datetime | None = None,
) -> CallOutcome:
    """Record the outcome of a call of the list (once; outcomes are never changed). Reached with a
    need tells the household's community; two calls in a row reaching nobody
    (`rules.visit_needed`) ask the household's primary responsible person for a home visit."""
    now = timezone.now()
    at = at or now
    if not may_call(by, entry.plan):
        raise NotAllowed(_("You are not a hotline operator of this plan."))
    # One household's calls are written one at a time, so the last two are the last two.
    elder = Elder.objects.select_for_update(of=("self",)).get(pk=entry.elder_id)
    errors: dict[str, str] = {}
    if result not in CallResult.values:
        errors["result"] = _("Choose the outcome of the call.")
    if result == CallResult.REACHED_NEEDS_HELP and not note.strip():
        errors["note"] = _("Write down what the household needs.")
    if at > now:
        errors["at"] = _("A call cannot be in the future.")
    elif timezone.localdate(at) < entry.day:
        errors["at"] = _("A call cannot be before the day of its list.")
    if errors:
        raise CallInvalid("; ".join(dict.fromkeys(errors.values())), errors=errors)
    if CallOutcome.objects.filter(entry=entry).exists():
        raise CallAlreadyRecorded(_("This call has already been recorded."))
    outcome = CallOutcome.objects.create(
        entry=entry,
        plan=entry.plan,
        elder=elder,
        by=by,
        at=at,
        day=timezone.localdate(at),
        result=result,
        note=note.strip(),
    )
    if result == CallResult.REACHED_NEEDS_HELP:
        _needs_notify(outcome)
    latest = CallOutcome.objects.filter(plan=entry.plan, elder=elder).order_by("-at", "-id")
    results = list(latest.values_list("result", flat=True)[: rules.NOT_REACHED_IN_A_ROW])
    if (
        rules.visit_needed(results)
        and not HomeVisitRequest.objects.filter(plan=entry.plan, elder=elder, visited_at__isnull=True).exists()
    ):
        visit = HomeVisitRequest.objects.create(
            plan=entry.plan,
            elder=elder,
            community_id=elder.community_id,
            outcome=outcome,
            responsible=ResponsiblePerson.objects.filter(
                elder=elder, duty=ResponsiblePerson.Duty.PRIMARY, ends_on__isnull=True
            ).first(),
        )
        _visit_notify(visit)
    return outcome


def _community_workers(community_id: int):
    return User.objects.filter(
        is_active=True,
        role_assignments__role=Role.COMMUNITY_WORKER,
        role_assignments__division_id=community_id,
    ).distinct()


def _needs_notify(outcome: CallOutcome) -> None:
    message = _("%(name)s needs help (active care call): %(note)s") % {
        "name": outcome.elder.name,
        "note": outcome.note,
    }
    url = reverse("outreach:responsible", args=[outcome.elder_id])
    for worker in _community_workers(outcome.elder.community_id):
        notification_send(user=worker, message=message, url=url, dedupe_key=f"outreach-calls-needs:{outcome.pk}")


def _visit_notify(visit: HomeVisitRequest) -> None:
    """Tell the primary responsible person at once, by text message too: a login gets a notice, an
    outside person a message to their phone. Without one, the community's workers are told."""
    message = _("%(name)s did not answer the active care calls twice in a row: please visit the home.") % {
        "name": visit.elder.name
    }
    url = reverse("outreach_calls:visit", args=[visit.pk])
    key = f"outreach-calls-visit:{visit.pk}"
    person = visit.responsible
    if person is not None and person.user is not None:
        notification_send(user=person.user, message=message, url=url, dedupe_key=key, sms=True)
    elif person is not None and person.phone:
        sms_send(phone=person.phone, text=message, purpose="home_visit", dedupe_key=key)
    else:
        for worker in _community_workers(visit.community_id):
            notification_send(user=worker, message=message, url=url, dedupe_key=key, sms=True)


@transaction.atomic
def visit_record(*, visit: HomeVisitRequest, by: User, finding: str, note: str = "") -> HomeVisitRequest:
    """Record the home visit (what it found); the household goes back on the call lists."""
    visit = HomeVisitRequest.objects.select_for_update(of=("self",)).select_related("elder").get(pk=visit.pk)
    if not may_record_visit(by, visit):
        raise NotAllowed(_("You are not responsible for this household."))
    if visit.visited_at is not None:
        raise VisitAlreadyRecorded(_("This home visit has already been recorded."))
    errors: dict[str, str] = {}
    if finding not in VisitFinding.values:
        errors["finding"] = _("Choose what the visit found.")
    if finding in (VisitFinding.NEEDS_HELP, VisitFinding.AWAY, VisitFinding.PHONE_FIXED) and not note.strip():
        errors["note"] = _("Write down what you found.")
    if errors:
        raise CallInvalid("; ".join(dict.fromkeys(errors.values())), errors=errors)
    visit.visited_at = timezone.now()
    visit.visited_by = by
    visit.finding = finding
    visit.note = note.strip()
    visit.save(update_fields=["visited_at", "visited_by", "finding", "note", "updated_at"])
    return visit
