"""Reads of the vulnerability register. Every page, API list and work-list panel goes through these.

Who sees what: community workers, street and district reviewers, supervisors and the system
administrator see the elders of their part of the tree (`scope_for`); anyone else, a volunteer
first of all, sees only the households of which they are a current responsible person.
"""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from eldercare.models import Division, Elder, LifeStatus, Role, User
from eldercare.readings import changed_since
from eldercare.scoping import scope_for

from . import rules
from .models import (
    CareNeed,
    Contact,
    ContactResult,
    CoverageFigure,
    CoverageReading,
    EmergencyResponse,
    Escalation,
    ResponsiblePerson,
    RiskLevel,
    TemporaryCaregiver,
    VulnerabilityProfile,
)

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
UNCARED = "uncared"  # family carers away and no temporary caregiver today
MINE = "mine"  # the households in the user's care


def sees_whole_area(user: User) -> bool:
    return user.is_superuser or user.has_role(*REGISTER_ROLES)


def _current_primaries() -> QuerySet[ResponsiblePerson]:
    """The current primary responsible persons."""
    return ResponsiblePerson.objects.filter(duty=ResponsiblePerson.Duty.PRIMARY, ends_on__isnull=True)


def _primaries(elder: OuterRef) -> QuerySet[ResponsiblePerson]:
    """The current primary responsible persons of the outer row's elder."""
    return _current_primaries().filter(elder_id=elder)


def _current_primary() -> Exists:
    return Exists(_primaries(OuterRef("pk")))


def _caregiver_on(on: datetime.date) -> ExpressionWrapper:
    # One set of the day's caregivers the database hashes once, not a lookup per elder: an elder
    # not screened has no `carers_absent` (NULL), which does not spare the lookup in a count's filter.
    current = TemporaryCaregiver.objects.filter(starts_on__lte=on, ends_on__gte=on).values("elder_id")
    return ExpressionWrapper(Q(pk__in=current), output_field=BooleanField())


def _unscreened() -> Q:
    # An anti-join the planner counts right (the profile's id IS NULL after the join it takes for one row).
    return ~Q(Exists(VulnerabilityProfile.objects.filter(elder=OuterRef("pk"))))


def _unassigned() -> Q:
    # Screened and no current primary: from the profiles (a tenth of the elders or fewer), so the
    # planner reads the few such elders by their key, where through the elders' join it read every
    # elder of the district to find them (a count stopped at the cap stops at none when there are
    # none).
    profiles = VulnerabilityProfile.objects.filter(~Exists(_primaries(OuterRef("elder_id"))))
    return Q(pk__in=profiles.values("elder_id"))


def assigned_elder_ids(user: User) -> QuerySet:
    """The households of which the user is a current responsible person (primary or deputy)."""
    return ResponsiblePerson.objects.filter(user=user, ends_on__isnull=True).values("elder_id")


def visible_q(user: User, path: str = "") -> Q:
    """A filter on elders (or, with `path`, on rows that reach an elder) the user may see here."""
    if scope_for(user).all:
        return Q()  # an empty filter: `Q(…) | Q()` would drop the area and keep only the households
    whole_area = sees_whole_area(user)
    assigned: QuerySet | list[int] = assigned_elder_ids(user)
    if whole_area:
        # The few households in the user's own care as a list, not a subquery: PostgreSQL cannot
        # combine `community IN (…) OR id IN (subquery)` into index reads and would read every elder.
        assigned = [row["elder_id"] for row in assigned_elder_ids(user)]
    if path:
        q = Q(**{f"{path}_id__in": assigned})
        area = f"{path}__community"
    else:
        q = Q(pk__in=assigned)
        area = "community"
    if whole_area:
        q |= scope_for(user).communities_q(area)
    return q


