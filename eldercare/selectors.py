"""Reads of the shared core. Every list, detail, search and export goes through these."""

import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .crypto import blind_index
from .errors import ValidationFailed
from .idnumber import parse_resident_id
from .models import Division, Elder, LifeStatus, Notification, Role, SavedFilter, User
from .scoping import scope_for
from .searchkeys import ID_TAIL_LENGTH, PHONE_TAIL_LENGTH

PICK_LIMIT = 20
ENCRYPTED_FIELDS = ("id_number", "phone", "agent_phone")


def division_list(*, user: User) -> QuerySet[Division]:
    scope = scope_for(user)
    qs = Division.objects.select_related("parent")
    if scope.all:
        return qs
    visible = set(scope.community_ids) | set(scope.street_ids) | set(scope.district_ids)
    parents = Division.objects.filter(pk__any_of=scope.community_ids).values_list("parent_id", flat=True)
    return qs.filter(Q(pk__in=visible) | Q(pk__in=parents))


def elder_list(*, user: User, search: str = "", filters: dict | None = None) -> QuerySet[Elder]:
    """Elders the user may see: by community for public roles, by open service agreement for a
    provider admin, and for a caregiver only the elders they serve (`_served_by_caregiver`)."""
    scope = scope_for(user)
    qs = Elder.objects.select_related("community", "community__parent").prefetch_related("categories")
    if not scope.all:
        q = scope.communities_q()
        sees_by = _sees_by_provider(user)
        if sees_by == Role.PROVIDER_ADMIN:
            q |= Q(
                pk__in=Elder.objects.filter(
                    service_agreements__provider_id__any_of=scope.provider_ids,
                    service_agreements__ends_on__isnull=True,
                ).values("pk")
            )
        elif sees_by == Role.CAREGIVER:
            q |= Q(pk__in=_served_by_caregiver(user, scope.provider_ids))
        qs = qs.filter(q)
    if search:
        qs = qs.filter(elder_search_q(search.strip()))
    if filters:
        qs = qs.filter(**filters)
    return qs


def _sees_by_provider(user: User) -> str | None:
    """The role by which the user sees elders beyond their communities: a provider admin those of
    the provider's open agreements, a caregiver those they serve; None for everyone else."""
    scope = scope_for(user)
    if scope.all or not scope.provider_ids:
        return None
    if user.has_role(Role.PROVIDER_ADMIN):
        return Role.PROVIDER_ADMIN
    if user.has_role(Role.CAREGIVER):
        return Role.CAREGIVER
    return None


def elder_communities_q(user: User, path: str = "community") -> Q | None:
    """The elders `elder_list` gives the user, as a filter on a relation ending at their community
    (`path`), for a table that keeps each elder's community; None when the user sees elders by a
    provider too, which no community names."""
    if _sees_by_provider(user) is not None:
        return None
    return scope_for(user).communities_q(path)


def _served_by_caregiver(user: User, provider_ids) -> QuerySet:
    """The elders of the work orders assigned to this caregiver by their provider, scheduled from
    CAREGIVER_ELDER_DAYS ago on (future visits included). The orders are named through their
    reverse relation (`work_orders`): the registry does not import the providers app."""
    since = timezone.now() - datetime.timedelta(days=settings.CAREGIVER_ELDER_DAYS)
    return Elder.objects.filter(
        work_orders__caregiver__user=user,
        work_orders__provider_id__in=provider_ids,
        work_orders__scheduled_at__gte=since,
    ).values("pk")


def elders_for_new_work(qs: QuerySet[Elder]) -> QuerySet[Elder]:
    """Only elders still served: not deceased, not moved away, not disqualified."""
    return qs.filter(life_status=LifeStatus.ACTIVE, disqualified_at__isnull=True)


