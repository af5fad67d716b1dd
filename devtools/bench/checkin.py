"""The check-in/check-out benchmark: gunicorn with the production settings, driven over HTTP.

Creates a bench provider with one caregiver (and API token) per visit, elders with cards, a
month's subsidy credited through the ledger, and assigned work orders, in the DATABASE_URL
database; starts gunicorn on 127.0.0.1 with `eldercare.settings.production`; then measures two
things, each for check-in and then check-out (each check-out is redeemed through the ledger):

Every visit goes through the verification at the door, as a genuine visit does: the card's
scanned token (not the typed short code), the phone's location about 50 m from the home (each
bench elder's home is located), a check-in inside the district's time window (the visits are
booked for the moment the check-ins start), and at check-out the elder's one-time code from the
back of the card (a fresh one per visit). After each phase the bench prints how the visits came
out: checked in by scanned card, completed and redeemed, or held for an exception (a held
check-out is refused with 409 `unpaid_check_out`, counted as an error, and left in progress).

1. **Realistic load** (open loop): every client sends a request every `interval` seconds on a
   fixed schedule, whatever the server's answer time, so the offered rate is clients / interval.
   Latency is measured from the scheduled send time (a late server cannot hide its queue).
2. **Saturation**: every client sends its next request as soon as the answer arrives (closed
   loop, no think time): the throughput the server reaches, and its latency at that point.

The load generator is one asyncio task per client on plain keep-alive HTTP/1.1 connections (no
threads, no extra package), so that it takes as little of the machine as possible. The load
average is printed with the figures: on a busy machine they are noisy. Only 127.0.0.1 is
contacted. The bench rows stay in the database under a provider named "BENCH …".
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from djmoney.money import Money
from knox.models import AuthToken

from devtools.demo.core import make_id_number
from eldercare import gunicorn_conf
from eldercare.crypto import _derive, blind_index
from eldercare.masking import mask_id_number
from eldercare.models import Division, Elder, Role, RoleAssignment, User
from eldercare.money import cny
from eldercare.periods import Month
from eldercare.tokens import api_tokens_bulk
from providers import rules
from providers.models import (
    Approval,
    Caregiver,
    ElderCard,
    HomeLocation,
    Provider,
    ServiceAgreement,
    ServiceItem,
    VisitException,
    WorkOrder,
)
from providers.services import card_token_for
from providers.services.presence import card_confirmation_codes, policy_for
from providers.tokens import new_short_code
from vouchers.models import Account, LedgerEntry, LedgerTransaction
from vouchers.services import grant_credit, grant_key

HOST = "127.0.0.1"
WORKER_CLASSES = ("gthread", "sync")
# What production runs (eldercare.gunicorn_conf), unless the command says otherwise.
DEFAULT_WORKERS = gunicorn_conf.workers
DEFAULT_THREADS = gunicorn_conf.threads
# Keep-alive longer than the realistic interval, so that a client keeps its connection.
KEEP_ALIVE_SECONDS = gunicorn_conf.keepalive

# Every bench elder's home, located by the community, and where the caregiver's phone is at the
# door: 0.00045° of latitude north, about 50 m, well inside the smallest geofence (50 m is the
# floor of the district's radius, 300 m its default).
HOME = (Decimal("32.430000"), Decimal("119.570000"))
AT_THE_DOOR = (Decimal("32.430450"), Decimal("119.570000"))
HOME_DISTANCE_M = rules.distance_m(*HOME, *AT_THE_DOOR)


class Visit(NamedTuple):
    """One visit: the caregiver's API token, the work order, the elder's card as scanned (the
    signed token), and the one-time code the elder reads from the back of the card at check-out."""

    token: str
    order_id: int
    card: str
    elder_code: str


# Per client, the visits it makes in turn.
Plan = list[list[Visit]]


class BenchError(Exception):
    """The benchmark cannot run (no demo data, gunicorn did not start)."""


@dataclass
class PhaseResult:
    """One measurement: the latencies (s) of the answered requests, the errors, the wall time."""

    label: str
    latencies: list[float]
    errors: list[str]
    elapsed: float
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def plan_visits(*, clients: int, requests: int) -> Plan:
    """Per client, its visits (see `Visit`), each to a located home, booked for now.

    One caregiver per visit, as in life (a caregiver is at one elder's home at a time): the
    visits of one caregiver would otherwise all overlap and be flagged, which is not the
    check-in the platform serves all day."""
    community = Division.objects.filter(level=Division.Level.COMMUNITY).select_related("parent__parent").first()
    if community is None:
        raise BenchError("No community in this database: run seed_demo first.")
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
            provider=provider, kind="cleaning", name="bench", price=Money("10.00", "CNY"), approval=Approval.APPROVED
        )
        # "!" is Django's unusable password: these users log in with API tokens only.
        unusable = "!"
        User.objects.bulk_create([User(username=f"bench-{tag}-{i}", password=unusable) for i in range(requests)])
        users = list(User.objects.filter(username__startswith=f"bench-{tag}-").order_by("id"))
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=u, role=Role.CAREGIVER, provider=provider) for u in users]
        )
        Caregiver.objects.bulk_create(
            [
                Caregiver(
                    provider=provider,
                    user=u,
                    name=u.username,
                    staff_number=f"B{i:04d}",
                    phone="1",
                    phone_masked="1",
                    trained_on=datetime.date(2025, 1, 1),
                )
                for i, u in enumerate(users)
            ]
        )
        caregivers = list(Caregiver.objects.filter(provider=provider).order_by("id"))
        by_user = api_tokens_bulk([c.user for c in caregivers])
        tokens = {c.pk: by_user[c.user_id] for c in caregivers}
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
            Elder.objects.filter(address="bench", name__startswith="压测", service_agreements__isnull=True).order_by(
                "-id"
            )[:requests]
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
        HomeLocation.objects.bulk_create(
            [HomeLocation(elder=e, lat=HOME[0], lng=HOME[1], source=HomeLocation.Source.COMMUNITY) for e in elders]
        )
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
    # A new card: its first one-time code is unused (each elder has one visit here).
    card_of = {c.elder_id: (card_token_for(c), card_confirmation_codes(c)[0]) for c in cards}
    plan: Plan = [[] for _ in range(clients)]
    for i, o in enumerate(orders):
        plan[i % clients].append(Visit(tokens[o.caregiver_id], o.pk, *card_of[o.elder_id]))
    return plan


def plan_order_ids(plan: Plan) -> list[int]:
    return [visit.order_id for visits in plan for visit in visits]


def window_line(plan: Plan) -> str:
    """The district's verification of the bench visits, as printed in the header."""
    order = WorkOrder.objects.select_related("elder").get(pk=plan[0][0].order_id)
    policy = policy_for(order.elder)
    return (
        f"verification on: scanned card, phone {HOME_DISTANCE_M} m from the home (geofence "
        f"{policy.geofence_metres} m{'' if policy.use_location else ', not used by the district'}), "
        f"check-in window {policy.early_minutes} min early to {policy.late_minutes} min late, "
        f"elder's one-time code at check-out{'' if policy.confirmation_required else ' (not required by the district)'}"
    )


# The tables the bench fills in bulk just before measuring, and that check-in and check-out read.
FILLED = (
    User,
    RoleAssignment,
    AuthToken,
    Caregiver,
    Elder,
    ServiceAgreement,
    ElderCard,
    HomeLocation,
    WorkOrder,
    Account,
    LedgerTransaction,
    LedgerEntry,
)


def analyze_filled_tables() -> str:
    """ANALYZE the tables the bench has just filled, as autovacuum would soon after such inserts in
    production: without statistics the planner takes a table of thousands of rows for a few, and
    a check-out's ledger query loops over every transaction of the year. Returns the line printed
    (empty when the database is not PostgreSQL)."""
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        (autovacuum,) = cursor.fetchone()
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in FILLED)
        cursor.execute(f"ANALYZE {tables}")
    note = " (autovacuum is off on this server)" if autovacuum == "off" else ""
    return f"analyzed the {len(FILLED)} tables the bench filled{note}"