def register_of(on: datetime.date) -> QuerySet[Elder]:
    """Every elder of the register on the day (aged 60 or more, living), whoever looks."""
    return Elder.objects.filter(
        life_status=LifeStatus.ACTIVE, birth_date__lte=rules.born_on_or_before(rules.OUTREACH_MIN_AGE, on)
    ).annotate(has_caregiver=_caregiver_on(on))


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
    qs = (
        register_of(on or timezone.localdate())
        .filter(visible_q(user))
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
        qs = qs.filter(_unscreened())
    elif status == UNASSIGNED:
        qs = qs.filter(_unassigned())
    elif status == UNCARED:
        # `rules.carer_gap` as a filter: carers away and nobody's period covers the day (a Q: the
        # type checker does not follow `has_caregiver` from `register_of`)
        qs = qs.filter(Q(vulnerability__carers_absent=True, has_caregiver=False))
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


def caregiver_list(*, user: User, elder: Elder | None = None) -> QuerySet[TemporaryCaregiver]:
    """Temporary caregivers of the households the user may see, the latest first."""
    qs = TemporaryCaregiver.objects.filter(visible_q(user, "elder")).select_related("elder", "elder__community")
    if elder is not None:
        qs = qs.filter(elder=elder)
    return qs


def caregiver_get(*, user: User, pk: int) -> TemporaryCaregiver:
    return get_object_or_404(caregiver_list(user=user), pk=pk)


def responsible_get(*, user: User, pk: int) -> ResponsiblePerson:
    return get_object_or_404(responsible_list(user=user), pk=pk)


COVERAGE_FIGURES = ("elders", "screened", "unassigned", "uncared", "high", "medium", "low")
# Past this share of the communities changed since a reading, the coverage counts every one live.
CHANGED_SHARE_AT_MOST = 0.5


def coverage_counted(register: QuerySet[Elder]) -> dict[int, dict]:
    """The figures of each community of these elders of the register, counted now."""
    register = register.order_by()
    # Two aggregates: the elders, counted alone (no join), and the screened, from their profiles
    # (a tenth of the elders or fewer). One over the elders joined to their profiles read and
    # joined every elder of the district to count a few figures of the screened.
    figures: dict[int, dict] = {
        row["community_id"]: {"elders": row["elders"]}
        for row in register.values("community_id").annotate(elders=Count("pk"))
    }
    for row in (
        register.filter(vulnerability__isnull=False)
        .values("community_id")
        .annotate(
            screened=Count("pk"),
            # The current primaries as one set the database hashes once, not a look-up per elder.
            unassigned=Count("pk", filter=~Q(pk__in=_current_primaries().values("elder_id"))),
            uncared=Count("pk", filter=Q(vulnerability__carers_absent=True, has_caregiver=False)),
            high=Count("pk", filter=Q(vulnerability__risk_level=RiskLevel.HIGH)),
            medium=Count("pk", filter=Q(vulnerability__risk_level=RiskLevel.MEDIUM)),
            low=Count("pk", filter=Q(vulnerability__risk_level=RiskLevel.LOW)),
        )
    ):
        # A community's first elder screened between the two statements has no count of elders yet.
        figures.setdefault(row["community_id"], {"elders": 0}).update(row)
    return {c: {k: f.get(k, 0) for k in COVERAGE_FIGURES} for c, f in figures.items()}


def _changed_communities(reading: CoverageReading) -> set[int]:
    """The communities whose figures may have changed since the reading: where an elder, a
    screening, a responsible person or a temporary caregiver was saved since (an elder's every
    community: one who moved away left one behind, and a deleted elder has only its history)."""
    since = changed_since(reading.as_of)
    saved = [
        Elder.objects.filter(updated_at__gte=since).order_by().values("pk"),
        Elder.history.filter(history_date__gte=since).order_by().values("id"),
        *(
            m.objects.filter(updated_at__gte=since).order_by().values("elder_id")
            for m in (VulnerabilityProfile, ResponsiblePerson, TemporaryCaregiver)
        ),
    ]
    elders = saved[0].union(*saved[1:], all=True)
    # One statement: the sets are joined in the database, never brought here.
    now = Elder.objects.filter(pk__in=elders).order_by().values_list("community_id", flat=True)
    then = Elder.history.filter(id__in=elders).order_by().values_list("community_id", flat=True)
    return set(now.union(then))


def coverage_figures(community_ids: list[int], on: datetime.date) -> dict[int, dict]:
    """The figures of these communities on the day: from the day's stored reading
    (`services.coverage_readings_take`), except the communities changed since, counted live; all live
    without a reading of the day or when most communities changed."""
    wanted = set(community_ids)
    reading = CoverageReading.objects.filter(day=on).order_by("-as_of", "-pk").first()
    if reading is not None:
        changed = _changed_communities(reading) & wanted
        if len(changed) <= CHANGED_SHARE_AT_MOST * len(wanted):
            figures = {
                row["community_id"]: {k: row[k] for k in COVERAGE_FIGURES}
                for row in CoverageFigure.objects.filter(reading=reading, community_id__in=wanted - changed).values(
                    "community_id", *COVERAGE_FIGURES
                )
            }
            if changed:
                figures.update(coverage_counted(register_of(on).filter(community_id__in=changed)))
            return figures
    return coverage_counted(register_of(on).filter(community_id__in=wanted))


def coverage(*, user: User, on: datetime.date | None = None) -> list[dict]:
    """Per community of the user's area: elders of 60 or more at home, screened, not screened,
    screened without a current primary responsible person, and the screened by risk level.
    Aggregates over the register (`register_elders`), so each figure is the length of the list it
    opens; read from the day's stored reading where nothing changed since (`coverage_figures`)."""
    if not sees_whole_area(user):
        return []
    scope = scope_for(user)
    area = Division.objects.filter(level=Division.Level.COMMUNITY).select_related("parent")
    if not scope.all:
        area = area.filter(pk__any_of=scope.community_ids)
    communities = list(area.order_by("code"))
    figures = coverage_figures([c.pk for c in communities], on or timezone.localdate())
    rows = []
    for c in communities:
        f = figures.get(c.pk) or dict.fromkeys(COVERAGE_FIGURES, 0)
        rows.append({"community": c, "street": c.parent, **f, "unscreened": f["elders"] - f["screened"]})
    return rows


def coverage_totals(rows: list[dict]) -> dict:
    keys = ("elders", "screened", "unscreened", "unassigned", "uncared", "high", "medium", "low")
    return {k: sum(r[k] for r in rows) for k in keys}


# Emergency responses, the day's contact list, contacts and escalations.


def _district_ids(user: User) -> set[int] | None:
    """The districts whose responses the user sees (None: all): those of the user's area and of
    the households in the user's care."""
    scope = scope_for(user)
    if scope.all:
        return None
    ids = set(scope.district_ids)
    communities = set(scope.community_ids) if sees_whole_area(user) else set()
    communities |= set(Elder.objects.filter(pk__in=assigned_elder_ids(user)).values_list("community_id", flat=True))
    if communities:
        ids |= set(
            Division.objects.filter(
                level=Division.Level.DISTRICT, children__children__pk__any_of=communities
            ).values_list("pk", flat=True)
        )
    return ids


def active_q(on: datetime.date) -> Q:
    """Responses in progress on a day: begun, not ended."""
    return Q(ended_at__isnull=True, starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on))


