"""Time every page of a district user, a finance user and a community worker at city scale.

    python manage.py bench_pages --elders 30000 [--reuse]

What it builds and measures is described in devtools/bench/pages.py. The command fails after
printing its figures when a page did not answer 200.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools.bench.pages import RUNS, SLOW_MS, build, explain, grants_of, measure

PLAN_WIDTH = 300


class Command(BaseCommand):
    help = "Median time and query count of every list, report and dashboard page and API list, at N elders."

    def add_arguments(self, parser):
        parser.add_argument("--elders", type=int, required=True)
        parser.add_argument(
            "--reuse", action="store_true", help="take the synthetic district as it is when it has N elders already"
        )
        parser.add_argument("--runs", type=int, default=RUNS, help="timed runs per page, after one warm-up")
        parser.add_argument("--slow-ms", type=float, default=SLOW_MS, help="the threshold of the slow pages' list")

    def handle(self, *args, elders, reuse, runs, slow_ms, **options):
        out = self.stdout.write
        built = build(elders=elders, reuse=reuse, log=out)
        out(f"database:      {connection.vendor}; {os.cpu_count()} CPUs")
        out(
            f"district:      {built.district.name}: {built.elders} elders, {grants_of(built.district)} grants; "
            f"built in {built.seconds:.1f} s{' (reused)' if built.reused else ''}"
        )
        out(f"each page:     one warm-up, then the median of {runs} runs; DEBUG off")
        out("SQL ms:        the time of the page's queries in its last run (the rest is Python and templates)")
        out("")
        out(f"{'role':<10} {'path':<52} {'code':>4} {'median ms':>9} {'queries':>7} {'SQL ms':>8}")
        result = measure(district=built.district, runs=runs, log=out)
        if result.skipped:
            out("")
            out("skipped API lists (they need a parameter the bench cannot supply, or are closed to the role):")
            for role, path, why in result.skipped:
                out(f"  {role:<10} {path}  {why}")
        slow = result.slow(slow_ms)
        out("")
        out(f"pages over {slow_ms:.0f} ms: {len(slow)}")
        for t in slow:
            out(f"  {t.role:<10} {t.path:<52} {t.median_ms:9.1f} ms, {t.queries} queries, {t.sql_ms:.1f} ms in SQL")
            out(f"    slowest query ({t.slowest_ms:.1f} ms): {t.slowest_sql[:600]}")
            for line in explain(t.slowest_sql).splitlines():
                # A plan line that spells out a list of thousands of ids is cut: its shape is enough.
                out(f"      {line[:PLAN_WIDTH]}{'…' if len(line) > PLAN_WIDTH else ''}")
        load = " / ".join(f"{x:.2f}" for x in result.load_before)
        load_after = " / ".join(f"{x:.2f}" for x in result.load_after)
        out(f"load average:  {load} before, {load_after} after (1 / 5 / 15 min; above the CPU count = noisy)")
        failed = [t for t in result.timings if not t.ok]
        if failed:
            raise CommandError(
                "Not every page answered 200:\n" + "\n".join(f"  {t.role} {t.path} {t.status} {t.note}" for t in failed)
            )
