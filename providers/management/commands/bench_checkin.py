"""Benchmark check-in and check-out against gunicorn with the production settings.

    python manage.py bench_checkin --clients 50 --requests 2000

Creates a bench provider with one caregiver (and API token) per client, `--requests` elders with
cards and one assigned work order each, in the DATABASE_URL database; starts gunicorn on
127.0.0.1 with `eldercare.settings.production`; then every client thread checks in its orders
(phase 1), the check-in times are moved back an hour (as if the visits had lasted), and every
client checks out (phase 2: each check-out is redeemed through the ledger). Prints requests per
second and latency percentiles of each phase. Only 127.0.0.1 is contacted. The bench rows stay
in the database under a provider named "BENCH …".
"""

import base64
import datetime
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from djmoney.money import Money
from rest_framework.authtoken.models import Token

from eldercare.crypto import _derive, blind_index
from eldercare.demo import make_id_number
from eldercare.masking import mask_id_number
from eldercare.models import Division, Elder, Role, RoleAssignment, User
from providers.models import Caregiver, ElderCard, Provider, ServiceAgreement, ServiceItem, WorkOrder
from providers.tokens import new_short_code

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "Requests per second and p95 latency of check-in/check-out on gunicorn (production settings)."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=50)
        parser.add_argument("--requests", type=int, default=1000, help="work orders (each is checked in and out)")
        parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args, clients, requests, workers, threads, **options):
        if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
            self.stderr.write("Warning: the figures are meant for PostgreSQL (set DATABASE_URL).")
        plan = self._setup(clients, requests)
        port = _free_port()
        server = self._start(port, workers, threads)
        try:
            self._wait(port)
            self.stdout.write(f"gunicorn: {workers} workers × {threads} threads; {clients} clients; {requests} orders")
            self._warm_up(port, plan, workers * threads)
            self._phase("check-in", port, plan, "check-in")
            with transaction.atomic():
                WorkOrder.objects.filter(pk__in=[o for orders in plan.values() for o, _c in orders]).update(
                    checked_in_at=timezone.now() - datetime.timedelta(minutes=61)
                )
            self._phase("check-out", port, plan, "check-out")
        finally:
            server.terminate()
            server.wait(timeout=20)

    def _setup(self, clients: int, requests: int) -> dict[str, list[tuple[int, str]]]:
        community = Division.objects.filter(level=Division.Level.COMMUNITY).select_related("parent__parent").first()
        if community is None:
            raise CommandError("No community in this database: run seed_demo first.")
        tag = uuid.uuid4().hex[:6]
        with transaction.atomic():
            provider = Provider.objects.create(
                name=f"BENCH {tag}",
                kind=Provider.Kind.BUSINESS,
                licence_number=f"BENCH-{tag}",
                district=community.parent.parent,
                status=Provider.Status.CONTRACTED,
            )
            provider.streets.set([community.parent])
            item = ServiceItem.objects.create(
                provider=provider, kind="cleaning", name="bench", price=Money("10.00", "CNY")
            )
            # "!" is Django's unusable password: these users log in with API tokens only.
            unusable = "!"
            User.objects.bulk_create([User(username=f"bench-{tag}-{i}", password=unusable) for i in range(clients)])
            users = list(User.objects.filter(username__startswith=f"bench-{tag}-").order_by("id"))
            RoleAssignment.objects.bulk_create(
                [RoleAssignment(user=u, role=Role.CAREGIVER, provider=provider) for u in users]
            )
            caregivers = Caregiver.objects.bulk_create(
                [
                    Caregiver(
                        provider=provider,
                        user=u,
                        name=u.username,
                        staff_number=f"B{i:04d}",
                        phone="1",
                        trained_on=datetime.date(2025, 1, 1),
                    )
                    for i, u in enumerate(users)
                ]
            )
            caregivers = list(Caregiver.objects.filter(provider=provider).order_by("id"))
            tokens = {c.pk: Token.objects.create(user=c.user).key for c in caregivers}
            import random

            rng = random.Random(tag)
            elders = []
            for i in range(requests):
                number = make_id_number(rng, datetime.date(1940, 1, 1) + datetime.timedelta(days=i % 3000), "F")
                elders.append(
                    Elder(
                        name=f"压测{i}",
                        gender="F",
                        id_number=number,
                        id_digest=blind_index(number + tag),
                        id_masked=mask_id_number(number),
                        birth_date=datetime.date(1940, 1, 1),
                        community=community,
                        resident_since=datetime.date(2000, 1, 1),
                        address="bench",
                    )
                )
            Elder.objects.bulk_create(elders, batch_size=500)
            elders = list(
                Elder.objects.filter(
                    address="bench", name__startswith="压测", service_agreements__isnull=True
                ).order_by("-id")[:requests]
            )
            ServiceAgreement.objects.bulk_create(
                [ServiceAgreement(elder=e, provider=provider, signed_on=datetime.date(2025, 1, 1)) for e in elders]
            )
            codes = set()
            cards = []
            for e in elders:
                code = new_short_code()
                while code in codes:
                    code = new_short_code()
                codes.add(code)
                cards.append(ElderCard(elder=e, short_code=code, issued_at=timezone.now()))
            ElderCard.objects.bulk_create(cards)
            now = timezone.now()
            orders = WorkOrder.objects.bulk_create(
                [
                    WorkOrder(
                        elder=e,
                        provider=provider,
                        item=item,
                        price=item.price,
                        scheduled_at=now,
                        booked_via="provider",
                        booked_by=caregivers[i % clients].user,
                        caregiver=caregivers[i % clients],
                        status=WorkOrder.Status.ASSIGNED,
                    )
                    for i, e in enumerate(elders)
                ]
            )
            if not orders or not orders[0].pk:
                orders = list(WorkOrder.objects.filter(provider=provider).order_by("id"))
        code_of = {c.elder_id: c.short_code for c in cards}
        plan: dict[str, list[tuple[int, str]]] = {tokens[c.pk]: [] for c in caregivers}
        for o in orders:
            plan[tokens[o.caregiver_id]].append((o.pk, code_of[o.elder_id]))
        return plan

    def _start(self, port: int, workers: int, threads: int) -> subprocess.Popen:
        env = dict(os.environ)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "eldercare.settings.production",
                "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the same key: tokens and encrypted fields match
                "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS)
                or base64.urlsafe_b64encode(_derive("field-encryption")).decode(),
                # Look-ups by ID number are not part of the bench; production only requires a value.
                "BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY or "bench-only-blind-index-key",
                "CELERY_BROKER_URL": env.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0",
                "DATABASE_URL": env.get("DATABASE_URL", ""),
                "DJANGO_SECURE_SSL_REDIRECT": "false",
                "DJANGO_ALLOWED_HOSTS": HOST,
                "AXES_ENABLED": "false",
            }
        )
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "eldercare.wsgi",
            "-b",
            f"{HOST}:{port}",
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            str(threads),
            "--keep-alive",
            "5",
            "--log-level",
            "warning",
            "--preload",
        ]
        return subprocess.Popen(cmd, env=env, cwd=str(settings.BASE_DIR))  # noqa: S603 - our own interpreter and arguments

    def _wait(self, port: int) -> None:
        for _ in range(100):
            try:
                with socket.create_connection((HOST, port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise CommandError("gunicorn did not start")

    def _warm_up(self, port: int, plan, count: int) -> None:
        """Touch every worker thread once (URL resolver, translations) before measuring."""
        token = next(iter(plan))

        def hit():
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            for _ in range(3):
                conn.request(
                    "GET",
                    "/api/v1/work-orders/?status=cancelled",
                    headers={"Authorization": f"Token {token}", "Host": HOST},
                )
                conn.getresponse().read()
            conn.close()

        threads = [threading.Thread(target=hit) for _ in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def _phase(self, label: str, port: int, plan, action: str) -> None:
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def client(token: str, orders: list[tuple[int, str]]):
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            mine, bad = [], []
            for order_id, code in orders:
                body = json.dumps({"code": code, "request_id": f"{action}-{order_id}"})
                started = time.perf_counter()
                try:
                    conn.request(
                        "POST",
                        f"/api/v1/work-orders/{order_id}/{action}/",
                        body=body,
                        headers={
                            "Content-Type": "application/json",
                            "Authorization": f"Token {token}",
                            "Host": HOST,
                        },
                    )
                    response = conn.getresponse()
                    payload = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    bad.append(str(exc))
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=30)
                    continue
                mine.append(time.perf_counter() - started)
                if response.status != 200:
                    bad.append(f"{response.status} {payload[:200]!r}")
            conn.close()
            with lock:
                latencies.extend(mine)
                errors.extend(bad)

        threads = [threading.Thread(target=client, args=(t, o)) for t, o in plan.items()]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        ms = [x * 1000 for x in latencies]
        self.stdout.write(
            f"{label}: {len(ms)} requests in {elapsed:.2f} s = {len(ms) / elapsed:.0f} req/s; "
            f"latency p50 {statistics.median(ms):.1f} ms, p95 {_percentile(ms, 95):.1f} ms, p99 {_percentile(ms, 99):.1f} ms, "
            f"max {max(ms):.1f} ms; errors {len(errors)}"
        )
        for e in errors[:5]:
            self.stdout.write(f"  error: {e}")
