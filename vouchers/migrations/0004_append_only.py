"""The ledger is append-only in the database: UPDATE and DELETE of a transaction, an entry or an
account's status change are refused, whatever the code.

Nothing in the product updates these rows: a reversal is a new transaction pointing at the one it
reverses (`reverses` is set on the new row, never on the original, which is only locked), a grant's
recovery is marked on the grant, and balances are cached on the account. So no column is let
through. See `eldercare.appendonly` for the SQL on PostgreSQL and SQLite.
"""

from django.db import migrations

from eldercare.appendonly import Guard, install, remove

GUARDS = [
    Guard("vouchers_ledgertransaction", "ledger transactions are append-only"),
    Guard("vouchers_ledgerentry", "ledger entries are append-only"),
    Guard("vouchers_accountevent", "account status changes are append-only"),
]


def forwards(apps, schema_editor):
    install(schema_editor, GUARDS)


def backwards(apps, schema_editor):
    remove(schema_editor, GUARDS)


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0003_business_date")]

    operations = [migrations.RunPython(forwards, backwards)]
