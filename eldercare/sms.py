"""Text messages to phones, for what cannot wait (escalations, reminders before a cut-off).

One function sends, whatever the backend: `SMS_BACKEND` names a class with `send(phone, text)`
returning the provider's message id. The default writes to the log (a newcomer's machine sends
nothing); tests keep messages in `outbox`; production names a real provider's backend.
Every message sent, or refused by the provider, is recorded (`SmsMessage`, append-only).
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.sms.v20210111 import models as tencent_models
from tencentcloud.sms.v20210111 import sms_client

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


class TencentCloudBackend:
    """Tencent Cloud SMS through its SDK. A message in mainland China goes out on an approved
    signature and template: the template holds one parameter, `{1}`, that carries the text.
    Settings: TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, SMS_SDK_APP_ID, SMS_SIGN_NAME,
    SMS_TEMPLATE_ID, SMS_REGION."""

    def __init__(self):
        cred = credential.Credential(settings.TENCENTCLOUD_SECRET_ID, settings.TENCENTCLOUD_SECRET_KEY)
        self.client = sms_client.SmsClient(cred, settings.SMS_REGION)

    def send(self, phone: str, text: str) -> str:
        request = tencent_models.SendSmsRequest()
        request.SmsSdkAppId = settings.SMS_SDK_APP_ID
        request.SignName = settings.SMS_SIGN_NAME
        request.TemplateId = settings.SMS_TEMPLATE_ID
        request.TemplateParamSet = [text]
        request.PhoneNumberSet = [phone if phone.startswith("+") else f"+86{phone}"]
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            raise SmsFailed(f"{exc.get_code()}: {exc.get_message()}") from exc
        status = response.SendStatusSet[0]
        if status.Code != "Ok":
            raise SmsFailed(f"{status.Code}: {status.Message}")
        return status.SerialNo


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
