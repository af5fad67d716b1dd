"""Text messages to phones, for what cannot wait (escalations, reminders before a cut-off).

One function sends, whatever the backend: `SMS_BACKEND` names a class with `send(phone, text)`
returning the provider's message id. The default writes to the log (a newcomer's machine sends
nothing); tests keep messages in `outbox`; production names a real provider's backend.
Every message sent, or refused by the provider, is recorded (`SmsMessage`, append-only).
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from .models import SmsMessage

logger = logging.getLogger(__name__)

outbox: list[tuple[str, str]] = []  # (phone, text) kept by the memory backend, read by tests


class SmsFailed(Exception):
    """The provider refused or could not be reached."""


class ConsoleBackend:
    def send(self, phone: str, text: str) -> str:
        logger.warning("SMS to %s: %s", phone, text)
        return ""


class MemoryBackend:
    def send(self, phone: str, text: str) -> str:
        outbox.append((phone, text))
        return str(len(outbox))


def _backend():
    return import_string(settings.SMS_BACKEND)()


def sms_send(*, phone: str, text: str, purpose: str = "", dedupe_key: str = "") -> SmsMessage | None:
    """Send one message; with a dedupe_key, once however often it is asked for. A refusal by the
    provider is recorded, not raised: the in-app notice already carries the same news."""
    phone = (phone or "").strip()
    if not phone:
        return None
    if dedupe_key and SmsMessage.objects.filter(dedupe_key=dedupe_key, phone=phone).exists():
        return None
    try:
        provider_id, error = _backend().send(phone, text), ""
    except SmsFailed as exc:
        provider_id, error = "", str(exc)[:300]
    return SmsMessage.objects.create(
        phone=phone, text=text, purpose=purpose, dedupe_key=dedupe_key, provider_id=provider_id or "", error=error
    )