def gunicorn_environment() -> dict[str, str]:
    """This process's environment with what the production settings require, from this process's
    settings where they must match (the secret key signs the tokens, the Fernet keys read the
    encrypted fields)."""
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
    return env


def gunicorn_command(*, port: int, worker_class: str, workers: int, threads: int) -> list[str]:
    """Production's gunicorn configuration, with the bench's address, processes and threads."""
    cmd = [sys.executable, "-m", "gunicorn", "-c", "python:eldercare.gunicorn_conf", "eldercare.wsgi"]
    cmd += ["-b", f"{HOST}:{port}", "-w", str(workers)]
    cmd += ["-k", worker_class, "--threads", str(threads)] if worker_class == "gthread" else ["-k", "sync"]
    cmd += ["--keep-alive", str(KEEP_ALIVE_SECONDS), "--backlog", "256", "--log-level", "warning", "--preload"]
    return cmd


def start_gunicorn(*, port: int, worker_class: str, workers: int, threads: int) -> subprocess.Popen:
    cmd = gunicorn_command(port=port, worker_class=worker_class, workers=workers, threads=threads)
    return subprocess.Popen(cmd, env=gunicorn_environment(), cwd=str(settings.BASE_DIR))  # noqa: S603 - our own interpreter and arguments


def wait_for_server(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise BenchError("gunicorn did not start")


def book_for_now(plan: Plan) -> None:
    """Book the plan's visits for now, just before their check-ins: inside the district's window
    (the check-ins of a phase come within minutes, the window runs to two hours late by default)."""
    with transaction.atomic():
        WorkOrder.objects.filter(pk__in=plan_order_ids(plan)).update(scheduled_at=timezone.now())


def backdate_check_ins(plan: Plan) -> None:
    """Move the plan's check-ins an hour and a minute back, so that the check-outs are not early."""
    with transaction.atomic():
        WorkOrder.objects.filter(pk__in=plan_order_ids(plan)).update(
            checked_in_at=timezone.now() - datetime.timedelta(minutes=61)
        )


@dataclass
class Outcome:
    """How the plan's visits came out of a phase, read from the database."""

    visits: int
    statuses: Counter
    scanned: int
    redeemed: int
    exceptions: Counter

    @property
    def verified(self) -> bool:
        """After the check-outs: every visit completed and redeemed, no exception opened."""
        return not self.exceptions and self.statuses[WorkOrder.Status.COMPLETED] == self.redeemed == self.visits


def outcome(plan: Plan) -> Outcome:
    ids = plan_order_ids(plan)
    orders = WorkOrder.objects.filter(pk__in=ids)
    return Outcome(
        visits=len(ids),
        statuses=Counter(orders.values_list("status", flat=True)),
        scanned=orders.filter(check_in_method=WorkOrder.CheckMethod.SCANNED).count(),
        redeemed=orders.filter(status=WorkOrder.Status.COMPLETED, redemption__isnull=False).count(),
        exceptions=Counter(VisitException.objects.filter(order_id__in=ids).values_list("kind", flat=True)),
    )


def outcome_line(result: Outcome, action: str) -> str:
    """How the visits came out, as printed after each phase: a verified visit is checked in by its
    scanned card and then completed and redeemed; an exception holds it."""
    s = result.statuses
    exceptions = ", ".join(f"{kind} {n}" for kind, n in sorted(result.exceptions.items())) or "none"
    if action == "check-in":
        counts = (
            f"{s[WorkOrder.Status.IN_PROGRESS]} of {result.visits} checked in, {result.scanned} by scanned card, "
            f"{s[WorkOrder.Status.ASSIGNED]} not checked in"
        )
    else:
        counts = (
            f"{s[WorkOrder.Status.COMPLETED]} of {result.visits} completed ({result.redeemed} redeemed), "
            f"{s[WorkOrder.Status.HELD]} held, {s[WorkOrder.Status.IN_PROGRESS]} refused (still in progress)"
        )
    shown = (WorkOrder.Status.ASSIGNED, WorkOrder.Status.IN_PROGRESS, WorkOrder.Status.COMPLETED, WorkOrder.Status.HELD)
    others = sum(s.values()) - sum(s[x] for x in shown)
    if others:
        counts += f", {others} other"
    return f"  {action} visits: {counts}; exceptions opened: {exceptions}"


def measure(*, label: str, port: int, plan: Plan, action: str, interval: float | None) -> PhaseResult:
    """Run one phase (`action` is "check-in" or "check-out"): open loop every `interval` seconds,
    or back to back when `interval` is None."""
    load = os.getloadavg()
    latencies, errors, elapsed = asyncio.run(drive(port, plan, action, interval))
    return PhaseResult(label=label, latencies=latencies, errors=errors, elapsed=elapsed, load=load)


def phase_lines(result: PhaseResult) -> list[str]:
    """The figures of one phase as printed: throughput, latency percentiles, errors, load."""
    ms = [x * 1000 for x in result.latencies]
    label, elapsed, load = result.label, result.elapsed, result.load
    if not ms:
        lines = [f"{label}: no answer; errors {len(result.errors)}"]
    else:
        lines = [
            f"{label}: {len(ms)} requests in {elapsed:.2f} s = {len(ms) / elapsed:.0f} req/s; "
            f"latency p50 {statistics.median(ms):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
            f"p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms; errors {len(result.errors)}; "
            f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}"
        ]
    return lines + [f"  error: {e}" for e in result.errors[:5]]


