from django.db import migrations

from eldercare.pgonly import PostgresOnlySQL


class Migration(migrations.Migration):
    """Room on each page of the accounts for a new version of every row: the monthly run updates
    the cached balance of every subsidy account, and an update that finds room on its own page
    (no indexed column changes) writes no index entry. Rows written before keep their pages until
    the table is rewritten once (`VACUUM FULL vouchers_account`, at a quiet hour)."""

    dependencies = [("vouchers", "0007_account_account_frozen_elder")]

    operations = [
        PostgresOnlySQL(
            "ALTER TABLE vouchers_account SET (fillfactor = 50)",
            reverse_sql="ALTER TABLE vouchers_account RESET (fillfactor)",
        )
    ]
