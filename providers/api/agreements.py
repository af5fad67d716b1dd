"""REST API of this area (registered by providers.api.register)."""


def register(router) -> None:
    return None