def run(
    *,
    clients: int,
    requests: int,
    interval: float,
    worker_class: str = "gthread",
    workers: int = DEFAULT_WORKERS,
    threads: int = DEFAULT_THREADS,
    realistic: bool = True,
    saturation: bool = True,
    out: Callable[[str], object] = print,
    warn: Callable[[str], object] = print,
) -> list[str]:
    """Prepare the visits of each measurement, start gunicorn, measure, stop gunicorn; the figures
    are written line by line to `out` as they come. Returns what did not come out verified (a
    visit held, refused or flagged): empty when every visit was completed and redeemed."""
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        warn("Warning: the figures are meant for PostgreSQL (set DATABASE_URL).")
    runs = [name for name, wanted in (("realistic", realistic), ("saturation", saturation)) if wanted]
    plans = {name: plan_visits(clients=clients, requests=requests) for name in runs}
    analyzed = analyze_filled_tables()
    unverified: list[str] = []
    port = free_port()
    server = start_gunicorn(port=port, worker_class=worker_class, workers=workers, threads=threads)
    try:
        wait_for_server(port)
        shape = f"{workers} × {threads} threads" if worker_class == "gthread" else f"{workers} sync workers"
        out(
            f"gunicorn {worker_class}: {shape} on {os.cpu_count()} CPUs; {clients} clients; "
            f"{requests} work orders per measurement; PostgreSQL: {settings.DATABASES['default']['ENGINE']}"
        )
        out(window_line(plans[runs[0]]))
        if analyzed:
            out(analyzed)
        asyncio.run(warm_up(port, plans[runs[0]], clients))
        for name in runs:
            pace = interval if name == "realistic" else None
            if pace:
                out(
                    f"-- realistic: each client one request every {pace:g} s (open loop) = "
                    f"{clients / pace:.0f} requests/s offered"
                )
            else:
                out("-- saturation: each client sends its next request when the answer arrives (no think time)")
            for action in ("check-in", "check-out"):
                if action == "check-in":
                    book_for_now(plans[name])
                else:
                    backdate_check_ins(plans[name])
                result = measure(label=action, port=port, plan=plans[name], action=action, interval=pace)
                for line in phase_lines(result):
                    out(line)
                came_out = outcome(plans[name])
                out(outcome_line(came_out, action))
                if action == "check-out" and not came_out.verified:
                    unverified.append(f"{name}: {outcome_line(came_out, action).strip()}")
    finally:
        server.terminate()
        server.wait(timeout=20)
    return unverified


