"""Writes of emergency outreach: a screening, the responsible persons of a household, emergency
responses, contact records and the escalations they raise."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.masking import mask_phone
from eldercare.models import Division, Elder, Role, User
from eldercare.scoping import scope_for
from eldercare.services import notification_send, notifications_settle
from eldercare.text import clean_text

from . import rules, selectors
from .errors import ContactInvalid, EscalationClosed, ResponseClosed, ResponsibleTaken, ScreeningInvalid
from .models import (
    CareNeed,
    Contact,
    ContactMethod,
    ContactResult,
    CoverageFigure,
    CoverageReading,
    EmergencyContact,
    EmergencyResponse,
    Escalation,
    LivingArrangement,
    ResponseKind,
    ResponsibleKind,
    ResponsiblePerson,
    TemporaryCaregiver,
    VulnerabilityProfile,
)

# Roles that screen and assign responsible persons in their part of the tree.
OUTREACH_EDITORS = (Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.SYSADMIN)
MAX_CONTACTS = 3


@dataclass
class ContactData:
    name: str
    relation: str
    phone: str


@dataclass
class ScreeningData:
    """What a screening records (a form, an API call or a spreadsheet row)."""

    living_arrangement: str
    screened_on: datetime.date
    solitary: bool = False
    left_behind: bool = False
    empty_nest: bool = False
    care_need: str = CareNeed.SELF_CARE
    dispersed_extreme_poverty: bool = False
    carers_absent: bool = False
    chronic_medicine: bool = False
    medicines: str = ""
    note: str = ""
    contacts: list[ContactData] = field(default_factory=list)

    def flags(self) -> rules.Flags:
        return rules.Flags(
            solitary=self.solitary,
            left_behind=self.left_behind,
            empty_nest=self.empty_nest,
            care_need=self.care_need,
            dispersed_extreme_poverty=self.dispersed_extreme_poverty,
            carers_absent=self.carers_absent,
            chronic_medicine=self.chronic_medicine,
        )


def is_responsible_for(user: User, elder: Elder) -> bool:
    return ResponsiblePerson.objects.filter(elder=elder, user=user, ends_on__isnull=True).exists()


def may_assign(user: User, elder: Elder) -> bool:
    """Community workers, street and district reviewers of the elder's community assign."""
    return (user.is_superuser or user.has_role(*OUTREACH_EDITORS)) and scope_for(user).covers_community(
        elder.community_id
    )


def may_screen(user: User, elder: Elder) -> bool:
    """Those who assign, and the household's own current responsible persons (who visit it)."""
    return may_assign(user, elder) or is_responsible_for(user, elder)


def screening_validate(*, data: ScreeningData) -> dict[str, str]:
    """Every problem of a screening as {field: message}; empty when it can be recorded."""
    errors: dict[str, str] = {}
    if data.living_arrangement not in LivingArrangement.values:
        errors["living_arrangement"] = _("Choose the living arrangement.")
    if data.care_need not in CareNeed.values:
        errors["care_need"] = _("Choose the care need.")
    if data.screened_on is None or data.screened_on > timezone.localdate():
        errors["screened_on"] = _("The screening date cannot be in the future.")
    if len(data.contacts) > MAX_CONTACTS:
        errors["contacts"] = _("At most %(count)s emergency contacts.") % {"count": MAX_CONTACTS}
    for i, contact in enumerate(data.contacts, start=1):
        if not clean_text(contact.name) or not clean_text(contact.relation):
            errors[f"contact{i}_name"] = _("Enter the contact's name and relation.")
        if not rules.is_valid_phone(contact.phone):
            errors[f"contact{i}_phone"] = _("Enter a valid phone number.")
    return errors


