from eldercare.errors import Conflict, ValidationFailed


class ReportInvalid(ValidationFailed):
    """A daily report that cannot be submitted as given; `errors` names each field."""

    code = "report_invalid"


class ReportConflict(Conflict):
    """Another submission of the same unit's report of the day came first: reload and confirm again."""

    code = "report_conflict"
