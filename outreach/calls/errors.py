from eldercare.errors import Conflict, ValidationFailed


class CallInvalid(ValidationFailed):
    """A call outcome or a plan that cannot be kept as typed; `errors` names each field."""

    code = "call_invalid"


class CallAlreadyRecorded(Conflict):
    """The entry of the call list already has its outcome (outcomes are never changed)."""

    code = "call_already_recorded"


class VisitAlreadyRecorded(Conflict):
    """The home visit has already been recorded."""

    code = "visit_already_recorded"
