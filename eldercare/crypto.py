"""Personal data at rest: Fernet-encrypted fields and an HMAC blind index for exact look-ups.

Keys come from FIELD_ENCRYPTION_KEYS (newest first, so keys can be rotated) and BLIND_INDEX_KEY.
On the embedded default both are derived from SECRET_KEY so a newcomer needs no set-up.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import models


def _derive(label: str) -> bytes:
    return hashlib.sha256(f"{label}:{settings.SECRET_KEY}".encode()).digest()


@cache
def _fernet() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEYS or [base64.urlsafe_b64encode(_derive("field-encryption")).decode()]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def blind_index(value: str) -> str:
    """A keyed digest of a normalised value: equal inputs give equal digests, nothing reversible."""
    key = settings.BLIND_INDEX_KEY.encode() if settings.BLIND_INDEX_KEY else _derive("blind-index")
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python code sees the plain text."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
