"""Seed the required-materials table and the national living-ability instrument (GB/T 42195-2022)."""

from decimal import Decimal

from django.db import migrations

REQUIRED = [
    ("always", "approval_form"),
    ("always", "id_card"),
    ("always", "household_register"),
    ("non_self_care", "diagnosis"),
    ("dibao", "income_or_entitled"),
    ("youfu", "income_or_entitled"),
    ("tekun", "income_or_entitled"),
    ("sanwu", "community_certificate"),
]

ITEMS = [
    ["self_care", "自理能力", 32],
    ["mobility", "基础运动能力", 16],
    ["mental", "精神状态", 24],
    ["perception_social", "感知觉与社会参与", 18],
]

LEVELS = [
    ("能力完好", "90", "90", "self_care"),
    ("轻度失能", "66", "89.99", "semi_disabled"),
    ("中度失能", "46", "65.99", "semi_disabled"),
    ("重度失能", "30", "45.99", "disabled"),
    ("完全失能", "0", "29.99", "disabled"),
]


def seed(apps, schema_editor):
    RequiredMaterial = apps.get_model("applications", "RequiredMaterial")
    Instrument = apps.get_model("applications", "AssessmentInstrument")
    Level = apps.get_model("applications", "InstrumentLevel")
    for condition, material in REQUIRED:
        RequiredMaterial.objects.get_or_create(condition=condition, material_type=material)
    instrument, _ = Instrument.objects.get_or_create(
        code="gbt42195", defaults={"name": "老年人能力评估规范（GB/T 42195-2022）", "items": ITEMS, "is_default": True}
    )
    for name, low, high, care in LEVELS:
        Level.objects.get_or_create(
            instrument=instrument,
            name=name,
            defaults={"min_score": Decimal(low), "max_score": Decimal(high), "care_level": care},
        )


def unseed(apps, schema_editor):
    apps.get_model("applications", "AssessmentInstrument").objects.filter(code="gbt42195").delete()
    apps.get_model("applications", "RequiredMaterial").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_initial")]
    operations = [migrations.RunPython(seed, unseed)]
