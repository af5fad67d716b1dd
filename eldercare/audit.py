"""The audit trail: django-simple-history tables of every model holding personal data or money,
and the logs of every full personal number shown (reveals).

Apps register their historical models (`register`) and their reveal logs (`register_reveals`)
here; the supervisors' page, its export and the API merge them, newest first, within the viewer's
scope. The merge is one UNION in the database, filtered and ordered there: a page reads only its
own rows, and the old → new values are computed for those rows alone (a few queries per kind of
record on the page, never one per row).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pandas as pd
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value, prefetch_related_objects
from django.template.defaultfilters import yesno
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .crypto import EncryptedTextField
from .models import Role, User
from .paging import count_up_to_cap
from .scoping import scope_for

AUDIT_ROLES = (Role.SUPERVISOR, Role.DISTRICT_REVIEWER, Role.SYSADMIN)

# The export writes at most this many rows (the page says so); narrow the filters for more.
EXPORT_LIMIT = 10_000

# Saving these alone is no change anyone audits (a login writes `last_login`): such rows are skipped.
NOISE_FIELDS = ("last_login",)
# Never shown as a change: ciphertext, the derived search keys and digests, password hashes, and
# the time stamps every save moves.
HIDDEN_FIELD_NAMES = frozenset({"password", "name_initials", "updated_at", "created_at", *NOISE_FIELDS})
HIDDEN_FIELD_SUFFIXES = ("_digest", "_index", "_tail", "_nonce", "_hash", "_secret", "_token")


class Action(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    DELETED = "deleted", _("Deleted")
    REVEAL = "reveal", _("Reveal of personal data")


_HISTORY_TYPE = {Action.CREATED: "+", Action.CHANGED: "~", Action.DELETED: "-"}
_ACTION_OF_TYPE = {v: k for k, v in _HISTORY_TYPE.items()}


@dataclass(frozen=True)
class HistorySource:
    """A model with django-simple-history; `community_path` leads from it to a community (None:
    district-wide rows)."""

    model: type
    community_path: str | None

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)


@dataclass(frozen=True)
class RevealSource:
    """A log of full personal numbers shown: `user`, `reason` (with choices), `note`, `created_at`,
    and `subject`, the relation to the person whose number was shown."""

    model: type
    community_path: str | None
    subject: str
    field_label: Callable[[models.Model], str]

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)


_REGISTRY: list[HistorySource] = []
_REVEALS: list[RevealSource] = []


def register(model, community_path: str | None) -> None:
    """`community_path`: the lookup from the model to its community (None: district-wide rows)."""
    if all(s.model is not model for s in _REGISTRY):
        _REGISTRY.append(HistorySource(model, community_path))


def register_reveals(model, *, community_path: str | None, subject: str, field_label: Callable) -> None:
    """A reveal log of an app: each row is shown as a reveal of personal data."""
    if all(s.model is not model for s in _REVEALS):
        _REVEALS.append(RevealSource(model, community_path, subject, field_label))


def _sources() -> list[HistorySource | RevealSource]:
    return [*_REGISTRY, *_REVEALS]


def kinds() -> list[tuple[str, str]]:
    """The kinds of record a filter may pick, by their names."""
    return sorted(((s.key, s.label) for s in _sources()), key=lambda kv: kv[1])


def can_audit(user: User) -> bool:
    return user.is_superuser or user.has_role(*AUDIT_ROLES)


@dataclass(frozen=True)
class AuditFilter:
    date_from: date | None = None
    date_to: date | None = None
    user: str = ""  # part of a login name or a full name
    kind: str = ""  # a source's key (app_label.model)
    action: str = ""  # an Action


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label}: {self.old} → {self.new}"


@dataclass
class AuditRecord:
    at: datetime
    user: str
    kind: str
    kind_label: str
    object: str
    action: str
    changes: list[Change] = field(default_factory=list)
    field: str = ""  # for a reveal: which number was shown
    reason: str = ""
    note: str = ""

    @property
    def action_label(self) -> str:
        return str(Action(self.action).label)

    @property
    def model(self) -> str:
        return self.kind_label

    @property
    def fields(self) -> str:
        return "; ".join(str(c) for c in self.changes)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(qs, source, audit_filter: AuditFilter, scope, *, at: str, user: str):
    if not scope.all and source.community_path is not None:
        qs = qs.filter(**{f"{source.community_path}__any_of": scope.community_ids})
    if audit_filter.date_from:
        qs = qs.filter(**{f"{at}__gte": _day_start(audit_filter.date_from)})
    if audit_filter.date_to:
        qs = qs.filter(**{f"{at}__lt": _day_start(audit_filter.date_to + timedelta(days=1))})
    if audit_filter.user:
        text = audit_filter.user
        qs = qs.filter(
            Q(**{f"{user}__username__icontains": text})
            | Q(**{f"{user}__full_name__icontains": text})
            | Q(**{f"{user}__first_name__icontains": text})
            | Q(**{f"{user}__last_name__icontains": text})
        )
    return qs


def _previous_id(historical, depth: int = 1):
    """The history_id of the row's previous version (`depth` 2: of the outer query's row)."""

    def outer(name):
        ref = OuterRef(name)
        for _level in range(depth - 1):
            ref = OuterRef(ref)
        return ref

    pk = historical.instance_type._meta.pk.attname
    return Subquery(
        historical.objects.filter(**{pk: outer(pk), "history_date__lt": outer("history_date")})
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )


def _noise_only(historical, noise: list[str]) -> Q:
    """A change whose every field but the noise equals the previous version's."""
    others = [
        f.attname for f in historical._meta.concrete_fields if not f.name.startswith("history_") and f.name not in noise
    ]
    same = historical.objects.filter(history_id=_previous_id(historical, depth=2), **{a: OuterRef(a) for a in others})
    return Q(history_type="~") & Q(Exists(same))


