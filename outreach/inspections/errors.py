from eldercare.errors import Conflict, ValidationFailed


class InspectionInvalid(ValidationFailed):
    """An inspection or a problem that cannot be recorded as typed; `errors` names each field."""

    code = "inspection_invalid"


class ProblemMoveRefused(Conflict):
    """The problem's status does not allow this move (already corrected, closed or open)."""

    code = "problem_move_refused"
