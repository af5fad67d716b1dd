"""Writes of the vulnerability register: a screening, and the responsible persons of a household."""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.masking import mask_phone
from eldercare.models import Elder, Role, User
from eldercare.scoping import scope_for

from . import rules
from .errors import ResponsibleTaken, ScreeningInvalid
from .models import (
    CareNeed,
    EmergencyContact,
    LivingArrangement,
    ResponsibleKind,
    ResponsiblePerson,
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
        if not contact.name.strip() or not contact.relation.strip():
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
    profile = VulnerabilityProfile.objects.select_for_update().filter(elder=elder).first()
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
    profile.note = data.note.strip()
    profile.screened_by = by
    profile.risk_level = rules.risk_level(data.flags())
    profile.save()
    profile.contacts.all().delete()
    for contact in data.contacts:
        phone = rules.normalise_phone(contact.phone)
        EmergencyContact.objects.create(
            profile=profile,
            name=contact.name.strip(),
            relation=contact.relation.strip(),
            phone=phone,
            phone_masked=mask_phone(phone),
        )
    return profile


def _check_assignee(*, kind: str, user: User | None, name: str, phone: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in ResponsibleKind.values:
        errors["kind"] = _("Choose the kind of responsible person.")
    if user is None:
        if not name.strip():
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
                name="" if user is not None else name.strip(),
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
