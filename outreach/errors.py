from eldercare.errors import Conflict, ValidationFailed


class ScreeningInvalid(ValidationFailed):
    """A screening that cannot be recorded as typed; `errors` names each field."""

    code = "screening_invalid"


class ResponsibleTaken(Conflict):
    """The household already has a current responsible person for this duty."""

    code = "responsible_taken"
