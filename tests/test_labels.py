"""Words that mean different things in different places get their own translation: an open
intake batch is 受理中, an open objection 待处理, an open rectification 整改中; an application's
deadline is 办理期限 and a rectification's 整改期限; a person has a 姓名, a thing a 名称."""

from django.apps import apps
from django.utils import translation

from eldercare.forms import AuditFilterForm
from eldercare.models import Division, Elder
from providers.models import Rectification, ServiceItem
from settlement.models import QuarterEvent, QuarterSettlement
from subsidies.applications.models import Application, IntakeBatch, Objection
from subsidies.standards.models import PolicyVersion


def label(model, field):
    return str(model._meta.get_field(field).verbose_name)


def test_open_is_said_as_each_thing_is_open():
    with translation.override("zh-hans"):
        assert str(IntakeBatch.Status.OPEN.label) == "受理中"
        assert str(IntakeBatch.Status.CLOSED.label) == "已截止"
        assert str(Objection.Status.OPEN.label) == "待处理"
        assert str(Rectification.Status.OPEN.label) == "整改中"


def test_deadlines_and_names_are_named_for_what_they_belong_to():
    with translation.override("zh-hans"):
        assert label(Application, "deadline") == "办理期限"
        assert label(Rectification, "deadline") == "整改期限"
        assert label(Elder, "name") == "姓名"
        for model in (IntakeBatch, PolicyVersion, ServiceItem, Division):
            assert label(model, "name") == "名称", model


def test_a_quarter_event_reads_in_words():
    event = QuarterEvent(from_status=QuarterSettlement.Status.PREPARED, to_status=QuarterSettlement.Status.APPROVED)
    with translation.override("zh-hans"):
        assert (event.get_from_status_display(), event.get_to_status_display()) == ("已编制，待审核", "已核准")


def test_the_admin_names_the_third_party_apps_in_chinese():
    with translation.override("zh-hans"):
        names = {
            label: str(apps.get_app_config(label).verbose_name) for label in ("axes", "knox", "django_celery_results")
        }
        assert names == {"axes": "登录防护", "knox": "接口令牌", "django_celery_results": "后台任务结果"}
        assert str(apps.get_model("axes", "AccessAttempt")._meta.verbose_name_plural) == "登录尝试"
        assert str(apps.get_model("django_celery_results", "TaskResult")._meta.verbose_name_plural) == "任务结果"


def test_the_audit_filter_names_its_dates_as_dates():
    with translation.override("zh-hans"):
        form = AuditFilterForm()
        assert (str(form.fields["date_from"].label), str(form.fields["date_to"].label)) == ("起始日期", "截止日期")
