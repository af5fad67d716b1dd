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


def administers(user: User, provider_id: int) -> bool:
    """The provider admin of this provider (or a system administrator) manages its staff."""
    if user.is_superuser or user.has_role(Role.SYSADMIN):
        return True
    return user.has_role(Role.PROVIDER_ADMIN) and provider_id in scope_for(user).provider_ids


def administered_providers(user: User) -> list[Provider]:
    """The providers whose staff the user manages (see `administers`), terminated ones aside."""
    providers = provider_list(user=user).exclude(status=Provider.Status.TERMINATED)
    if not (user.is_superuser or user.has_role(Role.SYSADMIN)):
        if not user.has_role(Role.PROVIDER_ADMIN):
            return []
        providers = providers.filter(pk__in=scope_for(user).provider_ids)
    return list(providers.order_by("name", "pk"))


def with_phone(caregivers, user: User):
    """Phones are listed masked for everyone: the provider admin reveals one on the caregiver's
    page, with a reason that is logged."""
    rows = list(caregivers)
    for c in rows:
        c.phone_display = c.phone_masked
    return rows
