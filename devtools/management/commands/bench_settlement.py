import os

from django.core.management.base import BaseCommand

from devtools.bench.settlement import BARE_GROUP_BY_READS, run
from settlement.figures import REFRESH_MIN_ENTRIES


class Command(BaseCommand):
    help = "Build a synthetic quarter of N work orders (set-based), settle it and time it against a bare GROUP BY."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=100_000)
        parser.add_argument("--providers", type=int, default=200)
        parser.add_argument("--no-pdf", action="store_true")
        parser.add_argument("--pdf-out", default="", help="also write the PDF to this file")
        parser.add_argument(
            "--work-mem",
            default="",
            help="PostgreSQL session work_mem (the settlement and the bare GROUP BY both run under compute.PLANNER_SETTINGS, which override it)",
        )
        parser.add_argument("--reuse", action="store_true", help="measure again the quarter built by an earlier run")
        parser.add_argument("--no-live", action="store_true", help="skip the live settlement (the figures recounted)")

    def handle(self, *args, orders, providers, no_pdf, reuse, pdf_out, work_mem, no_live, **options):
        load = os.getloadavg()
        r = run(
            orders=orders,
            providers=providers,
            pdf=not no_pdf,
            reuse=reuse,
            pdf_out=pdf_out,
            work_mem=work_mem,
            live=not no_live,
            log=self.stdout.write,
        )
        load_after = os.getloadavg()
        self.stdout.write(f"orders: {r.orders}  providers: {r.providers}  lines: {r.lines}")
        self.stdout.write(f"build: {r.build_seconds:.1f} s")
        self.stdout.write(f"bare GROUP BY over the same rows: {r.group_by_seconds:.2f} s")
        self.stdout.write(f"  (it reads {BARE_GROUP_BY_READS})")
        if r.live_seconds:
            same = {True: "same figures", False: "FIGURES DIFFER", None: ""}[r.same_as_live]
            self.stdout.write(
                f"live settlement (3 months recounted + reconciliation): {r.live_seconds:.2f} s  "
                f"ratio {r.live_ratio:.2f}x  ({same} as the stored ones)"
            )
        self.stdout.write(
            f"refresh of the stored figures: {r.refresh_seconds:.2f} s  ratio {r.refresh_ratio:.2f}x  "
            f"({r.refresh_generations} generations written)"
        )
        self.stdout.write(
            f"settlement (3 months from the stored figures + reconciliation): {r.settle_seconds:.2f} s  "
            f"ratio {r.ratio:.2f}x"
        )
        self.stdout.write(
            f"delta a read adds at most ({REFRESH_MIN_ENTRIES} entries): {r.delta_read_seconds:.2f} s  "
            f"ratio {r.delta_ratio:.2f}x"
        )
        self.stdout.write(
            f"finance dashboard over the open quarter: {r.dashboard_ms:.0f} ms, {r.dashboard_queries} queries"
        )
        self.stdout.write("load average before: {:.2f} {:.2f} {:.2f}".format(*load))
        self.stdout.write("load average after:  {:.2f} {:.2f} {:.2f}".format(*load_after))
        self.stdout.write(f"peak Python memory: {r.peak_python_mb:.1f} MB  max RSS: {r.max_rss_mb:.0f} MB")
        if r.pdf_seconds is not None:
            self.stdout.write(f"PDF of the {r.providers}-provider quarter: {r.pdf_seconds:.2f} s ({r.pdf_bytes} bytes)")
