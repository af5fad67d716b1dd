"""Signed tokens: the elder's QR card (checked at every visit) and the caregiver's badge."""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, NotAllowed

# A printed card stays valid two years; a lost card is reissued (new version, new short code).
CARD_MAX_AGE = datetime.timedelta(days=730)
# A badge is reprinted every year.
BADGE_MAX_AGE = datetime.timedelta(days=366)
# Short codes avoid letters and digits that are easy to confuse when typed (0/O, 1/I/L).
SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SHORT_CODE_LENGTH = 8

_card_signer = signing.TimestampSigner(salt="providers.elder-card")
_badge_signer = signing.TimestampSigner(salt="providers.caregiver-badge")


class InvalidCard(NotAllowed):
    code = "invalid_card"


class ExpiredCard(NotAllowed):
    code = "expired_card"


class InvalidBadge(Conflict):
    code = "invalid_badge"


def new_short_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def normalise_code(text: str) -> str:
    return "".join((text or "").split()).upper().replace("-", "")


def card_token(*, elder_id: int, version: int) -> str:
    return _card_signer.sign(f"{elder_id}.{version}")


def card_token_payload(token: str) -> tuple[int, int]:
    """(elder id, card version) from a scanned card; raises InvalidCard or ExpiredCard."""
    try:
        value = _card_signer.unsign(token.strip(), max_age=CARD_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ExpiredCard(_("This elder's card has expired. Ask the community to print a new card.")) from exc
    except signing.BadSignature as exc:
        raise InvalidCard(_("This code is not a valid elder card (forged or damaged).")) from exc
    elder_id, _sep, version = value.partition(".")
    return int(elder_id), int(version or 0)


def looks_like_token(text: str) -> bool:
    return ":" in (text or "")


def badge_token(*, caregiver_id: int) -> str:
    return _badge_signer.sign(str(caregiver_id))


def badge_token_caregiver_id(token: str) -> int:
    try:
        return int(_badge_signer.unsign(token, max_age=BADGE_MAX_AGE))
    except signing.SignatureExpired as exc:
        raise InvalidBadge(_("This badge has expired.")) from exc
    except (signing.BadSignature, ValueError) as exc:
        raise InvalidBadge(_("This badge is not genuine.")) from exc


def confirmation_code(*, elder_id: int, version: int, number: int) -> str:
    """The one-time code number `number` on the back of the elder's card (six digits), derived from
    the card and the server's secret: a re-issued card prints new codes and the old ones stop."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"confirm|{elder_id}|{version}|{number}".encode(), hashlib.sha256
    ).digest()
    return f"{int.from_bytes(digest[:6], 'big') % 1_000_000:06d}"


def confirmation_codes(*, elder_id: int, version: int, count: int) -> list[str]:
    return [confirmation_code(elder_id=elder_id, version=version, number=n) for n in range(1, count + 1)]
