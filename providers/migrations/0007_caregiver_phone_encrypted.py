"""Caregivers' phones are encrypted at rest like the elders' (eldercare.crypto), with a masked
column for every list, page, export and API answer. The existing plain numbers are encrypted in
place and masked; the history keeps the mask only (its plain numbers go in 0008)."""

from django.db import migrations, models

import eldercare.crypto
from eldercare.crypto import decrypt, encrypt
from eldercare.masking import mask_phone


def _is_token(value: str) -> bool:
    try:
        decrypt(value)
    except Exception:  # noqa: BLE001 -- a plain number is not a token, whatever the error says
        return False
    return True


def encrypt_phones(apps, schema_editor):
    """Raw SQL on both tables: the migration's model would try to decrypt the plain numbers. Rows
    already encrypted (a migration run again after a partial one) are left as they are."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, phone FROM providers_caregiver")
        rows = [
            (encrypt(phone) if phone else "", mask_phone(phone or ""), pk)
            for pk, phone in cursor.fetchall()
            if not (phone and _is_token(phone))
        ]
        if rows:
            cursor.executemany("UPDATE providers_caregiver SET phone = %s, phone_masked = %s WHERE id = %s", rows)
        cursor.execute("SELECT history_id, phone FROM providers_historicalcaregiver")
        masks = [(mask_phone(phone or ""), pk) for pk, phone in cursor.fetchall()]
        if masks:
            cursor.executemany("UPDATE providers_historicalcaregiver SET phone_masked = %s WHERE history_id = %s", masks)


def decrypt_phones(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, phone FROM providers_caregiver")
        rows = [(decrypt(phone), pk) for pk, phone in cursor.fetchall() if phone and _is_token(phone)]
        if rows:
            cursor.executemany("UPDATE providers_caregiver SET phone = %s WHERE id = %s", rows)


class Migration(migrations.Migration):
    dependencies = [("providers", "0006_append_only")]

    operations = [
        migrations.AddField(
            model_name="caregiver",
            name="phone_masked",
            field=models.CharField(blank=True, default="", editable=False, max_length=20, verbose_name="phone"),
        ),
        migrations.AddField(
            model_name="historicalcaregiver",
            name="phone_masked",
            field=models.CharField(blank=True, default="", editable=False, max_length=20, verbose_name="phone"),
        ),
        migrations.AlterField(
            model_name="caregiver",
            name="phone",
            field=eldercare.crypto.EncryptedTextField(verbose_name="phone"),
        ),
        migrations.RunPython(encrypt_phones, decrypt_phones),
    ]
