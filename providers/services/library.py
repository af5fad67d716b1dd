"""The provider library (providers won by tender, their status, contracts and quarterly results),
their staff and their catalogue."""

import datetime
import re
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eldercare.errors import Conflict, ValidationFailed
from eldercare.models import REVEAL_REASONS_OFFERED, Division, RevealReason, Role, User
from eldercare.periods import Quarter
from eldercare.scoping import scope_for
from eldercare.services import login_create, login_set_password
from eldercare.text import clean_text
from eldercare.uploads import check_upload
from eldercare.workflow import BadTransition, Move, Workflow, transition_apply

from .. import scorecard
from ..models import (
    Caregiver,
    CaregiverRevealLog,
    Certificate,
    CertificateKind,
    Contract,
    Provider,
    ProviderStatusEvent,
    QuarterlyAssessment,
    ServiceItem,
    TrainingRecord,
)
from .access import is_admin, require_district, require_provider_admin

PS = Provider.Status


# --- provider library -----------------------------------------------------------------------

# The provider workflow: who moves a provider's status is the district (checked first); some
# moves need a stated reason.
_DISTRICT = frozenset({Role.DISTRICT_REVIEWER, Role.SYSADMIN})
PROVIDER_WORKFLOW = Workflow(
    [
        Move(PS.CANDIDATE, PS.CONTRACTED, _DISTRICT),
        Move(PS.CONTRACTED, PS.SUSPENDED, _DISTRICT, reason_required=True),
        Move(PS.SUSPENDED, PS.CONTRACTED, _DISTRICT, reason_required=True),
        Move(PS.CONTRACTED, PS.TERMINATED, _DISTRICT, reason_required=True),
        Move(PS.SUSPENDED, PS.TERMINATED, _DISTRICT, reason_required=True),
        Move(PS.CANDIDATE, PS.TERMINATED, _DISTRICT, reason_required=True),
    ]
)


class TerminationGround(models.TextChoices):
    """Grounds for ending a provider's qualification (domain: "Providers")."""

    UNABLE_TO_DELIVER = "unable_to_deliver", gettext_lazy("Unable to deliver after winning the tender")
    FRAUD = "fraud", gettext_lazy("Fraud")
    VIOLATION = "violation", gettext_lazy("Other violation")
    RECTIFICATION_OVERDUE = "rectification_overdue", gettext_lazy("Rectification not completed by its deadline")


# A status event's reason starts with its ground in brackets: "[fraud] invoices for visits not made".
_GROUND_PREFIX = re.compile(r"^\[(?P<ground>[a-z_]+)\]\s*(?P<reason>.*)$", re.DOTALL)


def event_ground(reason: str) -> tuple[str, str]:
    """The ground's label and the free reason of a status event's stored reason."""
    match = _GROUND_PREFIX.match(reason or "")
    if match and match["ground"] in TerminationGround.values:
        return str(TerminationGround(match["ground"]).label), match["reason"]
    return "", reason


# What the district enters about a provider; the district itself comes from the reviewer's scope.
PROVIDER_FIELDS = frozenset(
    {"name", "kind", "licence_number", "other_licences", "phone", "address", "contact_name", "contact_phone"}
)


def _check_streets(district: Division, streets: list[Division]) -> None:
    if any(s.level != Division.Level.STREET or s.parent_id != district.pk for s in streets):
        raise ValidationFailed(_("Choose streets and towns of the district only."))


def _check_provider_fields(fields: dict, *, exclude_pk: int | None = None) -> None:
    unknown = set(fields) - PROVIDER_FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    if "name" in fields and not str(fields["name"]).strip():
        raise ValidationFailed(_("Enter the organisation's name."))
    if "kind" in fields and fields["kind"] not in Provider.Kind.values:
        raise ValidationFailed(_("Choose a kind of organisation."))
    if "licence_number" in fields:
        number = str(fields["licence_number"]).strip()
        if not number:
            raise ValidationFailed(_("Enter the licence number."))
        others = Provider.objects.filter(licence_number=number)
        if exclude_pk is not None:
            others = others.exclude(pk=exclude_pk)
        if others.exists():
            raise ValidationFailed(_("Another provider already has this licence number."))


