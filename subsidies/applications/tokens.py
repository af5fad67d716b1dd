"""The verification code printed on every official document of the review: a signed token naming the
document (its kind and the ids that find it), that the public page /verify/<token>/ checks.

A filed document stays genuine for as long as it is kept, so the token does not expire; it holds
no personal data (ids only) and is short enough for a small QR code.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

_signer = signing.Signer(salt="subsidies.documents.verify")


class DocumentKind:
    DECISION = "d"  # a written decision (approval or rejection), by the notice's id
    APPROVAL_FORM = "f"  # the approval form of an application, by the application's id and print date
    NOTICE_LIST = "l"  # the public-notice list of a batch in a community
    BATCH_NOTICE = "b"  # the announcement of an intake batch
    ROSTER = "r"  # the monthly payment roster of a community or a street, by the division's id and month
    STATEMENT = "s"  # a provider's monthly statement of services, by the provider's id and month

    ALL = (DECISION, APPROVAL_FORM, NOTICE_LIST, BATCH_NOTICE, ROSTER, STATEMENT)
    # Printed again whenever needed: the token also holds the day it was printed. For the monthly
    # documents (roster, statement) the day is the first day of the month they cover.
    DATED = (APPROVAL_FORM, NOTICE_LIST, ROSTER, STATEMENT)


@dataclass(frozen=True)
class DocumentRef:
    kind: str
    ids: tuple[int, ...]
    day: datetime.date | None = None


class BadDocumentToken(ValueError):
    pass


def document_token(ref: DocumentRef) -> str:
    parts = [ref.kind, *(str(i) for i in ref.ids)]
    if ref.day is not None:
        parts.append(ref.day.strftime("%Y%m%d"))
    return _signer.sign(".".join(parts))


def document_ref(token: str) -> DocumentRef:
    """The document a token names; raises BadDocumentToken for a forged or damaged one."""
    try:
        value = _signer.unsign(token.strip())
    except signing.BadSignature as exc:
        raise BadDocumentToken(token) from exc
    kind, *rest = value.split(".")
    if kind not in DocumentKind.ALL:
        raise BadDocumentToken(token)
    try:
        day = None
        if kind in DocumentKind.DATED:
            *rest, printed = rest
            day = datetime.datetime.strptime(printed, "%Y%m%d").date()  # noqa: DTZ007 (a calendar day)
        return DocumentRef(kind, tuple(int(i) for i in rest), day)
    except ValueError as exc:
        raise BadDocumentToken(token) from exc


def verify_url(ref: DocumentRef) -> str:
    """The public address the document's QR code opens (SITE_URL: the platform's public address)."""
    return settings.SITE_URL.rstrip("/") + reverse("document_verify", args=[document_token(ref)])
