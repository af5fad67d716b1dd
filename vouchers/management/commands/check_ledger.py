"""Verify the voucher ledger over the whole database; exit 1 with a report when an invariant breaks."""

import sys

from django.core.management.base import BaseCommand

from vouchers.checks import CHECKS, ledger_problems


class Command(BaseCommand):
    help = "Verify that every ledger transaction balances, cached balances match, no elder account is negative."

    def handle(self, *args, **options):
        problems = ledger_problems()
        if not problems:
            self.stdout.write(self.style.SUCCESS(f"Ledger OK: {len(CHECKS)} checks passed."))
            return
        self.stderr.write(self.style.ERROR(f"Ledger BROKEN: {len(problems)} of {len(CHECKS)} checks failed."))
        for problem in problems:
            self.stderr.write(str(problem))
        sys.exit(1)
