from django.conf import settings
from django.db import migrations, models

# Existing rows: a grant belongs to the month it is for, anything else to the local day it was
# written (the only date known for it; SQLite keeps UTC, the district's time is UTC+8).
BACKFILL = {
    "postgresql": """UPDATE vouchers_ledgertransaction SET business_date = CASE
        WHEN kind = 'grant' AND month IS NOT NULL THEN month
        ELSE CAST(created_at AT TIME ZONE %s AS date) END""",
    "sqlite": """UPDATE vouchers_ledgertransaction SET business_date = CASE
        WHEN kind = 'grant' AND month IS NOT NULL THEN month
        ELSE date(created_at, '+8 hours') END""",
}


def backfill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(BACKFILL[vendor], [settings.TIME_ZONE])
        else:
            cursor.execute(BACKFILL["sqlite"])


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0002_postgres_storage")]
    operations = [
        migrations.AddField(
            model_name="ledgertransaction",
            name="business_date",
            field=models.DateField(null=True, verbose_name="business date"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="ledgertransaction",
            name="business_date",
            field=models.DateField(verbose_name="business date"),
        ),
    ]
