from django.core.management.base import BaseCommand

from devtools.bench.settlement import BARE_GROUP_BY_READS, run


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

    def handle(self, *args, orders, providers, no_pdf, reuse, pdf_out, work_mem, **options):
        r = run(
            orders=orders,
            providers=providers,
            pdf=not no_pdf,
            reuse=reuse,
            pdf_out=pdf_out,
            work_mem=work_mem,
            log=self.stdout.write,
        )
        self.stdout.write(f"orders: {r.orders}  providers: {r.providers}  lines: {r.lines}")
        self.stdout.write(f"build: {r.build_seconds:.1f} s")
        self.stdout.write(f"settlement (3 months + reconciliation): {r.settle_seconds:.2f} s")
        self.stdout.write(f"bare GROUP BY over the same rows: {r.group_by_seconds:.2f} s  ratio {r.ratio:.2f}x")
        self.stdout.write(f"  (it reads {BARE_GROUP_BY_READS})")
        self.stdout.write(f"peak Python memory: {r.peak_python_mb:.1f} MB  max RSS: {r.max_rss_mb:.0f} MB")
        if r.pdf_seconds is not None:
            self.stdout.write(f"PDF of the {r.providers}-provider quarter: {r.pdf_seconds:.2f} s ({r.pdf_bytes} bytes)")
