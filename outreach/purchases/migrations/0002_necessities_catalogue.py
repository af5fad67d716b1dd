"""The catalogue of daily necessities the households order from (typical prices, CNY)."""

from decimal import Decimal

from django.db import migrations

NECESSITIES = [
    ("大米", "5kg袋", "32.00"),
    ("食用油", "5L桶", "69.90"),
    ("挂面", "1kg", "9.80"),
    ("鸡蛋", "30枚", "25.00"),
    ("卫生纸", "10卷提", "19.90"),
    ("洗衣液", "2kg瓶", "29.90"),
    ("牙膏", "120g支", "12.50"),
    ("香皂", "块", "5.00"),
    ("食盐", "400g袋", "3.00"),
    ("酱油", "500ml瓶", "9.90"),
    ("饮用水", "550ml×12瓶", "18.00"),
    ("口罩", "10只装", "10.00"),
    ("常用药(代购)", "盒", "30.00"),
]


def add(apps, schema_editor):
    Necessity = apps.get_model("outreach_purchases", "Necessity")
    for position, (name, unit, price) in enumerate(NECESSITIES, start=1):
        Necessity.objects.update_or_create(
            name=name,
            defaults={
                "unit": unit,
                "typical_price": Decimal(price),
                "typical_price_currency": "CNY",
                "position": position,
            },
        )


def remove(apps, schema_editor):
    Necessity = apps.get_model("outreach_purchases", "Necessity")
    Necessity.objects.filter(name__in=[n for n, _unit, _price in NECESSITIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("outreach_purchases", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
