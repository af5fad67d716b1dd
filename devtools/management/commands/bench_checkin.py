"""Benchmark check-in and check-out against gunicorn with the production settings.

    python manage.py bench_checkin --clients 50 --requests 500 --interval 10

What it builds and measures is described in devtools/bench/checkin.py. Every visit is verified at
the door (scanned card, location, time window, the elder's one-time code); the command fails after
printing its figures when a visit did not come out completed and redeemed.
"""

from django.core.management.base import BaseCommand, CommandError

from devtools.bench.checkin import DEFAULT_THREADS, DEFAULT_WORKERS, WORKER_CLASSES, BenchError, run


class Command(BaseCommand):
    help = "Requests per second and p95 latency of check-in/check-out on gunicorn (production settings)."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=50, help="concurrent caregivers (connections)")
        parser.add_argument(
            "--requests", type=int, default=1000, help="work orders per measurement (each is checked in and out)"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=10.0,
            help=(
                "realistic load: seconds between two requests of one client (offered rate = clients / interval). "
                "A caregiver checks in and out around visits of at least an hour, about 2 requests an hour: "
                "10 s is already ~180 times that, a morning rush with margin"
            ),
        )
        parser.add_argument("--worker-class", choices=WORKER_CLASSES, default="gthread")
        parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
        parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="threads per worker (gthread)")
        parser.add_argument("--skip-realistic", action="store_true")
        parser.add_argument("--skip-saturation", action="store_true")

    def handle(self, *args, clients, requests, interval, worker_class, workers, threads, **options):
        try:
            unverified = run(
                clients=clients,
                requests=requests,
                interval=interval,
                worker_class=worker_class,
                workers=workers,
                threads=threads,
                realistic=not options["skip_realistic"],
                saturation=not options["skip_saturation"],
                out=self.stdout.write,
                warn=self.stderr.write,
            )
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        if unverified:
            raise CommandError(
                "Not every visit was completed and redeemed: the figures are not those of verified visits.\n"
                + "\n".join(unverified)
            )