def response_list(*, user: User, active_on: datetime.date | None = None) -> QuerySet[EmergencyResponse]:
    qs = EmergencyResponse.objects.select_related("district", "declared_by", "ended_by").prefetch_related("streets")
    districts = _district_ids(user)
    if districts is not None:
        qs = qs.filter(district_id__in=districts)
    if active_on is not None:
        qs = qs.filter(active_q(active_on))
    return qs


def response_get(*, user: User, pk: int) -> EmergencyResponse:
    return get_object_or_404(response_list(user=user), pk=pk)


def area_q(response: EmergencyResponse, path: str = "community") -> Q:
    """A filter on elders (through `path`, their community) living in the response's area."""
    streets = [s.pk for s in response.streets.all()]
    if streets:
        return Q(**{f"{path}__parent_id__in": streets})
    return Q(**{f"{path}__parent__parent_id": response.district_id})


def declarable_districts(user: User) -> QuerySet[Division]:
    """The districts in which the user may declare a response (a district reviewer: their own)."""
    qs = Division.objects.filter(level=Division.Level.DISTRICT)
    if not (user.is_superuser or user.has_role(Role.DISTRICT_REVIEWER, Role.SYSADMIN)):
        return qs.none()
    scope = scope_for(user)
    return qs if scope.all else qs.filter(pk__in=scope.district_ids)