@transaction.atomic
def provider_create(
    *,
    name: str,
    kind: str,
    licence_number: str,
    district: Division,
    streets: list[Division],
    by: User,
    other_licences: str = "",
    phone: str = "",
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
) -> Provider:
    """Register a provider won by tender: a candidate until its first contract is signed."""
    require_district(by)
    fields = {
        "name": name.strip(),
        "kind": kind,
        "licence_number": licence_number.strip(),
        "other_licences": other_licences,
        "phone": phone,
        "address": address,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
    }
    _check_provider_fields(fields)
    _check_streets(district, streets)
    if not streets:
        raise ValidationFailed(_("Choose at least one street or town the provider serves."))
    provider = Provider.objects.create(district=district, status=PS.CANDIDATE, **fields)
    provider.streets.set(streets)
    return provider


@transaction.atomic
def provider_update(*, provider: Provider, by: User, streets: list[Division] | None = None, **fields) -> Provider:
    """Correct a provider's particulars (the status moves only through `provider_set_status`)."""
    require_district(by)
    fields = {k: v.strip() if isinstance(v, str) and k in ("name", "licence_number") else v for k, v in fields.items()}
    _check_provider_fields(fields, exclude_pk=provider.pk)
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    for key, value in fields.items():
        setattr(provider, key, value)
    provider.save()
    if streets is not None:
        _check_streets(provider.district, streets)
        if not streets:
            raise ValidationFailed(_("Choose at least one street or town the provider serves."))
        provider.streets.set(streets)
    return provider


@transaction.atomic
def provider_set_status(
    *, provider: Provider, to: str, reason: str, by: User, ground: str = "", cascaded: bool = False
) -> Provider:
    """Move a provider along PROVIDER_WORKFLOW with one event row.

    A termination goes only through `termination.provider_terminate` (`cascaded`), which also ends
    the provider's agreements and cancels its open visits: nothing is left dangling.
    Terminating for an uncorrected satisfaction problem needs an open rectification past its deadline.
    """
    require_district(by)
    if to == PS.TERMINATED and not cascaded:
        raise Conflict(_("A provider is terminated with its agreements and open visits: use the termination."))
    if ground and ground not in TerminationGround.values:
        raise ValidationFailed(_("Choose a ground for the termination."))
    if ground and to != PS.TERMINATED:
        raise ValidationFailed(_("A ground is given only for a termination."))
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    PROVIDER_WORKFLOW.check(
        source=provider.status,
        target=to,
        by=by,
        reason=reason,
        bypass=is_admin(by),
        refused=lambda: BadTransition(
            _("A provider cannot go from %(from)s to %(to)s.")
            % {"from": provider.get_status_display(), "to": Provider.Status(to).label}
        ),
    )
    if to == PS.TERMINATED and ground == TerminationGround.RECTIFICATION_OVERDUE:
        overdue = provider.rectifications.filter(status="open", deadline__lt=timezone.localdate()).exists()
        if not overdue:
            raise Conflict(_("There is no unresolved rectification past its deadline for this provider."))
    transition_apply(
        provider,
        to=to,
        fields={"status_reason": reason},
        update_fields=["status", "status_reason", "updated_at"],
        record=lambda from_status: ProviderStatusEvent.objects.create(
            provider=provider,
            from_status=from_status,
            to_status=to,
            reason=f"[{ground}] {reason}".strip() if ground else reason,
            by=by,
        ),
    )
    if to == PS.TERMINATED:
        provider.contracts.filter(terminated_on__isnull=True, ends_on__gte=timezone.localdate()).update(
            terminated_on=timezone.localdate()
        )
    return provider


