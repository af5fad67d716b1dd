import time

from django.core.management.base import BaseCommand

from devtools.synthetic import generate


class Command(BaseCommand):
    help = "Fill the database with a realistic synthetic district of N entitled elders (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--elders", type=int, required=True)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, elders, seed, **options):
        started = time.perf_counter()
        result = generate(elders=elders, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.created} elders added to {result.district.name} ({result.elders} in all) "
                f"in {time.perf_counter() - started:.1f} s"
            )
        )
