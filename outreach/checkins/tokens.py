"""The signed token of an elder's personal check-in page: the enrolment and its nonce, signed.

A token is revoked by a new nonce (a link re-issued) or by the end of the enrolment; a forged,
damaged or revoked token finds nothing.
"""

import secrets

from django.core import signing

from .models import CheckinEnrolment

_signer = signing.TimestampSigner(salt="outreach.checkins.page")


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def page_token(enrolment: CheckinEnrolment) -> str:
    return _signer.sign(f"{enrolment.pk}.{enrolment.token_nonce}")


def enrolment_for_token(token: str) -> CheckinEnrolment | None:
    """The current enrolment the token was signed for, or None (bad, revoked or ended)."""
    try:
        value = _signer.unsign(token)
    except signing.BadSignature:
        return None
    pk, _sep, nonce = value.partition(".")
    if not pk.isdigit() or not nonce:
        return None
    enrolment = CheckinEnrolment.objects.select_related("elder").filter(pk=int(pk), ended_at__isnull=True).first()
    if enrolment is None or not secrets.compare_digest(enrolment.token_nonce, nonce):
        return None
    return enrolment
