import random
from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from eldercare import demo
from eldercare.models import Division

# Order matters: later steps build on what earlier ones created. (module, function)
SEEDERS = (
    ("subsidies.demo", "seed"),  # intake batch, applications in every state, approvals, both schemes, runs
    ("vouchers.demo", "seed"),  # visits paid, co-pay, a frozen account
    ("providers.demo", "seed"),  # providers, caregivers, agreements, a month of visits
    ("vouchers.settlement.demo", "seed"),  # the service month open for the towns to confirm
)


class Command(BaseCommand):
    help = "Create the demo district, one user per role, elders and every later capability's demo data."

    def add_arguments(self, parser):
        parser.add_argument("--elders", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, elders, seed, **options):
        if Division.objects.filter(code=demo.DISTRICT_CODE).exists():
            self.stdout.write("Demo data is already there.")
        else:
            ctx = demo.DemoContext(rng=random.Random(seed), today=demo.today())
            with transaction.atomic():
                demo.seed(ctx, elders=elders)
                for module_name, function in SEEDERS:
                    try:
                        module = import_module(module_name)
                    except ModuleNotFoundError as exc:
                        if exc.name != module_name:
                            raise
                        continue
                    self.stdout.write(f"  {module_name}.{function} …")
                    getattr(module, function)(ctx)
            self.stdout.write(self.style.SUCCESS(f"Demo district created with {len(ctx.elders)} elders."))
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for user in demo.User.objects.filter(role_assignments__isnull=False).distinct().order_by("id"):
            roles = ", ".join(a.get_role_display() for a in user.role_assignments.all())
            self.stdout.write(f"  {user.username:<12} {user.full_name} — {roles}")
