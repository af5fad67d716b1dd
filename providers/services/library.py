"""The provider library (providers won by tender, their status, contracts and quarterly results),
their staff and their catalogue."""

import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, ValidationFailed
from eldercare.models import Division, Role, User
from eldercare.workflow import BadTransition, Move, Workflow, transition_apply

from ..models import (
    Caregiver,
    Certificate,
    Contract,
    Provider,
    ProviderStatusEvent,
    QuarterlyAssessment,
    ServiceItem,
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


class TerminationGround:
    """Grounds for ending a provider's qualification (domain: "Providers")."""

    UNABLE_TO_DELIVER = "unable_to_deliver"
    FRAUD = "fraud"
    VIOLATION = "violation"
    RECTIFICATION_OVERDUE = "rectification_overdue"
    ALL = (UNABLE_TO_DELIVER, FRAUD, VIOLATION, RECTIFICATION_OVERDUE)


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
) -> Provider:
    require_district(by)
    provider = Provider.objects.create(
        name=name,
        kind=kind,
        licence_number=licence_number,
        district=district,
        other_licences=other_licences,
        phone=phone,
        address=address,
    )
    provider.streets.set(streets)
    return provider


@transaction.atomic
def provider_set_status(*, provider: Provider, to: str, reason: str, by: User, ground: str = "") -> Provider:
    """Move a provider along PROVIDER_WORKFLOW with one event row.

    Terminating for an uncorrected satisfaction problem needs an open rectification past its deadline.
    """
    require_district(by)
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
    if provider.status == PS.TERMINATED:
        raise Conflict(_("A terminated provider cannot be contracted again."))
    previous = provider.contracts.order_by("-ends_on").first()
    if previous and starts_on <= previous.ends_on and previous.terminated_on is None:
        raise Conflict(
            _("The new contract must start after the current one ends (%(date)s).") % {"date": previous.ends_on}
        )
    contract = Contract.objects.create(
        provider=provider,
        number=number,
        starts_on=starts_on,
        ends_on=starts_on + relativedelta(years=1) - datetime.timedelta(days=1),
        renews=previous,
    )
    if provider.status == PS.CANDIDATE:
        provider_set_status(
            provider=provider, to=PS.CONTRACTED, reason=_("Contract %(n)s signed") % {"n": number}, by=by
        )
    return contract


@transaction.atomic
def contract_renew(*, contract: Contract, number: str, by: User) -> Contract:
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


# --- staff and catalogue --------------------------------------------------------------------


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
    if provider.caregivers.filter(staff_number=staff_number).exists():
        raise ValidationFailed(_("This staff number is already used."))
    caregiver = Caregiver(
        provider=provider, name=name, staff_number=staff_number, phone=phone, trained_on=trained_on, user=user
    )
    if photo:
        caregiver.photo = photo
    caregiver.save()
    return caregiver


@transaction.atomic
def caregiver_update(*, caregiver: Caregiver, by: User, **fields) -> Caregiver:
    require_provider_admin(by, caregiver.provider)
    allowed = {"name", "phone", "trained_on", "photo", "active"}
    for key, value in fields.items():
        if key not in allowed:
            raise ValidationFailed(f"unknown field {key}")
        setattr(caregiver, key, value)
    caregiver.save()
    return caregiver


@transaction.atomic
def certificate_add(
    *, caregiver: Caregiver, kind: str, number: str, valid_until: datetime.date, by: User
) -> Certificate:
    require_provider_admin(by, caregiver.provider)
    return Certificate.objects.create(caregiver=caregiver, kind=kind, number=number, valid_until=valid_until)


def caregiver_may_serve(*, caregiver: Caregiver, item: ServiceItem, on: datetime.date) -> bool:
    """A regulated service needs a certificate of its kind valid on the day of the visit."""
    if not item.certificate_kind:
        return True
    return caregiver.certificates.filter(kind=item.certificate_kind, valid_until__gte=on).exists()
