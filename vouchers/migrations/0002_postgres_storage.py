from django.db import migrations

# PostgreSQL only (SQLite has neither): room on each page of the account table so that updating a
# cached balance is a HOT update (no new index entries, less WAL), and a BRIN index on the
# transactions' created_at (append-only, so the time order is the physical order).
FORWARD = [
    "ALTER TABLE vouchers_account SET (fillfactor = 80)",
    "CREATE INDEX vouchers_ledgertransaction_created_brin ON vouchers_ledgertransaction USING brin (created_at)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS vouchers_ledgertransaction_created_brin",
    "ALTER TABLE vouchers_account RESET (fillfactor)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0001_initial")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
