import random

from django.core.management.base import BaseCommand
from django.db import transaction

from devtools.demo import SEEDERS
from devtools.demo import core as demo
from eldercare.models import Division


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
                for seeder in SEEDERS:
                    self.stdout.write(f"  {seeder.__module__}.{seeder.__name__} …")
                    seeder(ctx)
            self.stdout.write(self.style.SUCCESS(f"Demo district created with {len(ctx.elders)} elders."))
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for user in demo.User.objects.filter(role_assignments__isnull=False).distinct().order_by("id"):
            roles = ", ".join(a.get_role_display() for a in user.role_assignments.all())
            self.stdout.write(f"  {user.username:<12} {user.full_name} — {roles}")
