"""Who may act on the provider side: administrators, the district, a provider's own admin, a
community's workers."""

from django.utils.translation import gettext as _

from eldercare.errors import NotAllowed
from eldercare.models import Elder, Role, User
from eldercare.scoping import scope_for

from ..models import Provider


def is_admin(user: User) -> bool:
    return user.is_superuser or user.has_role(Role.SYSADMIN)


def require_district(user: User) -> None:
    if not (is_admin(user) or user.has_role(Role.DISTRICT_REVIEWER)):
        raise NotAllowed(_("Only the district civil-affairs bureau may do this."))


def require_provider_admin(user: User, provider: Provider) -> None:
    if is_admin(user):
        return
    if not (user.has_role(Role.PROVIDER_ADMIN) and provider.pk in scope_for(user).provider_ids):
        raise NotAllowed(_("Only this provider's administrator may do this."))


def in_community_scope(user: User, elder: Elder) -> bool:
    scope = scope_for(user)
    return scope.covers_community(elder.community_id)