def _rows(index: int, source, audit_filter: AuditFilter, scope):
    """The source's rows the filter keeps, as (source, id, at) for the UNION; None: none."""
    if audit_filter.kind and audit_filter.kind != source.key:
        return None
    if isinstance(source, RevealSource):
        if audit_filter.action and audit_filter.action != Action.REVEAL:
            return None
        qs = _filtered(source.model.objects.all(), source, audit_filter, scope, at="created_at", user="user")
        id_column = "pk"
        at_column = "created_at"
    else:
        if audit_filter.action == Action.REVEAL:
            return None
        historical = source.model.history.model
        qs = historical.objects.all()
        if audit_filter.action:
            qs = qs.filter(history_type=_HISTORY_TYPE[audit_filter.action])
        qs = _filtered(qs, source, audit_filter, scope, at="history_date", user="history_user")
        names = {f.name for f in historical._meta.concrete_fields}
        noise = [n for n in NOISE_FIELDS if n in names]
        if noise:
            qs = qs.exclude(_noise_only(historical, noise))
        id_column = "history_id"
        at_column = "history_date"
    return (
        qs.order_by().annotate(a_src=Value(index), a_id=F(id_column), a_at=F(at_column)).values("a_src", "a_id", "a_at")
    )


class AuditQuery:
    """The filtered trail, newest first: counts (up to the lists' cap) and slices in the database
    (a Paginator takes it)."""

    def __init__(self, user: User, audit_filter: AuditFilter):
        scope = scope_for(user)
        self.sources = _sources()
        parts = [p for i, s in enumerate(self.sources) if (p := _rows(i, s, audit_filter, scope)) is not None]
        self._union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else (parts[0] if parts else None)

    def capped_count(self) -> tuple[int, bool]:
        """(rows, capped) counted up to `COUNT_CAP`, as the lists count (`eldercare.paging`): the
        trail of a district grows by every change, and no one pages through ten thousand rows."""
        return count_up_to_cap(self._union.order_by()) if self._union is not None else (0, False)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self[key : key + 1][0]
        if self._union is None:
            return []
        keys = list(self._union.order_by("-a_at", "-a_src", "-a_id")[key])
        return _records(self.sources, keys)


def audit_records_for(user: User, audit_filter: AuditFilter | None = None) -> AuditQuery:
    """What the user may audit, filtered, newest first (slice it: rows are read per slice)."""
    return AuditQuery(user, audit_filter or AuditFilter())


def _user_text(user: User | None) -> str:
    if user is None:
        return "—"
    return f"{user.full_name} ({user.username})" if user.full_name else user.username


