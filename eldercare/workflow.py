"""One shape for every workflow: a table of allowed moves and one guarded transition.

A workflow is a table of moves, each (from status, to status) → the roles that may make it and
whether it needs a stated reason. `transition()` is the only way a status changes: it refuses a
move not in the table, or by a role or jurisdiction that may not make it, then writes the new
status and one event row, in the caller's transaction. Applications, work orders, providers and
accounts all use it; each app keeps its own event model and its own wording of a refusal.

A workflow whose checks must run in two steps (an application checks its readiness between the
role check and the move) calls `Workflow.check()` and later `transition_apply()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .errors import Conflict, DomainError, NotAllowed, ValidationFailed
from .models import User


class BadTransition(Conflict):
    """The object's status does not allow this move."""

    code = "bad_transition"


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    roles: frozenset[str] = frozenset()  # empty: no role may make it by hand (the system does)
    reason_required: bool = False


class Workflow:
    def __init__(self, moves: Iterable[Move]) -> None:
        self.moves: dict[tuple[str, str], Move] = {}
        for move in moves:
            if (move.source, move.target) in self.moves:
                raise ValueError(f"two moves from {move.source!r} to {move.target!r}")
            self.moves[(move.source, move.target)] = move

    def move(self, source: str, target: str) -> Move | None:
        return self.moves.get((source, target))

    def allows(self, user: User, source: str, target: str) -> bool:
        move = self.move(source, target)
        return move is not None and user.has_role(*move.roles)

    def check(
        self,
        *,
        source: str,
        target: str,
        by: User | None,
        reason: str = "",
        bypass: bool = False,
        covers: Callable[[], bool] | None = None,
        refused: Callable[[], DomainError] | None = None,
        forbidden: Callable[[], DomainError] | None = None,
        reason_missing: Callable[[], DomainError] | None = None,
    ) -> Move:
        """The move, or a refusal: not in the table (`refused`), or a user whose role or jurisdiction
        may not make it (`forbidden`). `by=None` is the system itself; `bypass` an administrator;
        `covers()`, asked only of a user whose role may make the move, says the object is in the
        user's jurisdiction."""
        move = self.move(source, target)
        if move is None:
            raise refused() if refused else BadTransition(_("This change of status is not allowed."))
        if by is not None and not bypass and not (by.has_role(*move.roles) and (covers is None or covers())):
            raise forbidden() if forbidden else NotAllowed(_("Your role may not make this change of status."))
        if move.reason_required and not reason.strip():
            raise reason_missing() if reason_missing else ValidationFailed(_("Give the reason for this change."))
        return move


def transition_apply(
    obj: Any,
    *,
    to: str,
    record: Callable[[str], Any],
    fields: dict[str, Any] | None = None,
    update_fields: list[str] | None = None,
) -> Any:
    """Write the new status (and `fields`) and one event row; returns the event.

    `record(from_status)` writes the event first, so that it may set fields of the object that
    depend on the event (an account's `status_changed_at`); the object is saved after it, in the
    same transaction."""
    from_status = obj.status
    event = record(from_status)
    obj.status = to
    for name, value in (fields or {}).items():
        setattr(obj, name, value)
    obj.save(update_fields=update_fields)
    return event


def transition(
    obj: Any,
    *,
    workflow: Workflow,
    to: str,
    by: User | None,
    record: Callable[[str], Any],
    reason: str = "",
    bypass: bool = False,
    covers: Callable[[], bool] | None = None,
    refused: Callable[[], DomainError] | None = None,
    forbidden: Callable[[], DomainError] | None = None,
    reason_missing: Callable[[], DomainError] | None = None,
    fields: dict[str, Any] | None = None,
    update_fields: list[str] | None = None,
) -> Any:
    """Check the move (see `Workflow.check`), then write it (see `transition_apply`)."""
    workflow.check(
        source=obj.status,
        target=to,
        by=by,
        reason=reason,
        bypass=bypass,
        covers=covers,
        refused=refused,
        forbidden=forbidden,
        reason_missing=reason_missing,
    )
    return transition_apply(obj, to=to, record=record, fields=fields, update_fields=update_fields)
