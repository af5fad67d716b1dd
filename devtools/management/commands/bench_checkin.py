"""Benchmark check-in and check-out against gunicorn with the production settings.

    python manage.py bench_checkin --clients 50 --requests 500 --interval 10

Creates a bench provider with one caregiver (and API token) per client, elders with cards, a
month's subsidy credited through the ledger, and assigned work orders, in the DATABASE_URL
database; starts gunicorn on 127.0.0.1 with `eldercare.settings.production`; then measures two
things, each for check-in and then check-out (each check-out is redeemed through the ledger):

1. **Realistic load** (open loop): every client sends a request every `--interval` seconds on a
   fixed schedule, whatever the server's answer time, so the offered rate is clients / interval.
   Latency is measured from the scheduled send time (a late server cannot hide its queue).
2. **Saturation**: every client sends its next request as soon as the answer arrives (closed
   loop, no think time): the throughput the server reaches, and its latency at that point.

The load generator is one asyncio task per client on plain keep-alive HTTP/1.1 connections (no
threads, no extra package), so that it takes as little of the machine as possible. The load
average is printed with the figures: on a busy machine they are noisy. Only 127.0.0.1 is
contacted. The bench rows stay in the database under a provider named "BENCH …".
"""

import asyncio
import base64
import datetime
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from djmoney.money import Money
from rest_framework.authtoken.models import Token

