"""The reason codes a visit correction chooses from (the district may add or retire codes)."""

from django.db import migrations

CODES = [
    ("forgot_checkout", "忘记签退", "Forgot to check out", False),
    ("no_signal", "手机无信号或没电", "Phone without signal or battery", False),
    ("traffic", "交通或上一单延误", "Traffic or the previous visit ran late", False),
    ("elder_rescheduled", "老人要求调整时间", "The elder asked for another time", False),
    ("elder_needs", "老人当天需要更长服务", "The elder needed a longer service that day", True),
    ("card_unavailable", "服务卡不在家或无法读取", "The card was not at home or could not be read", True),
    ("cannot_confirm", "老人无法提供确认码或签名", "The elder could not give a code or signature", True),
    ("location_inaccurate", "定位不准（室内、高楼）", "Location inaccurate (indoors, high-rise)", False),
    ("wrong_visit_scanned", "误点了其他工单", "Checked in on the wrong visit", True),
    ("other", "其他", "Other", True),
]


def load(apps, schema_editor):
    ReasonCode = apps.get_model("providers", "ReasonCode")
    for sort, (code, zh, en, note) in enumerate(CODES, start=1):
        ReasonCode.objects.update_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "note_required": note, "sort": sort}
        )


class Migration(migrations.Migration):
    dependencies = [("providers", "0004_visit_verification")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
