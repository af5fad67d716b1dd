from eldercare.errors import Conflict, ValidationFailed


class OrderInvalid(ValidationFailed):
    """An order, a packing or a payment that cannot be kept as typed; `errors` names each field."""

    code = "order_invalid"


class OrderStateConflict(Conflict):
    """The order (or the run) is not in a state that allows this step."""

    code = "order_state"


class NothingToRun(Conflict):
    """No need waits for a run that the community may make today."""

    code = "nothing_to_run"


class NoPartnerSupermarket(ValidationFailed):
    """No partner supermarket serves the community."""

    code = "no_partner_supermarket"


class PaymentReferenceTaken(Conflict):
    """The payment reference has already been recorded for another order."""

    code = "payment_reference_taken"
