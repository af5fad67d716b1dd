"""What the providers' pages share: who manages what, running a service with a message, answering a PDF."""

from django.contrib import messages
from django.http import HttpResponse

from eldercare.errors import DomainError
from eldercare.models import Role, User
from eldercare.scoping import scope_for

from ..models import Provider
from ..selectors import provider_list


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def run_service(request, fn, success: str, **kwargs):
    try:
        result = fn(**kwargs)
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return result


def is_district(user: User) -> bool:
    return user.is_superuser or user.has_role(Role.DISTRICT_REVIEWER, Role.SYSADMIN)


def _administered_ids(user: User) -> frozenset[int] | None:
    """The ids of the providers whose staff the user manages: a provider admin's own; None for a
    system administrator (every provider)."""
    if user.is_superuser or user.has_role(Role.SYSADMIN):
        return None
    return scope_for(user).provider_ids if user.has_role(Role.PROVIDER_ADMIN) else frozenset()


def administers(user: User, provider_id: int) -> bool:
    """The provider admin of this provider (or a system administrator) manages its staff."""
    ids = _administered_ids(user)
    return ids is None or provider_id in ids


def administered_providers(user: User) -> list[Provider]:
    """The providers whose staff the user manages (see `administers`), terminated ones aside."""
    ids = _administered_ids(user)
    if ids is not None and not ids:
        return []
    providers = provider_list(user=user).exclude(status=Provider.Status.TERMINATED)
    if ids is not None:
        providers = providers.filter(pk__in=ids)
    return list(providers.order_by("name", "pk"))


def with_phone(caregivers, user: User):
    """Phones are listed masked for everyone: the provider admin reveals one on the caregiver's
    page, with a reason that is logged."""
    rows = list(caregivers)
    for c in rows:
        c.phone_display = c.phone_masked
    return rows
