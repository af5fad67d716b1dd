import os

from django.core.management.base import BaseCommand
from django.db import connection

from devtools.bench.monthly_run import BARE_DESCRIPTION, COPIES_DESCRIPTION, FLOOR_DESCRIPTION, bench


class Command(BaseCommand):
    help = "Benchmark the monthly run over a synthetic district of N elders (built or reused)."

    def add_arguments(self, parser):
        parser.add_argument("--elders", type=int, required=True)
        parser.add_argument("--chunk-size", type=int, default=50_000)

    def handle(self, *args, elders, chunk_size, **options):
        def progress(run):
            self.stdout.write(f"  {run.progress:3d}%  {run.granted} grants written")

        r = bench(elders=elders, chunk_size=chunk_size, progress=progress)
        load = " / ".join(f"{x:.2f}" for x in r.load_before)
        load_after = " / ".join(f"{x:.2f}" for x in r.load_after)
        out = self.stdout.write
        out(f"database:            {connection.vendor}; {os.cpu_count()} CPUs")
        out(f"load average:        {load} before, {load_after} after (1 / 5 / 15 min; above the CPU count = noisy)")
        out(f"elders:              {r.elders}")
        out(f"month:               {r.month}")
        out(f"grants written:      {r.grants}")
        out(f"rows written:        {r.rows} (grants + ledger transactions + entries)")
        out(f"seconds:             {r.seconds:.2f}")
        for phase, seconds in r.timings.items():
            out(f"  {phase + ':':<20} {seconds:6.2f} s")
        out(f"rows per second:     {r.rows_per_second:,.0f}")
        out(f"peak memory (RSS):   {r.peak_mb:.0f} MB (this process; the work runs in the database)")
        if r.wal_mb is not None:
            out(f"WAL written:         {r.wal_mb:.0f} MB (bare insert: {r.bare_wal_mb:.0f} MB)")
        out(f"bare INSERT…SELECT:  {r.bare_seconds:.2f} s for the same {r.rows} rows")
        out(f"  what it writes:    {BARE_DESCRIPTION}")
        out(f"ratio:               {r.ratio:.1f}x (run seconds / bare insert seconds)")
        if r.floor_seconds is None:
            out("true floor:          measured on PostgreSQL only")
        else:
            out(f"true floor:          {r.floor_seconds:.2f} s for the same rows")
            out(f"  what it writes:    {FLOOR_DESCRIPTION}")
            out(f"floor ratio:         {r.floor_ratio:.2f}x (run seconds / true floor seconds)")
        if r.copies_seconds is not None:
            out(f"on empty copies:     {r.copies_seconds:.2f} s for the same rows")
            out(f"  what it writes:    {COPIES_DESCRIPTION}")
            out(f"copies ratio:        {r.copies_ratio:.2f}x (run seconds / empty copies seconds)")
