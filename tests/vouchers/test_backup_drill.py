"""The backup and restore drill on the embedded database: a copy by the sqlite3 backup API holds every
row, and the ledger's checks pass on it."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection

from vouchers.models import LedgerEntry

from .factories import grant


@pytest.mark.django_db(transaction=True)
def test_drill_restores_every_row_and_checks_the_ledger_of_the_copy(tree, elder_a1, tmp_path):
    grant(elder_a1, "2026-03", "150.00", tree)
    grant(elder_a1, "2026-04", "150.00", tree)
    out = io.StringIO()
    call_command("backup_drill", output=str(tmp_path / "copy.sqlite3"), stdout=out)
    report = out.getvalue()
    assert "Row counts: every table matches." in report
    assert re.search(r"Ledger of the copy: \d+ checks passed\.", report)
    assert "Backup drill OK" in report
    if connection.vendor == "sqlite":  # PostgreSQL restores into a database of its own, then drops it
        assert (tmp_path / "copy.sqlite3").stat().st_size > 0
    assert LedgerEntry.objects.count() == 6  # two grants, each elder +150, district −105, town −45