class Connection:
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


async def warm_up(port: int, plan: Plan, count: int) -> None:
    """Touch every worker thread a few times (URL resolver, translations) before measuring."""
    token = plan[0][0].token

    async def hit():
        conn = Connection(port)
        for _ in range(3):
            await conn.request("GET", "/api/v1/work-orders/?status=cancelled", token)
        conn.close()

    await asyncio.gather(*(hit() for _ in range(count)))


def request_body(visit: Visit, action: str) -> dict[str, str]:
    """What the caregiver's phone sends: the scanned card, where the phone is, a request id kept
    for retries, and at check-out the elder's one-time code."""
    body = {
        "code": visit.card,
        "request_id": f"{action}-{visit.order_id}",
        "lat": str(AT_THE_DOOR[0]),
        "lng": str(AT_THE_DOOR[1]),
    }
    if action == "check-out":
        body["elder_code"] = visit.elder_code
    return body


async def drive(port: int, plan: Plan, action: str, interval: float | None) -> tuple[list[float], list[str], float]:
    """Every client works through its orders; returns (latencies in s, errors, elapsed s)."""
    latencies: list[float] = []
    errors: list[str] = []
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    clients = len(plan)

    async def client(index: int, visits: list[Visit]):
        conn = Connection(port)
        for k, visit in enumerate(visits):
            token, order_id = visit.token, visit.order_id
            body = json.dumps(request_body(visit, action)).encode()
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