@transaction.atomic
def profile_screen(*, elder: Elder, data: ScreeningData, by: User) -> VulnerabilityProfile:
    """Record (or record again) the screening of an elder at home; the risk level follows the
    flags (`rules.risk_level`) and the emergency contacts are replaced by those given."""
    if not may_screen(by, elder):
        raise NotAllowed(_("You may not screen this elder."))
    errors = screening_validate(data=data)
    if errors:
        raise ScreeningInvalid("; ".join(dict.fromkeys(errors.values())), errors=errors)
    profile = VulnerabilityProfile.objects.select_for_update(of=("self",)).filter(elder=elder).first()
    if profile is None:
        profile = VulnerabilityProfile(elder=elder)
    for name in (
        "solitary",
        "left_behind",
        "empty_nest",
        "care_need",
        "dispersed_extreme_poverty",
        "carers_absent",
        "chronic_medicine",
        "living_arrangement",
        "screened_on",
    ):
        setattr(profile, name, getattr(data, name))
    profile.medicines = data.medicines.strip() if data.chronic_medicine else ""
    profile.note = clean_text(data.note)
    profile.screened_by = by
    profile.risk_level = rules.risk_level(data.flags())
    profile.save()
    profile.contacts.all().delete()
    for contact in data.contacts:
        phone = rules.normalise_phone(contact.phone)
        EmergencyContact.objects.create(
            profile=profile,
            name=clean_text(contact.name),
            relation=clean_text(contact.relation),
            phone=phone,
            phone_masked=mask_phone(phone),
        )
    return profile


