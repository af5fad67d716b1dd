"""API tokens (django-rest-knox): stored as a hash, ending after a shift without use.

The phone app signs in with a username and password and sends `Authorization: Token <key>` with
every request. Only the key's SHA-512 digest is stored: a copy of the database signs nobody in.
A token lives `API_TOKEN_TTL_HOURS` (a shift, 12 hours by default) after its last use, never past
`API_TOKEN_MAX_DAYS` after sign-in; it ends on sign-out, on a new password and when the account
is deactivated.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox import auth
from knox.models import AuthToken, get_digest_token
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = _("Your sign-in on the app has expired: sign in again.")
    default_code = "token_expired"


class ApiTokenAuthentication(auth.TokenAuthentication):
    """Knox's token authentication, with an expired token said as such (not just "invalid") and
    without reading all of the user's other tokens on every request (the check-in's hot path):
    expired tokens are refused, and deleted at the user's next sign-in (a refused request's
    transaction is rolled back, a delete with it)."""

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            raise TokenExpired()
        return False


def api_token_issue(*, user) -> tuple[str, AuthToken]:
    """A new token for `user` (the key, shown once, and its row); the user's expired ones go."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    instance, key = AuthToken.objects.create(user=user)
    return key, instance


def api_token_revoke(*, token: AuthToken) -> None:
    """Sign-out: this token ends (the user's other devices keep theirs)."""
    token.delete()


def api_tokens_end(*, user) -> None:
    """Every token of `user` ends: a new password, a deactivated account."""
    AuthToken.objects.filter(user=user).delete()


def api_tokens_bulk(users) -> dict[int, str]:
    """One token per user, inserted at once (benchmarks and demos): {user id: key}."""
    expiry = timezone.now() + knox_settings.TOKEN_TTL
    keys, rows = {}, []
    for user in users:
        digest, key = get_digest_token()
        keys[user.pk] = key
        rows.append(AuthToken(digest=digest, token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], user=user, expiry=expiry))
    AuthToken.objects.bulk_create(rows)
    return keys


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme for the token: `Authorization: Token <key>`."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=knox_settings.AUTH_HEADER_PREFIX
        )
