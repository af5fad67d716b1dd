from eldercare.errors import Conflict, ValidationFailed


class EnrolmentInvalid(ValidationFailed):
    """An enrolment that cannot be kept as typed; `errors` names each field."""

    code = "enrolment_invalid"


class AlreadyEnrolled(Conflict):
    """The elder already has a current enrolment (end it first)."""

    code = "already_enrolled"


class EnrolmentEnded(Conflict):
    code = "enrolment_ended"


class AlertResolved(Conflict):
    """The missed check-in has already been confirmed."""

    code = "alert_resolved"
