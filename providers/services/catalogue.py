"""A provider's catalogue: items and packages, approved by the district, versioned from a date."""

from django.db import transaction
from django.utils.translation import gettext as _

from eldercare.errors import ValidationFailed
from eldercare.models import User

from .. import rules
from ..models import Provider, ServiceItem, ServicePackage
from .access import require_provider_admin


@transaction.atomic
def item_create(
    *,
    provider: Provider,
    kind: str,
    name: str,
    price,
    minutes: int = rules.MIN_VISIT_MINUTES,
    certificate_kind: str = "",
    by: User,
) -> ServiceItem:
    require_provider_admin(by, provider)
    if minutes < rules.MIN_VISIT_MINUTES:
        raise ValidationFailed(_("A home visit lasts at least %(n)s minutes.") % {"n": rules.MIN_VISIT_MINUTES})
    return ServiceItem.objects.create(
        provider=provider, kind=kind, name=name, price=price, minutes=minutes, certificate_kind=certificate_kind
    )


@transaction.atomic
def package_create(*, provider: Provider, name: str, items: list[ServiceItem], price, by: User) -> ServicePackage:
    require_provider_admin(by, provider)
    if any(i.provider_id != provider.pk for i in items):
        raise ValidationFailed(_("A package holds only the provider's own items."))
    package = ServicePackage.objects.create(provider=provider, name=name, price=price)
    package.items.set(items)
    return package
