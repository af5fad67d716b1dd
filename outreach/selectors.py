"""Reads of the vulnerability register. Every page, API list and work-list panel goes through these.

Who sees what: community workers, street and district reviewers, supervisors and the system
administrator see the elders of their part of the tree (`scope_for`); anyone else, a volunteer
first of all, sees only the households of which they are a current responsible person.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from eldercare.models import Division, Elder, LifeStatus, Role, User
from eldercare.scoping import scope_for

from . import rules
from .models import CareNeed, ResponsiblePerson, RiskLevel, VulnerabilityProfile

# Roles that see the register of their whole part of the tree.
REGISTER_ROLES = (
    Role.COMMUNITY_WORKER,
    Role.STREET_REVIEWER,
    Role.DISTRICT_REVIEWER,
    Role.SUPERVISOR,
    Role.SYSADMIN,
)

# The flags a list can be filtered on: name → the filter on the elder's profile.
FLAG_FILTERS: dict[str, Q] = {
    "solitary": Q(vulnerability__solitary=True),
    "left_behind": Q(vulnerability__left_behind=True),
    "empty_nest": Q(vulnerability__empty_nest=True),
    "disabled": Q(vulnerability__care_need=CareNeed.DISABLED),
    "semi_disabled": Q(vulnerability__care_need=CareNeed.SEMI_DISABLED),
    "dispersed_extreme_poverty": Q(vulnerability__dispersed_extreme_poverty=True),
    "carers_absent": Q(vulnerability__carers_absent=True),
    "chronic_medicine": Q(vulnerability__chronic_medicine=True),
}

UNSCREENED = "unscreened"
UNASSIGNED = "unassigned"
MINE = "mine"  # the households in the user's care


def sees_whole_area(user: User) -> bool:
    return user.is_superuser or user.has_role(*REGISTER_ROLES)


def _current_primary() -> Exists:
    return Exists(
        ResponsiblePerson.objects.filter(
            elder=OuterRef("pk"), duty=ResponsiblePerson.Duty.PRIMARY, ends_on__isnull=True
        )
    )


def assigned_elder_ids(user: User) -> QuerySet:
    """The households of which the user is a current responsible person (primary or deputy)."""
    return ResponsiblePerson.objects.filter(user=user, ends_on__isnull=True).values("elder_id")


def visible_q(user: User, path: str = "") -> Q:
    """A filter on elders (or, with `path`, on rows that reach an elder) the user may see here."""
    if path:
        q = Q(**{f"{path}_id__in": assigned_elder_ids(user)})
        area = f"{path}__community"
    else:
        q = Q(pk__in=assigned_elder_ids(user))
        area = "community"
    if sees_whole_area(user):
        q |= scope_for(user).communities_q(area)
    return q


def register_elders(
    *,
    user: User,
    on: datetime.date | None = None,
    community: int | None = None,
    risk: str = "",
    flag: str = "",
    status: str = "",
) -> QuerySet[Elder]:
    """Elders of the register the user may see: aged 60 or more on `on`, living (not moved away
    or deceased), with their profile and whether a current primary responsible person exists."""
    on = on or timezone.localdate()
    qs = (
        Elder.objects.filter(visible_q(user))
        .filter(life_status=LifeStatus.ACTIVE, birth_date__lte=rules.born_on_or_before(rules.OUTREACH_MIN_AGE, on))
        .select_related("community", "vulnerability")
        .annotate(has_primary=_current_primary())
        .order_by("community__code", "name", "pk")
    )
    if community:
        qs = qs.filter(community_id=community)
    if risk in RiskLevel.values:
        qs = qs.filter(vulnerability__risk_level=risk)
    if flag in FLAG_FILTERS:
        qs = qs.filter(FLAG_FILTERS[flag])
    if status == UNSCREENED:
        qs = qs.filter(vulnerability__isnull=True)
    elif status == UNASSIGNED:
        qs = qs.filter(vulnerability__isnull=False, has_primary=False)
    elif status == MINE:
        qs = qs.filter(pk__in=assigned_elder_ids(user))
    return qs


def register_elder_get(*, user: User, pk: int) -> Elder:
    """One elder of the register, or 404 outside what the user may see (never 403)."""
    return get_object_or_404(register_elders(user=user), pk=pk)


def profile_list(*, user: User, risk: str = "") -> QuerySet[VulnerabilityProfile]:
    qs = (
        VulnerabilityProfile.objects.filter(visible_q(user, "elder"))
        .select_related("elder", "elder__community", "screened_by")
        .prefetch_related("contacts")
    )
    if risk in RiskLevel.values:
        qs = qs.filter(risk_level=risk)
    return qs


def profile_of(*, elder: Elder) -> VulnerabilityProfile | None:
    return VulnerabilityProfile.objects.filter(elder=elder).prefetch_related("contacts").first()


def responsible_list(
    *, user: User, current: bool | None = None, elder: Elder | None = None
) -> QuerySet[ResponsiblePerson]:
    qs = ResponsiblePerson.objects.filter(visible_q(user, "elder")).select_related(
        "elder", "elder__community", "user", "assigned_by"
    )
    if current is True:
        qs = qs.filter(ends_on__isnull=True)
    elif current is False:
        qs = qs.filter(ends_on__isnull=False)
    if elder is not None:
        qs = qs.filter(elder=elder)
    return qs


def responsible_get(*, user: User, pk: int) -> ResponsiblePerson:
    return get_object_or_404(responsible_list(user=user), pk=pk)


def coverage(*, user: User, on: datetime.date | None = None) -> list[dict]:
    """Per community of the user's area: elders of 60 or more at home, screened, not screened,
    screened without a current primary responsible person, and the screened by risk level. One
    aggregate query over `register_elders`, so each figure is the length of the list it opens."""
    if not sees_whole_area(user):
        return []
    scope = scope_for(user)
    communities = Division.objects.filter(level=Division.Level.COMMUNITY).select_related("parent")
    if not scope.all:
        communities = communities.filter(pk__in=scope.community_ids)
    screened = Q(vulnerability__isnull=False)
    figures: dict[int, dict] = {
        row["community_id"]: dict(row)
        for row in register_elders(user=user, on=on)
        .filter(scope.communities_q())
        .order_by()
        .values("community_id")
        .annotate(
            elders=Count("pk"),
            screened=Count("pk", filter=screened),
            unassigned=Count("pk", filter=screened & Q(has_primary=False)),
            high=Count("pk", filter=Q(vulnerability__risk_level=RiskLevel.HIGH)),
            medium=Count("pk", filter=Q(vulnerability__risk_level=RiskLevel.MEDIUM)),
            low=Count("pk", filter=Q(vulnerability__risk_level=RiskLevel.LOW)),
        )
    }
    rows = []
    for c in communities.order_by("code"):
        f = figures.get(c.pk, {})
        elders = f.get("elders", 0)
        screened_count = f.get("screened", 0)
        rows.append(
            {
                "community": c,
                "street": c.parent,
                "elders": elders,
                "screened": screened_count,
                "unscreened": elders - screened_count,
                "unassigned": f.get("unassigned", 0),
                "high": f.get("high", 0),
                "medium": f.get("medium", 0),
                "low": f.get("low", 0),
            }
        )
    return rows


def coverage_totals(rows: list[dict]) -> dict:
    keys = ("elders", "screened", "unscreened", "unassigned", "high", "medium", "low")
    return {k: sum(r[k] for r in rows) for k in keys}
