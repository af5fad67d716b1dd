from django.core.management.base import BaseCommand, CommandError

from eldercare.errors import DomainError
from eldercare.periods import Month
from settlement.figures import figures_verify, open_months


class Command(BaseCommand):
    help = (
        "Check that the stored month figures (generations plus the entries since) equal the figures "
        "counted live from the whole ledger, e.g. `check_month_figures 2026-10 2026-12` (default: the open months)."
    )

    def add_arguments(self, parser):
        parser.add_argument("first", nargs="?", default="", help="first month (YYYY-MM)")
        parser.add_argument("last", nargs="?", default="", help="last month (default: the first)")

    def handle(self, *args, first, last, **options):
        try:
            months = open_months() if not first else self._months(Month.parse(first), Month.parse(last or first))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if not months:
            self.stdout.write("no month to check")
            return
        differences = figures_verify(months=months)
        for line in differences:
            self.stdout.write(line)
        label = f"{months[0]}..{months[-1]}"
        if differences:
            raise CommandError(f"{label}: {len(differences)} lines differ between the stored and the live figures")
        self.stdout.write(f"{label}: the stored figures equal the live figures")

    @staticmethod
    def _months(first: Month, last: Month) -> list[Month]:
        out = []
        while first <= last:
            out.append(first)
            first = first.next()
        return out