@transaction.atomic
def contract_create(*, provider: Provider, number: str, starts_on: datetime.date, by: User) -> Contract:
    """A one-year contract; a candidate becomes contracted with its first one."""
    require_district(by)
    number = number.strip()
    if not number:
        raise ValidationFailed(_("Enter the contract number."))
    if Contract.objects.filter(number=number).exists():
        raise ValidationFailed(_("Another contract already has this number."))
    if provider.status == PS.TERMINATED:
        raise Conflict(_("A terminated provider cannot be contracted again."))
    if provider.status == PS.SUSPENDED:
        raise Conflict(_("A suspended provider is reinstated before it signs a new contract."))
    ends_on = starts_on + relativedelta(years=1) - datetime.timedelta(days=1)
    if ends_on < timezone.localdate():
        raise ValidationFailed(
            _("A contract from %(start)s would have ended on %(end)s: enter the start of a contract still running.")
            % {"start": starts_on, "end": ends_on}
        )
    previous = provider.contracts.order_by("-ends_on").first()
    if previous and starts_on <= previous.ends_on and previous.terminated_on is None:
        raise Conflict(
            _("The new contract must start after the current one ends (%(date)s).") % {"date": previous.ends_on}
        )
    contract = Contract.objects.create(
        provider=provider,
        number=number,
        starts_on=starts_on,
        ends_on=ends_on,
        renews=previous,
    )
    if provider.status == PS.CANDIDATE:
        provider_set_status(
            provider=provider, to=PS.CONTRACTED, reason=_("Contract %(n)s signed") % {"n": number}, by=by
        )
    return contract


@transaction.atomic
def contract_renew(*, contract: Contract, number: str, by: User) -> Contract:
    """The next year's contract, starting the day after this one ends (only the latest is renewed)."""
    require_district(by)
    if contract.terminated_on is not None:
        raise Conflict(_("A terminated contract cannot be renewed."))
    if contract.provider.contracts.filter(starts_on__gt=contract.starts_on).exists():
        raise Conflict(_("This contract was already renewed."))
    return contract_create(
        provider=contract.provider, number=number, starts_on=contract.ends_on + datetime.timedelta(days=1), by=by
    )


@transaction.atomic
def assessment_record(
    *, provider: Provider, quarter: datetime.date, score: Decimal, result: str, notes: str = "", by: User
) -> QuarterlyAssessment:
    require_district(by)
    obj, _created = QuarterlyAssessment.objects.update_or_create(
        provider=provider, quarter=quarter, defaults={"score": score, "result": result, "notes": notes, "by": by}
    )
    return obj


@transaction.atomic
def assessment_confirm(*, provider: Provider, quarter: Quarter, by: User, notes: str = "") -> QuarterlyAssessment:
    """The district confirms the quarter's scorecard as the platform computes it now; the figures
    and the formula's parts are kept with the score. A quarter is assessed once, after it ends."""
    require_district(by)
    if quarter.last_day >= timezone.localdate():
        raise Conflict(_("A quarter is assessed after it ends (%(date)s).") % {"date": quarter.last_day})
    existing = QuarterlyAssessment.objects.select_for_update().filter(provider=provider, quarter=quarter.first_day)
    if existing.filter(confirmed_at__isnull=False).exists():
        raise Conflict(_("The scorecard of this quarter was already confirmed."))
    card = scorecard.scorecard_for(provider=provider, quarter=quarter, user=by)
    if card.score is None:  # no part had anything to count
        raise Conflict(_("The platform has nothing to count for this provider in this quarter."))
    try:
        with transaction.atomic():
            obj, _created = QuarterlyAssessment.objects.update_or_create(
                provider=provider,
                quarter=quarter.first_day,
                defaults={
                    "score": card.score,
                    "result": card.result,
                    "figures": card.as_json(),
                    "notes": notes,
                    "confirmed_at": timezone.now(),
                    "by": by,
                },
            )
    except IntegrityError as exc:  # confirmed at the same moment by someone else
        raise Conflict(_("The scorecard of this quarter was already confirmed.")) from exc
    return obj


# --- staff and catalogue --------------------------------------------------------------------