def _check_assignee(*, kind: str, user: User | None, name: str, phone: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in ResponsibleKind.values:
        errors["kind"] = _("Choose the kind of responsible person.")
    if user is None:
        if not clean_text(name):
            errors["name"] = _("Choose a login or enter the person's name.")
        if not rules.is_valid_phone(phone):
            errors["phone"] = _("Enter a valid phone number.")
    elif phone and not rules.is_valid_phone(phone):
        errors["phone"] = _("Enter a valid phone number.")
    return errors


@transaction.atomic
def responsible_assign(
    *,
    elder: Elder,
    duty: str,
    kind: str,
    starts_on: datetime.date,
    by: User,
    user: User | None = None,
    name: str = "",
    phone: str = "",
) -> ResponsiblePerson:
    """Name a household's primary responsible person or deputy: a login, or an outside person with
    a phone. A household has one current person of each duty: end the current one first."""
    if not may_assign(by, elder):
        raise NotAllowed(_("You may not assign responsible persons in this community."))
    errors = _check_assignee(kind=kind, user=user, name=name, phone=phone)
    if duty not in ResponsiblePerson.Duty.values:
        errors["duty"] = _("Choose primary or deputy.")
    if errors:
        raise ValidationFailed("; ".join(dict.fromkeys(errors.values())), errors=errors)
    if ResponsiblePerson.objects.filter(elder=elder, duty=duty, ends_on__isnull=True).exists():
        raise ResponsibleTaken(_("This household already has a current person for this duty: end it first."))
    if user is not None and ResponsiblePerson.objects.filter(elder=elder, user=user, ends_on__isnull=True).exists():
        raise ResponsibleTaken(_("This person is already responsible for this household."))
    phone = rules.normalise_phone(phone)
    try:
        with transaction.atomic():
            return ResponsiblePerson.objects.create(
                elder=elder,
                duty=duty,
                kind=kind,
                user=user,
                name="" if user is not None else clean_text(name),
                phone=phone,
                phone_masked=mask_phone(phone),
                starts_on=starts_on,
                assigned_by=by,
            )
    except IntegrityError as exc:  # another assignment won the race
        raise ResponsibleTaken(_("This household already has a current person for this duty: end it first.")) from exc


@transaction.atomic
def responsible_end(*, person: ResponsiblePerson, ends_on: datetime.date, by: User) -> ResponsiblePerson:
    """End a responsibility on a date (not before it began); the household then needs a new one."""
    if not may_assign(by, person.elder):
        raise NotAllowed(_("You may not assign responsible persons in this community."))
    if person.ends_on is not None:
        raise ResponsibleTaken(_("This responsibility has already ended."))
    if ends_on < person.starts_on:
        raise ValidationFailed(_("The end date cannot be before the start date."))
    person.ends_on = ends_on
    person.save(update_fields=["ends_on", "updated_at"])
    return person


@transaction.atomic
def caregiver_name(
    *,
    elder: Elder,
    name: str,
    phone: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    by: User,
    meals: bool = False,
    daily_care: bool = False,
    medicine: bool = False,
    note: str = "",
) -> TemporaryCaregiver:
    """Name a temporary caregiver (临时照料人) for a household while its family carers are away:
    who, with a phone to reach them, for which days, and what they do (at least one thing)."""
    if not may_assign(by, elder):
        raise NotAllowed(_("You may not assign responsible persons in this community."))
    errors = {}
    if not clean_text(name):
        errors["name"] = _("Enter the caregiver's name.")
    if not rules.is_valid_phone(phone):
        errors["phone"] = _("Enter a valid phone number.")
    if ends_on < starts_on:
        errors["ends_on"] = _("The end date cannot be before the start date.")
    if not (meals or daily_care or medicine or clean_text(note)):
        errors["meals"] = _("Say what the caregiver does: meals, daily care, medicine or something else.")
    if errors:
        raise ValidationFailed("; ".join(str(m) for m in dict.fromkeys(errors.values())), errors=errors)
    phone = rules.normalise_phone(phone)
    return TemporaryCaregiver.objects.create(
        elder=elder,
        name=clean_text(name),
        phone=phone,
        phone_masked=mask_phone(phone),
        starts_on=starts_on,
        ends_on=ends_on,
        meals=meals,
        daily_care=daily_care,
        medicine=medicine,
        note=clean_text(note),
        named_by=by,
    )


@transaction.atomic
def caregiver_end(*, caregiver: TemporaryCaregiver, ends_on: datetime.date, by: User) -> TemporaryCaregiver:
    """End a temporary caregiver's period early (the family carer is back, or someone else takes over)."""
    caregiver = TemporaryCaregiver.objects.select_for_update(of=("self",)).get(pk=caregiver.pk)
    if not may_assign(by, caregiver.elder):
        raise NotAllowed(_("You may not assign responsible persons in this community."))
    if not caregiver.starts_on <= ends_on < caregiver.ends_on:
        raise ValidationFailed(_("End the period on a day within it, before its planned end."))
    caregiver.ends_on = ends_on
    caregiver.save(update_fields=["ends_on", "updated_at"])
    return caregiver


# Roles that close an escalation of a household in their part of the tree.
ESCALATION_CLOSERS = (Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.SYSADMIN)
MAX_INTERVAL_DAYS = 30


def may_declare(user: User, district: Division) -> bool:
    """The district's reviewers declare and end its emergency responses."""
    return (user.is_superuser or user.has_role(Role.DISTRICT_REVIEWER, Role.SYSADMIN)) and (
        scope_for(user).all or district.pk in scope_for(user).district_ids
    )


def may_contact(user: User, elder: Elder) -> bool:
    """The household's responsible persons, and those who assign them, record its contacts."""
    return is_responsible_for(user, elder) or may_assign(user, elder)


def may_close_escalation(user: User, escalation: Escalation) -> bool:
    return (user.is_superuser or user.has_role(*ESCALATION_CLOSERS)) and scope_for(user).covers_community(
        escalation.community_id
    )


@transaction.atomic
def response_declare(
    *,
    by: User,
    district: Division,
    kind: str,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    streets: Iterable[Division] = (),
    interval_high: int = rules.DEFAULT_INTERVAL_DAYS[rules.HIGH],
    interval_medium: int = rules.DEFAULT_INTERVAL_DAYS[rules.MEDIUM],
    interval_low: int = rules.DEFAULT_INTERVAL_DAYS[rules.LOW],
    temperature_required: bool = False,
) -> EmergencyResponse:
    """Declare an emergency response of the district (or of some of its streets) and its contact
    rule: from its first day its households are on their responsible persons' lists."""
    if not may_declare(by, district):
        raise NotAllowed(_("Only the district's reviewers declare its emergency responses."))
    streets = list(streets)
    errors: dict[str, str] = {}
    if kind not in ResponseKind.values:
        errors["kind"] = _("Choose the kind of emergency.")
    if not clean_text(name):
        errors["name"] = _("Enter the name of the response.")
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The end date cannot be before the start date.")
    for key, days in (
        ("interval_high", interval_high),
        ("interval_medium", interval_medium),
        ("interval_low", interval_low),
    ):
        if not 1 <= days <= MAX_INTERVAL_DAYS:
            errors[key] = _("Days between contacts must be from 1 to %(max)s.") % {"max": MAX_INTERVAL_DAYS}
    if any(s.level != Division.Level.STREET or s.parent_id != district.pk for s in streets):
        errors["streets"] = _("Choose streets or towns of the district.")
    if errors:
        raise ValidationFailed("; ".join(dict.fromkeys(errors.values())), errors=errors)
    response = EmergencyResponse.objects.create(
        kind=kind,
        name=clean_text(name),
        district=district,
        starts_on=starts_on,
        ends_on=ends_on,
        interval_high=interval_high,
        interval_medium=interval_medium,
        interval_low=interval_low,
        temperature_required=temperature_required,
        declared_by=by,
    )
    response.streets.set(streets)
    return response


@transaction.atomic
def response_end(*, response: EmergencyResponse, by: User) -> EmergencyResponse:
    """End a response today: its households leave the contact lists; the records stay."""
    response = EmergencyResponse.objects.select_for_update(of=("self",)).get(pk=response.pk)
    if not may_declare(by, response.district):
        raise NotAllowed(_("Only the district's reviewers end its emergency responses."))
    if response.ended_at is not None:
        raise ResponseClosed(_("This emergency response has already ended."))
    today = timezone.localdate()
    response.ends_on = max(today, response.starts_on)
    response.ended_at = timezone.now()
    response.ended_by = by
    response.save(update_fields=["ends_on", "ended_at", "ended_by", "updated_at"])
    return response


def contact_validate(
    *, rule: rules.ContactRule, method: str, result: str, temperature: Decimal | None, needs: str
) -> dict[str, str]:
    """Every problem of a contact record as {field: message}; empty when it can be kept."""
    errors: dict[str, str] = {}
    if method not in ContactMethod.values:
        errors["method"] = _("Choose how the household was contacted.")
    if result not in ContactResult.values:
        errors["result"] = _("Choose the result of the contact.")
    if temperature is not None and not rules.is_valid_temperature(temperature):
        errors["temperature"] = _("The temperature must be from %(min)s to %(max)s °C.") % {
            "min": rules.TEMPERATURE_MIN,
            "max": rules.TEMPERATURE_MAX,
        }
    elif temperature is None and rule.temperature_required and result != ContactResult.UNREACHABLE:
        errors["temperature"] = _("This response requires the elder's temperature at each contact.")
    if result == ContactResult.NEEDS and not needs.strip():
        errors["needs"] = _("Write down what the household needs.")
    return errors


@transaction.atomic
def contact_record(
    *,
    response: EmergencyResponse,
    elder: Elder,
    by: User,
    method: str,
    result: str,
    temperature: Decimal | None = None,
    needs: str = "",
    note: str = "",
    at: datetime.datetime | None = None,
) -> Contact:
    """Record a contact with a household under a response in progress. A health problem, or the
    household unreachable at its last two contacts (`rules.escalation_reason`), escalates it to its
    community with a deadline of `OUTREACH_ESCALATION_HOURS`."""
    now = timezone.now()
    at = at or now
    if not may_contact(by, elder):
        raise NotAllowed(_("You are not responsible for this household."))
    # One household's contacts are written one at a time, so the last two are the last two.
    elder = Elder.objects.select_for_update(of=("self",)).get(pk=elder.pk)
    response = EmergencyResponse.objects.select_for_update(of=("self",)).get(pk=response.pk)
    day = timezone.localdate(at)
    if at > now:
        raise ContactInvalid(
            _("A contact cannot be in the future."), errors={"at": _("A contact cannot be in the future.")}
        )
    if not response.is_active(day):
        raise ResponseClosed(_("This emergency response is not in progress on that day."))
    if not Elder.objects.filter(pk=elder.pk).filter(selectors.area_q(response)).exists():
        raise ContactInvalid(_("This household is outside the area of the response."))
    errors = contact_validate(rule=response.rule(), method=method, result=result, temperature=temperature, needs=needs)
    if errors:
        raise ContactInvalid("; ".join(dict.fromkeys(errors.values())), errors=errors)
    contact = Contact.objects.create(
        response=response,
        elder=elder,
        by=by,
        at=at,
        day=day,
        method=method,
        result=result,
        temperature=temperature,
        needs=needs.strip(),
        note=clean_text(note),
    )
    latest = Contact.objects.filter(response=response, elder=elder).order_by("-at", "-id")
    reason = rules.escalation_reason(list(latest.values_list("result", flat=True)[: rules.UNREACHABLE_IN_A_ROW]))
    if (
        reason is not None
        and not Escalation.objects.filter(
            response=response, elder=elder, reason=reason, closed_at__isnull=True
        ).exists()
    ):
        escalation = Escalation.objects.create(
            response=response,
            elder=elder,
            community_id=elder.community_id,
            contact=contact,
            reason=reason,
            deadline=at + datetime.timedelta(hours=settings.OUTREACH_ESCALATION_HOURS),
        )
        _escalation_notify(escalation)
    return contact


def _escalation_notify(escalation: Escalation) -> None:
    """Tell the community's workers at once, in the app and by text message (it cannot wait); the
    escalation stays on their work list until closed."""
    message = _("%(name)s needs the community: %(reason)s. Act by %(deadline)s.") % {
        "name": escalation.elder.name,
        "reason": escalation.get_reason_display(),
        "deadline": f"{timezone.localtime(escalation.deadline):%m-%d %H:%M}",
    }
    workers = User.objects.filter(
        is_active=True,
        role_assignments__role=Role.COMMUNITY_WORKER,
        role_assignments__division_id=escalation.community_id,
    ).distinct()
    url = reverse("outreach:escalation_close", args=[escalation.pk])
    for worker in workers:
        notification_send(user=worker, message=message, url=url, dedupe_key=_escalation_key(escalation), sms=True)


def _escalation_key(escalation: Escalation) -> str:
    return f"outreach-escalation:{escalation.pk}"


@transaction.atomic
def escalation_close(*, escalation: Escalation, by: User, note: str) -> Escalation:
    """Close an escalation with what the community did (a visit, a call to 120, a doctor...)."""
    escalation = Escalation.objects.select_for_update(of=("self",)).get(pk=escalation.pk)
    if not may_close_escalation(by, escalation):
        raise NotAllowed(_("Only the household's community closes its escalations."))
    if escalation.closed_at is not None:
        raise EscalationClosed(_("This escalation has already been closed."))
    if not clean_text(note):
        raise ValidationFailed(_("Write down what was done."), errors={"note": _("Write down what was done.")})
    escalation.closed_at = timezone.now()
    escalation.closed_by = by
    escalation.close_note = clean_text(note)
    escalation.save(update_fields=["closed_at", "closed_by", "close_note", "updated_at"])
    # The notice to the community's workers has been acted on, whoever closed it.
    notifications_settle(dedupe_key=_escalation_key(escalation))
    return escalation


def coverage_readings_take(*, today: datetime.date | None = None) -> CoverageReading:
    """Store a reading of every community's figures on the day, keep the one before until the next
    (a coverage reading it meanwhile finds it whole) and drop the older ones. Idempotent (scheduled
    every half hour: the fresher the reading, the fewer communities the coverage counts live)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        as_of = timezone.now()  # before the read: what changes during it is counted live
        reading = CoverageReading.objects.create(day=today, as_of=as_of)
        CoverageFigure.objects.bulk_create(
            CoverageFigure(reading=reading, community_id=community, **figures)
            for community, figures in selectors.coverage_counted(selectors.register_of(today)).items()
        )
        kept = CoverageReading.objects.order_by("-as_of", "-pk").values_list("pk", flat=True)[:2]
        CoverageReading.objects.exclude(pk__in=list(kept)).delete()
    return reading
