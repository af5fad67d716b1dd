"""A reveal of personal data records why (a reason from a short list, a note) and, where useful,
the record it was shown for. Reveals recorded before keep the reason "not recorded".

On SQLite adding a NOT NULL column rebuilds the table, which drops its append-only triggers: they
are installed again after (dropped first where the rebuild kept them, as on PostgreSQL)."""

import django.db.models.deletion
from django.db import migrations, models

from eldercare.appendonly import Guard, install, remove

GUARDS = [Guard("eldercare_reveallog", "reveals of personal data are append-only")]


def guards_again(apps, schema_editor):
    remove(schema_editor, GUARDS)
    install(schema_editor, GUARDS)


def lift_guards(apps, schema_editor):
    remove(schema_editor, GUARDS)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("eldercare", "0005_append_only"),
    ]

    operations = [
        # The guards go first: a rebuild on SQLite copies the rows, and nothing must refuse that.
        migrations.RunPython(lift_guards, guards_again),
        migrations.AddField(
            model_name="reveallog",
            name="reason",
            field=models.CharField(
                choices=[
                    ("verify_identity", "Verify identity"),
                    ("contact_elder", "Contact the elder"),
                    ("correct_record", "Correct the record"),
                    ("other", "Other"),
                    ("unrecorded", "Not recorded (before reasons were asked)"),
                ],
                default="unrecorded",
                max_length=20,
                verbose_name="reason",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="reveallog",
            name="note",
            field=models.CharField(blank=True, max_length=200, verbose_name="note"),
        ),
        migrations.AddField(
            model_name="reveallog",
            name="for_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="shown for",
            ),
        ),
        migrations.AddField(
            model_name="reveallog",
            name="for_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(guards_again, lift_guards),
    ]
