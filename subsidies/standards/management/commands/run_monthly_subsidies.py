from django.core.management.base import BaseCommand, CommandError

from eldercare.errors import DomainError
from eldercare.periods import Month
from subsidies.standards.services.run import run_month


class Command(BaseCommand):
    help = "Credit a month's subsidies to every entitled elder, e.g. `run_monthly_subsidies 2026-12`."

    def add_arguments(self, parser):
        parser.add_argument("month", help="the month, like 2026-12")
        parser.add_argument("--chunk-size", type=int, default=25_000)

    def handle(self, *args, month, chunk_size, **options):
        try:
            target = Month.parse(month)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

        def progress(run):
            self.stdout.write(f"  {run.progress:3d}%  {run.granted} grants written")

        result = run_month(month=target, chunk_size=chunk_size, progress=progress)
        for line in result.messages:
            self.stdout.write(self.style.SUCCESS(line))