def _records(sources, keys: list[dict]) -> list[AuditRecord]:
    by_source: dict[int, list[int]] = defaultdict(list)
    for k in keys:
        by_source[k["a_src"]].append(k["a_id"])
    built: dict[tuple[int, int], AuditRecord] = {}
    for index, ids in by_source.items():
        source = sources[index]
        build = _reveal_records if isinstance(source, RevealSource) else _history_records
        for pk, record in build(source, ids).items():
            built[(index, pk)] = record
    # A row gone between the two reads (a purge of old history) is left out, never an error.
    return [built[key] for k in keys if (key := (k["a_src"], k["a_id"])) in built]


def _reveal_records(source: RevealSource, ids: list[int]) -> dict[int, AuditRecord]:
    rows = source.model.objects.filter(pk__in=ids).select_related("user", source.subject)
    return {
        row.pk: AuditRecord(
            at=row.created_at,
            user=_user_text(row.user),
            kind=source.key,
            kind_label=source.label,
            object=str(getattr(row, source.subject)),
            action=Action.REVEAL,
            field=str(source.field_label(row)),
            reason=row.get_reason_display(),
            note=row.note,
        )
        for row in rows
    }


def _history_records(source: HistorySource, ids: list[int]) -> dict[int, AuditRecord]:
    historical = source.model.history.model
    rows = list(
        historical.objects.filter(history_id__in=ids)
        .select_related("history_user")
        .annotate(a_prev=_previous_id(historical))
    )
    previous = historical.objects.in_bulk([r.a_prev for r in rows if r.a_prev and r.history_type == "~"])
    # `history_object`, not `instance`: the latter reads the current encrypted columns back.
    instances = [r.history_object for r in rows]
    foreign_keys = [f.name for f in source.model._meta.concrete_fields if f.many_to_one]
    if foreign_keys:
        # One query per relation for the whole page, for the objects' names that show a relation.
        prefetch_related_objects(instances, *foreign_keys)
    shown = _shown_fields(source.model, historical)
    records = {}
    for row, instance in zip(rows, instances, strict=True):
        prev = previous.get(row.a_prev) if row.history_type == "~" else None
        records[row.history_id] = AuditRecord(
            at=row.history_date,
            user=_user_text(row.history_user),
            kind=source.key,
            kind_label=source.label,
            object=_object_text(source, instance),
            action=_ACTION_OF_TYPE[row.history_type],
            changes=_changes(shown, prev, row) if prev is not None else [],
        )
    return records


def _object_text(source: HistorySource, instance) -> str:
    try:
        return str(instance)
    except Exception:  # noqa: BLE001 - a relation since deleted: name the record by its number
        return f"{source.label} #{instance.pk}"


def _hidden(model_field) -> bool:
    name = model_field.name
    return (
        isinstance(model_field, EncryptedTextField)
        or name in HIDDEN_FIELD_NAMES
        or name.endswith(HIDDEN_FIELD_SUFFIXES)
    )


def _shown_fields(model, historical) -> list[models.Field]:
    """The model's fields the history keeps and a person may read."""
    kept = {f.name for f in historical._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields if f.name in kept and not _hidden(f)]


def _display(model_field, value) -> str:
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return yesno(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
    if model_field.many_to_one:
        return f"#{value}"
    return str(value)


def _changes(shown: list[models.Field], prev, row) -> list[Change]:
    return [
        Change(str(f.verbose_name), _display(f, getattr(prev, f.attname)), _display(f, getattr(row, f.attname)))
        for f in shown
        if getattr(prev, f.attname) != getattr(row, f.attname)
    ]


def audit_export_frame(records: list[AuditRecord]) -> pd.DataFrame:
    """The rows of the export, one a record, with the page's columns."""
    return pd.DataFrame(
        [
            [
                timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M:%S"),
                r.user,
                r.kind_label,
                r.object,
                r.action_label,
                r.fields if r.action != Action.REVEAL else r.field,
                r.reason,
                r.note,
            ]
            for r in records
        ],
        columns=[
            gettext("when"),
            gettext("who"),
            gettext("record"),
            gettext("object"),
            gettext("action"),
            gettext("What changed"),
            gettext("reason"),
            gettext("note"),
        ],
    )