@dataclass
class DueContact:
    """A household due for a contact today under one response."""

    response: EmergencyResponse
    elder: Elder
    risk_level: str  # empty: not yet screened
    last_contact_day: datetime.date | None  # the last day someone was reached
    last_contact_at: datetime.datetime | None  # the last attempt, answered or not
    last_result: str

    @property
    def risk_label(self) -> str:
        return str(RiskLevel(self.risk_level).label) if self.risk_level else ""


def today_list(*, user: User, on: datetime.date | None = None) -> list[DueContact]:
    """The households in the user's care (primary or deputy) due today under every response in
    progress whose area covers them, high risk first, then the longest without a contact.

    A household is due by `rules.contact_due` on the day of its last contact that reached someone,
    under any of the responses in progress (a visit for the heat wave is a visit for the flood too);
    one not answered stays on the list. A household covered by two responses is listed once, under
    the response that makes it due first. One query for the responses and one per response."""
    on = on or timezone.localdate()
    rows: list[DueContact] = []
    responses = list(response_list(user=user, active_on=on))
    for response in responses:
        contacts = Contact.objects.filter(response__in=responses, elder=OuterRef("pk")).order_by("-at", "-id")
        reached = contacts.exclude(result=ContactResult.UNREACHABLE)
        elders = (
            register_elders(user=user, on=on, status=MINE)
            .filter(area_q(response))
            .annotate(
                last_day=Subquery(reached.values("day")[:1]),
                last_at=Subquery(contacts.values("at")[:1]),
                last_result=Subquery(contacts.values("result")[:1]),
            )
        )
        rule = response.rule()
        for elder in elders:
            profile = getattr(elder, "vulnerability", None)
            risk = profile.risk_level if profile is not None else ""
            if rules.contact_due(risk, rule, elder.last_day, on):
                rows.append(DueContact(response, elder, risk, elder.last_day, elder.last_at, elder.last_result or ""))
    rows.sort(
        key=lambda r: (
            rules.RISK_ORDER[r.risk_level or rules.UNSCREENED_RISK],
            r.last_contact_at is not None,
            r.last_contact_at.timestamp() if r.last_contact_at else 0,
            r.elder.name,
            r.response.pk,
        )
    )
    listed: set[int] = set()
    once = []
    for row in rows:
        if row.elder.pk not in listed:
            listed.add(row.elder.pk)
            once.append(row)
    return once


def contact_elder_get(*, user: User, response: EmergencyResponse, pk: int) -> Elder:
    """A household of the response's area the user may see, or 404."""
    return get_object_or_404(register_elders(user=user).filter(area_q(response)), pk=pk)


def contact_list(
    *, user: User, response: EmergencyResponse | None = None, elder: Elder | None = None
) -> QuerySet[Contact]:
    qs = Contact.objects.filter(visible_q(user, "elder")).select_related("response", "elder", "elder__community", "by")
    if response is not None:
        qs = qs.filter(response=response)
    if elder is not None:
        qs = qs.filter(elder=elder)
    return qs


def escalation_list(*, user: User, open_only: bool | None = None) -> QuerySet[Escalation]:
    """Escalations of the households the user may see (a community worker: the community's)."""
    qs = Escalation.objects.filter(visible_q(user, "elder")).select_related(
        "response", "elder", "community", "contact", "contact__by", "closed_by"
    )
    if open_only is True:
        qs = qs.filter(closed_at__isnull=True)
    elif open_only is False:
        qs = qs.filter(closed_at__isnull=False)
    return qs


def escalation_get(*, user: User, pk: int) -> Escalation:
    return get_object_or_404(escalation_list(user=user), pk=pk)


def open_escalation_of(*, response: EmergencyResponse, elder: Elder) -> Escalation | None:
    """The household's escalation under the response still waiting for the community, if any (the
    caller checked the household is in the user's care)."""
    return Escalation.objects.filter(response=response, elder=elder, closed_at__isnull=True).order_by("-id").first()