def elder_search_q(text: str, path: str = "") -> Q:
    """One search for every list, picker and API, on elders or (with `path`, e.g. "elder") on rows
    that reach an elder: the name (a fragment), the pinyin initials of the name (a prefix: "wxy"
    finds 王秀英), the last 4 to 6 characters of the ID number (an indexed prefix of the reversed
    tail: "123x" finds …123X), the last 4 digits of the phone, or a whole ID number (through the
    blind index). Nothing is decrypted. The name is matched by one expression everywhere (a
    case-sensitive `LIKE '%…%'` on the column itself: names are Chinese) so that one trigram
    index on PostgreSQL serves every search (migration eldercare 0009)."""
    p = f"{path}__" if path else ""
    text = "".join(text.replace("\x00", "").split())
    if not text:
        return Q()
    if len(text) == 18:
        try:
            return Q(**{f"{p}id_digest": blind_index(parse_resident_id(text).number)})
        except ValidationFailed:
            pass
    tail = text.upper()
    if tail[:-1].isdigit() and (tail[-1].isdigit() or tail[-1] == "X") and 4 <= len(tail) <= ID_TAIL_LENGTH:
        q = Q(**{f"{p}id_tail__startswith": tail[::-1]})
        if tail.isdigit() and len(tail) == PHONE_TAIL_LENGTH:
            q |= Q(**{f"{p}phone_tail": tail})
        return q
    if text.isascii() and text.isalpha():
        # Latin letters are initials (registry names are written in Chinese): an indexed prefix.
        return Q(**{f"{p}name_initials__startswith": text.lower()})
    return Q(**{f"{p}name__contains": text})


# The trigram index serves a name fragment of three characters or more; a shorter one is looked
# up as the start of the name first (a B-tree prefix, migration eldercare 0010).
TRIGRAM = 3


def _short_name(text: str) -> bool:
    return len(text) < TRIGRAM and not text.isascii()


def elder_matches(qs: QuerySet[Elder], text: str, limit: int = PICK_LIMIT) -> tuple[list[Elder], bool]:
    """Up to `limit` elders of an already scoped queryset that match the search, sorted by name,
    and whether there are more. The database stops at the first `limit + 1` rows it finds (no
    ORDER BY over every match): a short search in a big district stays fast, the user types on.
    One or two Chinese characters (no trigram to look up) find the names starting with them
    through an index first, and only when those are fewer than `limit` the names holding them
    elsewhere."""
    text = "".join((text or "").replace("\x00", "").split())
    if not text:
        return [], False
    matches = qs.select_related("community").defer(*ENCRYPTED_FIELDS).order_by()  # a list decrypts nothing
    if _short_name(text):
        found = list(matches.filter(name__startswith=text)[: limit + 1])
        if len(found) <= limit:
            rest = matches.filter(name__contains=text).exclude(name__startswith=text)
            found += list(rest[: limit + 1 - len(found)])
    else:
        found = list(matches.filter(elder_search_q(text))[: limit + 1])
    more = len(found) > limit
    return sorted(found[:limit], key=lambda e: (e.name, e.pk)), more


def elder_search(
    *, user: User, text: str, active_only: bool = False, limit: int = PICK_LIMIT
) -> tuple[list[Elder], bool]:
    """The picker's matches within the user's scope (see `elder_matches`); with `active_only`,
    only those who can take new work (not deceased, moved away or disqualified)."""
    qs = elder_list(user=user)
    if active_only:
        qs = elders_for_new_work(qs)
    return elder_matches(qs, text, limit)


def elder_get(*, user: User, pk: int) -> Elder:
    """One elder, or 404 when it is outside the user's scope (never 403: do not confirm it exists)."""
    return get_object_or_404(elder_list(user=user), pk=pk)


def notification_list(*, user: User, unread: bool = False) -> QuerySet[Notification]:
    """The user's own notices, newest first (nobody sees another user's notices)."""
    qs = Notification.objects.filter(user=user).order_by("-created_at", "-pk")
    return qs.filter(read_at__isnull=True) if unread else qs


def notification_get(*, user: User, pk: int) -> Notification:
    """One of the user's own notices; another user's is a 404."""
    return get_object_or_404(Notification, pk=pk, user=user)


def saved_filter_list(*, user: User, view_name: str = "") -> QuerySet[SavedFilter]:
    """The user's own saved filters (of one list page when `view_name` is given)."""
    qs = SavedFilter.objects.filter(user=user)
    return qs.filter(view_name=view_name) if view_name else qs
