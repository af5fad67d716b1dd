"""Reads of the shared core. Every list, detail, search and export goes through these."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from .crypto import blind_index
from .errors import ValidationFailed
from .idnumber import parse_resident_id
from .models import Division, Elder, User
from .scoping import scope_for


def division_list(*, user: User) -> QuerySet[Division]:
    scope = scope_for(user)
    qs = Division.objects.select_related("parent")
    if scope.all:
        return qs
    visible = set(scope.community_ids) | set(scope.street_ids) | set(scope.district_ids)
    parents = Division.objects.filter(pk__in=scope.community_ids).values_list("parent_id", flat=True)
    return qs.filter(Q(pk__in=visible) | Q(pk__in=parents))


def elder_list(*, user: User, search: str = "", filters: dict | None = None) -> QuerySet[Elder]:
    """Elders the user may see: by community for public roles, by service agreement for providers."""
    scope = scope_for(user)
    qs = Elder.objects.select_related("community", "community__parent").prefetch_related("categories")
    if not scope.all:
        q = scope.communities_q()
        if scope.provider_ids:
            q |= Q(
                pk__in=Elder.objects.filter(
                    service_agreements__provider_id__in=scope.provider_ids,
                    service_agreements__ends_on__isnull=True,
                ).values("pk")
            )
        qs = qs.filter(q)
    if search:
        qs = qs.filter(_search_q(search.strip()))
    if filters:
        qs = qs.filter(**filters)
    return qs


def _search_q(text: str) -> Q:
    """Name fragment, the last four ID digits, or an exact ID number (through the blind index)."""
    if len(text) == 18:
        try:
            return Q(id_digest=blind_index(parse_resident_id(text).number))
        except ValidationFailed:
            pass
    q = Q(name__icontains=text)
    if text.isdigit() and len(text) == 4:
        q |= Q(id_masked__endswith=text)
    return q


def elder_get(*, user: User, pk: int) -> Elder:
    """One elder, or 404 when it is outside the user's scope (never 403: do not confirm it exists)."""
    return get_object_or_404(elder_list(user=user), pk=pk)
