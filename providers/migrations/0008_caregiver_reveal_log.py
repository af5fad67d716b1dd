"""The history of caregivers loses its plain phone numbers (it keeps the mask), and each reveal of
a caregiver's full phone is logged in an append-only table: the database refuses UPDATE and
DELETE (see `eldercare.appendonly` for the SQL on PostgreSQL and SQLite)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from eldercare.appendonly import Guard, install, remove

GUARDS = [Guard("providers_caregiverreveallog", "reveals of caregivers phones are append-only")]


def forwards(apps, schema_editor):
    install(schema_editor, GUARDS)


def backwards(apps, schema_editor):
    remove(schema_editor, GUARDS)


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0007_caregiver_phone_encrypted"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Blank first, so that going back re-adds the column filled with "" (the numbers are gone).
        migrations.AlterField(
            model_name="historicalcaregiver",
            name="phone",
            field=models.CharField(blank=True, max_length=20, verbose_name="phone"),
        ),
        migrations.RemoveField(model_name="historicalcaregiver", name="phone"),
        migrations.CreateModel(
            name="CaregiverRevealLog",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("verify_identity", "Verify identity"),
                            ("contact_elder", "Contact the elder"),
                            ("correct_record", "Correct the record"),
                            ("other", "Other"),
                            ("unrecorded", "Not recorded (before reasons were asked)"),
                        ],
                        max_length=20,
                        verbose_name="reason",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "caregiver",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reveals",
                        to="providers.caregiver",
                        verbose_name="caregiver",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "reveal of a caregiver's phone",
                "verbose_name_plural": "reveals of caregivers' phones",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
