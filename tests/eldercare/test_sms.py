"""Text messages: one service, a backend per environment, every message recorded."""

from unittest import mock

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.sms.v20210111 import models as tencent_models
from tencentcloud.sms.v20210111 import sms_client

from eldercare import sms
from eldercare.models import Notification, SmsMessage, User
from eldercare.services import notification_send
from eldercare.settings import base

pytestmark = pytest.mark.django_db


def test_a_newcomers_machine_writes_messages_to_the_log_and_sends_nothing(caplog):
    assert base.SMS_BACKEND == "eldercare.sms.ConsoleBackend"
    with caplog.at_level("WARNING", logger="eldercare.sms"):
        assert sms.ConsoleBackend().send("13905140001", "测试") == ""
    assert "13905140001" in caplog.text


def test_a_notice_that_cannot_wait_is_texted_once_to_the_users_phone():
    user = User.objects.create_user(username="worker", password="pw-12345678")
    user.phone = "13905140001"
    user.save(update_fields=["phone"])
    for _ in range(2):
        notification_send(user=user, message="高一 需要社区处理", url="/x/", dedupe_key="k1", sms=True)
    assert sms.outbox == [("13905140001", "高一 需要社区处理")]
    assert SmsMessage.objects.get().purpose == "notice"
    notification_send(user=user, message="不急的通知", dedupe_key="k2")
    assert len(sms.outbox) == 1
    assert Notification.objects.filter(user=user).count() == 2


def test_a_user_without_a_phone_gets_the_notice_only():
    user = User.objects.create_user(username="worker", password="pw-12345678")
    notification_send(user=user, message="高一 需要社区处理", sms=True)
    assert sms.outbox == []
    assert not SmsMessage.objects.exists()


def _tencent_response(code="Ok", message="send success", serial="2433:0a1b"):
    response = tencent_models.SendSmsResponse()
    status = tencent_models.SendStatus()
    status.Code, status.Message, status.SerialNo = code, message, serial
    response.SendStatusSet = [status]
    return response


@pytest.fixture
def tencent(settings):
    settings.SMS_BACKEND = "eldercare.sms.TencentCloudBackend"
    settings.TENCENTCLOUD_SECRET_ID, settings.TENCENTCLOUD_SECRET_KEY = "id", "key"
    settings.SMS_SDK_APP_ID, settings.SMS_SIGN_NAME, settings.SMS_TEMPLATE_ID = "1400000000", "江都民政", "2000001"
    with mock.patch.object(sms_client.SmsClient, "SendSms") as send:
        yield send


def test_the_tencent_backend_sends_on_the_approved_signature_and_template(tencent):
    tencent.return_value = _tencent_response()
    message = sms.sms_send(phone="13905140001", text="高一 需要社区处理", purpose="escalation")
    request = tencent.call_args.args[0]
    assert (request.SmsSdkAppId, request.SignName, request.TemplateId) == ("1400000000", "江都民政", "2000001")
    assert request.PhoneNumberSet == ["+8613905140001"]
    assert request.TemplateParamSet == ["高一 需要社区处理"]
    assert (message.provider_id, message.error) == ("2433:0a1b", "")


def test_a_refusal_by_the_provider_is_recorded_not_raised(tencent):
    tencent.return_value = _tencent_response(code="LimitExceeded.PhoneNumberDailyLimit", message="daily limit")
    message = sms.sms_send(phone="13905140001", text="提醒")
    assert message.error == "LimitExceeded.PhoneNumberDailyLimit: daily limit"
    tencent.side_effect = TencentCloudSDKException("AuthFailure.SecretIdNotFound", "secret id not found")
    message = sms.sms_send(phone="13905140001", text="提醒")
    assert message.error.startswith("AuthFailure.SecretIdNotFound")
    assert SmsMessage.objects.count() == 2
