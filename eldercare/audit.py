"""The audit trail: django-simple-history tables of every model holding personal data or money.

Apps register their historical models here; the supervisors' page merges them, newest first,
within the viewer's scope.
"""

from dataclasses import dataclass
from datetime import datetime

from .models import User
from .scoping import scope_for

# (historical model getter, path from the historical row to a community) registered by the apps.
_REGISTRY: list[tuple] = []


def register(model, community_path: str | None) -> None:
    """`community_path`: the lookup from the model to its community (None: district-wide rows)."""
    _REGISTRY.append((model, community_path))


@dataclass
class AuditRecord:
    at: datetime
    user: str
    model: str
    object: str
    change: str
    row: object  # the historical row, for the diff

    @property
    def fields(self) -> str:
        """The changed fields; computed only for the rows a page shows (one query each)."""
        return ", ".join(_changed_fields(self.row))


def audit_records_for(user: User, limit: int = 500) -> list[AuditRecord]:
    scope = scope_for(user)
    records: list[AuditRecord] = []
    for model, path in _REGISTRY:
        historical = model.history.model
        qs = historical.objects.select_related("history_user").order_by("-history_date")
        if not scope.all and path is not None:
            qs = qs.filter(**{f"{path}__in": scope.community_ids})
        for row in qs[:limit]:
            records.append(
                AuditRecord(
                    at=row.history_date,
                    user=str(row.history_user or "—"),
                    model=str(model._meta.verbose_name),
                    object=str(row.history_object if hasattr(row, "history_object") else row),
                    change=row.get_history_type_display(),
                    row=row,
                )
            )
    records.sort(key=lambda r: r.at, reverse=True)
    return records[:limit]


def _changed_fields(row) -> list[str]:
    previous = row.prev_record
    if previous is None:
        return []
    try:
        return [str(c.field) for c in row.diff_against(previous).changes]
    except Exception:  # noqa: BLE001 - a schema change between two rows: show the row without a diff
        return []
