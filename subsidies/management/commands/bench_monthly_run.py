from django.core.management.base import BaseCommand

from subsidies.bench import bench


class Command(BaseCommand):
    help = "Benchmark the monthly run over a synthetic district of N elders (built or reused)."

    def add_arguments(self, parser):
        parser.add_argument("--elders", type=int, required=True)
        parser.add_argument("--chunk-size", type=int, default=50_000)

    def handle(self, *args, elders, chunk_size, **options):
        def progress(run):
            self.stdout.write(f"  {run.progress:3d}%  {run.granted} grants written")

        r = bench(elders=elders, chunk_size=chunk_size, progress=progress)
        self.stdout.write(f"elders:              {r.elders}")
        self.stdout.write(f"month:               {r.month}")
        self.stdout.write(f"grants written:      {r.grants}")
        self.stdout.write(f"rows written:        {r.rows} (grants + ledger transactions + entries)")
        self.stdout.write(f"seconds:             {r.seconds:.2f}")
        self.stdout.write(f"rows per second:     {r.rows_per_second:,.0f}")
        self.stdout.write(f"peak memory (RSS):   {r.peak_mb:.0f} MB")
        self.stdout.write(f"bare INSERT…SELECT:  {r.bare_seconds:.2f} s for the same {r.rows} rows")
        self.stdout.write(f"ratio:               {r.ratio:.1f}x")
