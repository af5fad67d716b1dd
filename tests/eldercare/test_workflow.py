"""The workflow helper on its own: a table of moves, one guarded check, one write with its event."""

from types import SimpleNamespace

import pytest

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.workflow import BadTransition, Move, Workflow, transition

CLERK, HEAD = "clerk", "head"

FLOW = Workflow(
    [
        Move("draft", "sent", frozenset({CLERK})),
        Move("sent", "approved", frozenset({HEAD}), reason_required=True),
    ]
)


class Person:
    def __init__(self, *roles: str) -> None:
        self.roles = set(roles)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class Paper(SimpleNamespace):
    def save(self, update_fields=None):
        self.saved = (self.status, update_fields)


def test_two_moves_between_the_same_statuses_are_refused():
    with pytest.raises(ValueError, match="draft"):
        Workflow([Move("draft", "sent", frozenset({CLERK})), Move("draft", "sent", frozenset({HEAD}))])


def test_a_move_not_in_the_table_is_refused_with_the_callers_words():
    with pytest.raises(BadTransition):
        FLOW.check(source="draft", target="approved", by=Person(HEAD))
    with pytest.raises(ValidationFailed, match="nope"):
        FLOW.check(source="draft", target="approved", by=Person(HEAD), refused=lambda: ValidationFailed("nope"))


def test_only_the_moves_roles_may_make_it_unless_bypassed_or_the_system():
    with pytest.raises(NotAllowed):
        FLOW.check(source="draft", target="sent", by=Person(HEAD))
    assert FLOW.check(source="draft", target="sent", by=Person(HEAD), bypass=True).target == "sent"
    assert FLOW.check(source="draft", target="sent", by=None).target == "sent"


def test_jurisdiction_is_asked_only_of_a_user_whose_role_may_move():
    asked = []

    def covers() -> bool:
        asked.append(True)
        return False

    with pytest.raises(NotAllowed):
        FLOW.check(source="draft", target="sent", by=Person(HEAD), covers=covers)
    assert asked == []
    with pytest.raises(NotAllowed):
        FLOW.check(source="draft", target="sent", by=Person(CLERK), covers=covers)
    assert asked == [True]


def test_a_move_that_needs_a_reason_refuses_a_blank_one():
    with pytest.raises(ValidationFailed):
        FLOW.check(source="sent", target="approved", by=Person(HEAD), reason="  ")
    with pytest.raises(NotAllowed, match="opinion"):
        FLOW.check(source="sent", target="approved", by=Person(HEAD), reason_missing=lambda: NotAllowed("opinion"))
    assert FLOW.check(source="sent", target="approved", by=Person(HEAD), reason="同意").reason_required


def test_transition_records_one_event_from_the_old_status_then_saves_the_new_one():
    paper = Paper(status="draft", note="")
    events = []
    event = transition(
        paper,
        workflow=FLOW,
        to="sent",
        by=Person(CLERK),
        record=lambda from_status: events.append((from_status, paper.status)) or "event",
        fields={"note": "送审"},
        update_fields=["status", "note"],
    )
    assert event == "event"
    assert events == [("draft", "draft")]  # written before the status changes
    assert (paper.status, paper.note, paper.saved) == ("sent", "送审", ("sent", ["status", "note"]))
