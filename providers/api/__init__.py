"""REST API of the providers app, one module per area, scoped through the same selectors as the
pages. Each module registers its routes in `register(router)`.

The caregiver's phone app authenticates with a token (POST /api/v1/auth-token/) and calls
`check-in` and `check-out` on its work orders with the scanned token or typed code and a
`request_id` it keeps for retries.
"""

from . import agreements, catalogue, exceptions, library, orders, presence, quality


def register(router) -> None:
    library.register(router)
    catalogue.register(router)
    orders.register(router)
    agreements.register(router)
    quality.register(router)
    exceptions.register(router)
    presence.register(router)
