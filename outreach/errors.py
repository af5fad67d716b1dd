from eldercare.errors import Conflict, ValidationFailed


class ScreeningInvalid(ValidationFailed):
    """A screening that cannot be recorded as typed; `errors` names each field."""

    code = "screening_invalid"


class ResponsibleTaken(Conflict):
    """The household already has a current responsible person for this duty."""

    code = "responsible_taken"


class ContactInvalid(ValidationFailed):
    """A contact record that cannot be kept as typed; `errors` names each field."""

    code = "contact_invalid"


class ResponseClosed(Conflict):
    """The emergency response has ended (or not begun): nothing more is recorded under it."""

    code = "response_closed"


class EscalationClosed(Conflict):
    """The escalation has already been closed."""

    code = "escalation_closed"