# A badge photo: a JPEG or PNG of at most 2 MB.
PHOTO_MAX_BYTES = 2 * 1024 * 1024


def photo_check(photo: UploadedFile) -> None:
    """Refuse a photo that is too large or not a whole JPEG or PNG image, with a clear message."""
    if photo.size is not None and photo.size > PHOTO_MAX_BYTES:
        raise ValidationFailed(
            _("The photo is %(size)s MB; at most %(max)s MB is accepted.")
            % {"size": f"{photo.size / 1024 / 1024:.1f}", "max": PHOTO_MAX_BYTES // (1024 * 1024)}
        )
    check_upload(photo, kinds=("jpeg", "png"), max_bytes=PHOTO_MAX_BYTES)


def _check_caregiver_fields(name: str, phone: str) -> None:
    if not name.strip():
        raise ValidationFailed(_("Enter the caregiver's name."))
    if not re.fullmatch(r"[0-9+\- ]{7,20}", phone or ""):
        raise ValidationFailed(_("Enter a valid phone number."))


@transaction.atomic
def caregiver_create(
    *,
    provider: Provider,
    name: str,
    staff_number: str,
    phone: str,
    by: User,
    trained_on: datetime.date | None = None,
    photo=None,
    user: User | None = None,
) -> Caregiver:
    require_provider_admin(by, provider)
    name = clean_text(name)
    staff_number = staff_number.strip()
    if not staff_number:
        raise ValidationFailed(_("Enter the staff number."))
    if provider.caregivers.filter(staff_number=staff_number).exists():
        raise ValidationFailed(_("This staff number is already used."))
    _check_caregiver_fields(name, phone)
    if photo:
        photo_check(photo)
    caregiver = Caregiver(
        provider=provider, name=name, staff_number=staff_number, phone=phone, trained_on=trained_on, user=user
    )
    if photo:
        caregiver.photo = photo
    caregiver.save()
    return caregiver


@transaction.atomic
def caregiver_login_create(*, caregiver: Caregiver, username: str, password: str, by: User) -> User:
    """The provider admin gives a caregiver a login (the caregiver's phone pages need one)."""
    require_provider_admin(by, caregiver.provider)
    caregiver = Caregiver.objects.select_for_update().get(pk=caregiver.pk)
    if caregiver.user_id:
        raise Conflict(_("%(name)s already has a login.") % {"name": caregiver.name})
    if not caregiver.active:
        raise Conflict(_("An inactive caregiver gets no login."))
    user = login_create(
        username=username, full_name=caregiver.name, password=password, role=Role.CAREGIVER, provider=caregiver.provider
    )
    caregiver.user = user
    caregiver.save(update_fields=["user", "updated_at"])
    return user


@transaction.atomic
def caregiver_password_set(*, caregiver: Caregiver, password: str, by: User) -> User:
    require_provider_admin(by, caregiver.provider)
    if caregiver.user is None:
        raise Conflict(_("%(name)s has no login yet.") % {"name": caregiver.name})
    return login_set_password(user=caregiver.user, password=password)


@transaction.atomic
def provider_admin_login_create(*, provider: Provider, username: str, full_name: str, password: str, by: User) -> User:
    """The district gives a provider's administrator a login (who then manages the caregivers)."""
    require_district(by)
    if provider.status == Provider.Status.TERMINATED:
        raise Conflict(_("A terminated provider gets no new login."))
    if not clean_text(full_name):
        raise ValidationFailed(_("Enter the administrator's name."))
    return login_create(
        username=username, full_name=full_name, password=password, role=Role.PROVIDER_ADMIN, provider=provider
    )


@transaction.atomic
def caregiver_update(*, caregiver: Caregiver, by: User, **fields) -> Caregiver:
    require_provider_admin(by, caregiver.provider)
    allowed = {"name", "phone", "trained_on", "photo", "active"}
    for key in fields:
        if key not in allowed:
            raise ValidationFailed(_("Unknown fields: %(names)s") % {"names": key})
    if "name" in fields:
        fields["name"] = clean_text(fields["name"])
    _check_caregiver_fields(fields.get("name", caregiver.name), fields.get("phone", caregiver.phone))
    if fields.get("photo"):
        photo_check(fields["photo"])
    caregiver = Caregiver.objects.select_for_update().get(pk=caregiver.pk)
    for key, value in fields.items():
        if key == "photo" and not value:
            continue  # no new photo: keep the current one
        setattr(caregiver, key, value)
    caregiver.save()
    return caregiver


@transaction.atomic
def caregiver_deactivate(*, caregiver: Caregiver, by: User) -> Caregiver:
    """The caregiver left: no more assignments, the badge stops verifying (visits already assigned
    show on the provider's work list to be reassigned)."""
    require_provider_admin(by, caregiver.provider)
    if not caregiver.active:
        raise Conflict(_("This caregiver is already inactive."))
    caregiver.active = False
    caregiver.save(update_fields=["active", "updated_at"])
    return caregiver


@transaction.atomic
def certificate_add(
    *, caregiver: Caregiver, kind: str, number: str, valid_until: datetime.date, by: User
) -> Certificate:
    require_provider_admin(by, caregiver.provider)
    if kind not in CertificateKind.values:
        raise ValidationFailed(_("Choose the kind of certificate."))
    if not number.strip():
        raise ValidationFailed(_("Enter the certificate number."))
    return Certificate.objects.create(caregiver=caregiver, kind=kind, number=number.strip(), valid_until=valid_until)


@transaction.atomic
def training_add(
    *,
    caregiver: Caregiver,
    course: str,
    completed_on: datetime.date,
    hours: Decimal,
    by: User,
    note: str = "",
) -> TrainingRecord:
    """A completed training; the first one marks the caregiver as trained (training before work)."""
    require_provider_admin(by, caregiver.provider)
    if not course.strip():
        raise ValidationFailed(_("Enter the course."))
    if completed_on > timezone.localdate():
        raise ValidationFailed(_("The date cannot be in the future."))
    if hours <= 0:
        raise ValidationFailed(_("The hours must be more than zero."))
    record = TrainingRecord.objects.create(
        caregiver=caregiver, course=course.strip(), completed_on=completed_on, hours=hours, note=note
    )
    if caregiver.trained_on is None:
        caregiver.trained_on = completed_on
        caregiver.save(update_fields=["trained_on", "updated_at"])
    return record


def caregiver_may_serve(*, caregiver: Caregiver, item: ServiceItem, on: datetime.date) -> bool:
    """A regulated service needs a certificate of its kind valid on the day of the visit."""
    if not item.certificate_kind:
        return True
    return caregiver.certificates.filter(kind=item.certificate_kind, valid_until__gte=on).exists()


def can_reveal_caregiver_phone(user: User, caregiver: Caregiver) -> bool:
    """The caregiver's own provider admin (or a system administrator) may see the full phone."""
    if is_admin(user):
        return True
    return user.has_role(Role.PROVIDER_ADMIN) and caregiver.provider_id in scope_for(user).provider_ids


@transaction.atomic
def caregiver_phone_reveal(*, caregiver: Caregiver, by: User, reason: str, note: str = "") -> str:
    """The caregiver's full phone number for the provider's admin, with a reason from the
    registry's list (a note saying why for "other"); each reveal is recorded."""
    require_provider_admin(by, caregiver.provider)
    note = clean_text(note or "")[:200]
    if reason not in dict(REVEAL_REASONS_OFFERED):
        raise ValidationFailed(_("Choose why you need the full number."), errors={"reason": _("Choose a reason.")})
    if reason == RevealReason.OTHER and not note:
        raise ValidationFailed(
            _("Say why you need the full number."), errors={"note": _("Say why you need the full number.")}
        )
    CaregiverRevealLog.objects.create(user=by, caregiver=caregiver, reason=reason, note=note)
    return caregiver.phone
