"""The log of reveals of personal data is append-only in the database: UPDATE and DELETE are refused.

Nothing in the product updates or deletes a reveal (`eldercare.services` only inserts), so no
column is let through. See `eldercare.appendonly` for the SQL on PostgreSQL and SQLite.
"""

from django.db import migrations

from eldercare.appendonly import Guard, install, remove

GUARDS = [Guard("eldercare_reveallog", "reveals of personal data are append-only")]


def forwards(apps, schema_editor):
    install(schema_editor, GUARDS)


def backwards(apps, schema_editor):
    remove(schema_editor, GUARDS)


class Migration(migrations.Migration):
    dependencies = [("eldercare", "0004_outside_roles_and_text_messages")]

    operations = [migrations.RunPython(forwards, backwards)]