from devtools.demo.core import make_id_number
from eldercare.crypto import _derive, blind_index
from eldercare.masking import mask_id_number
from eldercare.models import Division, Elder, Role, RoleAssignment, User
from eldercare.money import cny
from eldercare.periods import Month
from providers.models import Caregiver, ElderCard, Provider, ServiceAgreement, ServiceItem, WorkOrder
from providers.tokens import new_short_code
from vouchers.models import Account
from vouchers.services import grant_credit, grant_key

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
        parser.add_argument("--worker-class", choices=["gthread", "sync"], default="gthread")
        parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
        parser.add_argument("--threads", type=int, default=8, help="threads per worker (gthread)")
        parser.add_argument("--skip-realistic", action="store_true")
        parser.add_argument("--skip-saturation", action="store_true")

    def handle(self, *args, clients, requests, interval, worker_class, workers, threads, **options):
        if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
            self.stderr.write("Warning: the figures are meant for PostgreSQL (set DATABASE_URL).")
        runs = [name for name in ("realistic", "saturation") if not options[f"skip_{name}"]]
        plans = {name: self._setup(clients, requests) for name in runs}
        port = _free_port()
        server = self._start(port, worker_class, workers, threads)
        out = self.stdout.write
        try:
            self._wait(port)
            shape = f"{workers} × {threads} threads" if worker_class == "gthread" else f"{workers} sync workers"
            out(
                f"gunicorn {worker_class}: {shape} on {os.cpu_count()} CPUs; {clients} clients; "
                f"{requests} work orders per measurement; PostgreSQL: {settings.DATABASES['default']['ENGINE']}"
            )
            asyncio.run(self._warm_up(port, plans[runs[0]], clients))
            for name in runs:
                pace = interval if name == "realistic" else None
                if pace:
                    out(
                        f"-- realistic: each client one request every {pace:g} s (open loop) = "
                        f"{clients / pace:.0f} requests/s offered"
                    )
                else:
                    out("-- saturation: each client sends its next request when the answer arrives (no think time)")
                self._phase("check-in", port, plans[name], "check-in", pace)
                with transaction.atomic():
                    WorkOrder.objects.filter(pk__in=[o for visits in plans[name] for _t, o, _c in visits]).update(
                        checked_in_at=timezone.now() - datetime.timedelta(minutes=61)
                    )
                self._phase("check-out", port, plans[name], "check-out", pace)
        finally:
            server.terminate()
            server.wait(timeout=20)

    def _setup(self, clients: int, requests: int) -> list[list[tuple[str, int, str]]]:
        """Per client, its visits: (caregiver's API token, work order id, elder's card code).

        One caregiver per visit, as in life (a caregiver is at one elder's home at a time): the
        visits of one caregiver would otherwise all overlap and be flagged, which is not the
        check-in the platform serves all day."""
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
            User.objects.bulk_create([User(username=f"bench-{tag}-{i}", password=unusable) for i in range(requests)])
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
            Token.objects.bulk_create([Token(user=c.user, key=Token.generate_key()) for c in caregivers])
            by_user = dict(Token.objects.filter(user__in=users).values_list("user_id", "key"))
            tokens = {c.pk: by_user[c.user_id] for c in caregivers}
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
                        booked_by=caregivers[i].user,
                        caregiver=caregivers[i],
                        status=WorkOrder.Status.ASSIGNED,
                    )
                    for i, e in enumerate(elders)
                ]
            )
            if not orders or not orders[0].pk:
                orders = list(WorkOrder.objects.filter(provider=provider).order_by("id"))
            # A month's subsidy on every elder's account, so that check-outs are paid from it.
            month = Month.current()
            Account.objects.bulk_create(
                [Account(elder=e, kind=kind) for e in elders for kind in (Account.Kind.PERSONAL, Account.Kind.EXTERNAL)]
            )
            for e in elders:
                grant_credit(
                    elder=e,
                    month=month,
                    amount=cny(80),
                    shares={community.parent.parent: cny(56), community.parent: cny(24)},
                    idempotency_key=grant_key(elder_id=e.pk, month=month) + f":bench-{tag}",
                )
        code_of = {c.elder_id: c.short_code for c in cards}
        plan: list[list[tuple[str, int, str]]] = [[] for _ in range(clients)]
        for i, o in enumerate(orders):
            plan[i % clients].append((tokens[o.caregiver_id], o.pk, code_of[o.elder_id]))
        return plan

    def _start(self, port: int, worker_class: str, workers: int, threads: int) -> subprocess.Popen:
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
        cmd = [sys.executable, "-m", "gunicorn", "eldercare.wsgi", "-b", f"{HOST}:{port}", "-w", str(workers)]
        cmd += ["-k", worker_class, "--threads", str(threads)] if worker_class == "gthread" else ["-k", "sync"]
        # Keep-alive longer than the realistic interval, so that a client keeps its connection.
        cmd += ["--keep-alive", "30", "--backlog", "256", "--log-level", "warning", "--preload"]
        return subprocess.Popen(cmd, env=env, cwd=str(settings.BASE_DIR))  # noqa: S603 - our own interpreter and arguments

    def _wait(self, port: int) -> None:
        for _ in range(100):
            try:
                with socket.create_connection((HOST, port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise CommandError("gunicorn did not start")

    async def _warm_up(self, port: int, plan, count: int) -> None:
        """Touch every worker thread a few times (URL resolver, translations) before measuring."""
        token = plan[0][0][0]

        async def hit():
            conn = _Connection(port)
            for _ in range(3):
                await conn.request("GET", "/api/v1/work-orders/?status=cancelled", token)
            conn.close()

        await asyncio.gather(*(hit() for _ in range(count)))

    def _phase(self, label: str, port: int, plan, action: str, interval: float | None) -> None:
        load = os.getloadavg()
        latencies, errors, elapsed = asyncio.run(_drive(port, plan, action, interval))
        ms = [x * 1000 for x in latencies]
        if not ms:
            self.stdout.write(f"{label}: no answer; errors {len(errors)}")
        else:
            self.stdout.write(
                f"{label}: {len(ms)} requests in {elapsed:.2f} s = {len(ms) / elapsed:.0f} req/s; "
                f"latency p50 {statistics.median(ms):.1f} ms, p95 {_percentile(ms, 95):.1f} ms, "
                f"p99 {_percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms; errors {len(errors)}; "
                f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}"
            )
        for e in errors[:5]:
            self.stdout.write(f"  error: {e}")


class _Connection:
    """A minimal keep-alive HTTP/1.1 client on asyncio streams (enough for this API's JSON)."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, token: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Token {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed by the server")
        status = int(status_line.split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _sep, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        payload = await self.reader.readexactly(length) if length else b""
        if close:  # sync workers answer one request per connection
            self.close()
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _drive(port: int, plan, action: str, interval: float | None):
    """Every client works through its orders; returns (latencies in s, errors, elapsed s)."""
    latencies: list[float] = []
    errors: list[str] = []
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    clients = len(plan)

    async def client(index: int, visits: list[tuple[str, int, str]]):
        conn = _Connection(port)
        for k, (token, order_id, code) in enumerate(visits):
            body = json.dumps({"code": code, "request_id": f"{action}-{order_id}"}).encode()
            if interval is None:
                scheduled = loop.time()
            else:
                # Clients spread evenly over the interval; the latency counts from the schedule.
                scheduled = start + (index / clients + k) * interval
                await asyncio.sleep(max(0.0, scheduled - loop.time()))
            try:
                status, payload = await conn.request("POST", f"/api/v1/work-orders/{order_id}/{action}/", token, body)
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                continue
            latencies.append(loop.time() - scheduled)
            if status != 200:
                errors.append(f"{status} {payload[:200]!r}")
        conn.close()

    began = time.perf_counter()
    await asyncio.gather(*(client(i, visits) for i, visits in enumerate(plan)))
    return latencies, errors, time.perf_counter() - began
