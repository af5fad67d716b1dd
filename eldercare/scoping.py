"""Jurisdiction: which part of the tree, and which providers, a user may see.

Every selector starts from `scope_for(user)`. A community worker sees one community, a street
reviewer one street, district roles (reviewer, assessor, finance, supervisor) the district, a
provider's staff their provider's elders and orders. A system administrator sees everything.
Volunteers and a partner supermarket's staff have no part of the tree: the apps that serve them
filter by what is assigned to them (households, orders).
"""

from dataclasses import dataclass

from django.db.models import Field, ForeignObject, Lookup, Q, QuerySet

from .models import OUTSIDE_ROLES, PROVIDER_ROLES, Division, Role, User

# The integer columns whose ids `any_of` sends as an array of the column's own type.
INTEGER_TYPES = ("smallint", "integer", "bigint")


@ForeignObject.register_lookup  # a relation's lookups are its own, not its base Field's
@Field.register_lookup
class AnyOf(Lookup):
    """`column__any_of=ids`: the column is one of the ids, sent as one array on PostgreSQL
    (`= ANY(%s::bigint[])` for an integer column: the array of its own type), which plans as the
    `IN` list it replaces. A district's scope holds hundreds of
    communities: as an `IN` list each id is one more parameter to prepare and to quote on every
    query of every page (a large part of a district's work list at city scale). SQLite, which has
    no arrays, gets the `IN` list."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return sorted(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not self.rhs:
            return "1 = 0", []
        if len(self.rhs) == 1:
            # One id (a community worker's community, a provider's staff): an equality, which an
            # index whose first column it is reads in the index's order (an array does not).
            return f"{lhs} = %s", [*lhs_params, self.rhs[0]]
        if connection.vendor == "postgresql":
            # Cast to the column's own type: psycopg sends the smallest integer array that holds
            # the ids, and PostgreSQL hashes an array's members for a filter only when the two
            # sides hash alike (otherwise each row is compared with every id, in turn).
            column_type = self.lhs.output_field.db_type(connection)
            if column_type not in INTEGER_TYPES or not all(type(i) is int for i in self.rhs):
                return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]
            # Ids as the array's text: psycopg adapts a list of hundreds element by element, a few
            # tenths of a millisecond on each of a page's queries.
            ids = "{" + ",".join(map(str, self.rhs)) + "}"
            return f"{lhs} = ANY(%s::{column_type}[])", [*lhs_params, ids]
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*lhs_params, *self.rhs]


@dataclass(frozen=True)
class Scope:
    all: bool
    community_ids: frozenset[int]
    provider_ids: frozenset[int]
    # Street and district ids the user is responsible for, for work on those levels.
    street_ids: frozenset[int]
    district_ids: frozenset[int]

    @property
    def empty(self) -> bool:
        return not self.all and not self.community_ids and not self.provider_ids

    def covers_community(self, community_id: int | None) -> bool:
        """May the user act on something that belongs to this community?"""
        return self.all or community_id in self.community_ids

    def covers_street(self, street_id: int | None) -> bool:
        return self.all or street_id in self.street_ids

    def covers_provider(self, provider_id: int | None) -> bool:
        return self.all or provider_id in self.provider_ids

    def communities_q(self, path: str = "community") -> Q:
        """A filter on a relation that ends at a community (`path` names it, e.g. 'elder__community')."""
        if self.all:
            return Q()
        return Q(**{f"{path}_id__any_of": self.community_ids}) if self.community_ids else Q(pk__in=[])

    def providers_q(self, path: str = "provider") -> Q:
        if self.all:
            return Q()
        return Q(**{f"{path}_id__any_of": self.provider_ids}) if self.provider_ids else Q(pk__in=[])


def _descendant_communities(divisions: list[Division]) -> set[int]:
    ids: set[int] = set()
    districts = [d.pk for d in divisions if d.level == Division.Level.DISTRICT]
    streets = [d.pk for d in divisions if d.level == Division.Level.STREET]
    ids.update(d.pk for d in divisions if d.level == Division.Level.COMMUNITY)
    if streets or districts:
        ids.update(
            Division.objects.filter(
                Q(parent_id__in=streets) | Q(parent__parent_id__in=districts), level=Division.Level.COMMUNITY
            ).values_list("pk", flat=True)
        )
    return ids


def scope_for(user: User) -> Scope:
    """The user's scope, computed once per request and kept on the user object."""
    cached = getattr(user, "_scope", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        scope = Scope(False, frozenset(), frozenset(), frozenset(), frozenset())
        user._scope = scope
        return scope
    # The assignments the role set is read from too (`user.has_role`): one query for both.
    assignments = user.assignments
    if user.is_superuser or user.has_role(Role.SYSADMIN):
        scope = Scope(True, frozenset(), frozenset(), frozenset(), frozenset())
    else:
        divisions = [a.division for a in assignments if a.role not in PROVIDER_ROLES + OUTSIDE_ROLES and a.division]
        providers = {a.provider_id for a in assignments if a.role in PROVIDER_ROLES and a.provider_id}
        communities = _descendant_communities(divisions)
        streets = {d.pk for d in divisions if d.level == Division.Level.STREET}
        districts = {d.pk for d in divisions if d.level == Division.Level.DISTRICT}
        if districts:
            streets |= set(
                Division.objects.filter(parent_id__in=districts, level=Division.Level.STREET).values_list(
                    "pk", flat=True
                )
            )
        scope = Scope(False, frozenset(communities), frozenset(providers), frozenset(streets), frozenset(districts))
    user._scope = scope
    return scope


def restrict_to_communities(qs: QuerySet, user: User, path: str = "community") -> QuerySet:
    return qs.filter(scope_for(user).communities_q(path))
