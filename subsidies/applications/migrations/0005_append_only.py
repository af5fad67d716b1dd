"""The review's history is append-only in the database, and an application is never deleted.

An application's events refuse UPDATE and DELETE: nothing in the product changes one after it is
written (`application_transition` and the opinion of an assessment only insert). An application
refuses DELETE only: its status, stage and decision change through the review, so UPDATE stays
allowed; a case that goes no further is withdrawn or rejected, and it stays. See
`eldercare.appendonly` for the SQL on PostgreSQL and SQLite.
"""

from django.db import migrations

from eldercare.appendonly import Guard, install, remove

GUARDS = [
    Guard("applications_applicationevent", "application events are append-only"),
    Guard("applications_application", "applications are never deleted", refuse=("DELETE",)),
]


def forwards(apps, schema_editor):
    install(schema_editor, GUARDS)


def backwards(apps, schema_editor):
    remove(schema_editor, GUARDS)


class Migration(migrations.Migration):
    dependencies = [("applications", "0004_approval_standard_and_assessment_schedule")]

    operations = [migrations.RunPython(forwards, backwards)]
