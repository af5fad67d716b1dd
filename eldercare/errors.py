"""Domain errors: each carries a message for the user (translated) and maps to HTTP 4xx here."""

from django.core.exceptions import PermissionDenied
from django.db import connections
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    """A refusal the user can understand; `message` is already in the user's language."""

    http_status = status.HTTP_400_BAD_REQUEST
    code = "domain_error"

    def __init__(self, message: str = "", **params):
        self.message = str(message)
        self.params = params
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class ValidationFailed(DomainError):
    code = "invalid"


class NotAllowed(DomainError):
    """The user's role or jurisdiction does not allow this action."""

    http_status = status.HTTP_403_FORBIDDEN
    code = "not_allowed"


class Conflict(DomainError):
    """The object's state does not allow this action (already done, frozen, locked...)."""

    http_status = status.HTTP_409_CONFLICT
    code = "conflict"


def api_exception_handler(exc, context):
    match = getattr(context.get("request"), "resolver_match", None)
    if not getattr(getattr(match, "func", None), "_non_atomic_requests", None):
        return _answer(exc, context)
    # A route outside the request's transaction (its service ran in its own, already rolled
    # back): REST framework's rollback would mark whatever transaction encloses the call instead.
    marked = {c.alias: c.get_rollback() for c in connections.all(initialized_only=True) if c.in_atomic_block}
    try:
        return _answer(exc, context)
    finally:
        for alias, rollback in marked.items():
            connections[alias].set_rollback(rollback)


def _answer(exc, context):
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code, **exc.params}, status=exc.http_status)
    if isinstance(exc, Http404):
        # get_object_or_404 says "No <Model> matches the given query." in English only: answer
        # REST framework's translated "Not found." instead, as for every other refusal.
        return Response({"detail": str(NotFound.default_detail)}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    response = exception_handler(exc, context)
    if isinstance(exc, AuthenticationFailed | NotAuthenticated) and response is not None:
        # The phone app tells an expired sign-in ("token_expired") from a wrong token by its code.
        response.data["code"] = exc.get_codes()
    return response
