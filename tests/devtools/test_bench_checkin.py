"""The check-in benchmark's pieces at a tiny size: no gunicorn and no timing asserted (the command
itself is run by hand on PostgreSQL, see the README's Benchmarks)."""

import asyncio
import io
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from devtools.bench import checkin
from devtools.bench.checkin import (
    BenchError,
    PhaseResult,
    drive,
    free_port,
    gunicorn_command,
    gunicorn_environment,
    percentile,
    phase_lines,
    plan_visits,
)
from providers.models import ElderCard, WorkOrder
from vouchers.models import LedgerTransaction


def test_plan_visits_spreads_one_caregiver_per_visit_over_the_clients(tree):
    transactions_before = LedgerTransaction.objects.count()

    plan = plan_visits(clients=2, requests=3)

    assert [len(visits) for visits in plan] == [2, 1]
    visits = [visit for client in plan for visit in client]
    orders = WorkOrder.objects.in_bulk([order_id for _token, order_id, _code in visits])
    assert len(orders) == 3
    for token, order_id, code in visits:
        order = orders[order_id]
        assert order.status == WorkOrder.Status.ASSIGNED
        assert Token.objects.get(key=token).user_id == order.caregiver.user_id
        assert ElderCard.objects.get(short_code=code).elder_id == order.elder_id
    assert len({order.caregiver_id for order in orders.values()}) == 3
    # A month's subsidy credited to each elder, so that the check-outs can be paid.
    assert LedgerTransaction.objects.count() - transactions_before == 3


def test_plan_visits_needs_the_demo_data(db):
    with pytest.raises(BenchError, match="seed_demo"):
        plan_visits(clients=1, requests=1)


def test_the_command_says_what_is_missing(db):
    with pytest.raises(CommandError, match="run seed_demo first"):
        call_command("bench_checkin", "--clients", "1", "--requests", "1", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_command_passes_its_arguments_and_writes_the_figures(monkeypatch):
    calls = []

    def fake_run(**kwargs):
        calls.append(kwargs)
        kwargs["out"]("figures")

    monkeypatch.setattr("devtools.management.commands.bench_checkin.run", fake_run)
    out = io.StringIO()
    call_command(
        "bench_checkin",
        "--clients",
        "3",
        "--requests",
        "9",
        "--interval",
        "2.5",
        "--worker-class",
        "sync",
        "--workers",
        "2",
        "--skip-saturation",
        stdout=out,
    )
    (kwargs,) = calls
    assert {k: v for k, v in kwargs.items() if k not in ("out", "warn")} == {
        "clients": 3,
        "requests": 9,
        "interval": 2.5,
        "worker_class": "sync",
        "workers": 2,
        "threads": checkin.DEFAULT_THREADS,
        "realistic": True,
        "saturation": False,
    }
    assert out.getvalue() == "figures\n"


def test_percentile_picks_the_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 51.0
    assert percentile(values, 95) == 95.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0


def test_phase_lines_print_the_figures_and_the_first_five_errors():
    result = PhaseResult(
        label="check-in",
        latencies=[0.010, 0.020, 0.030, 0.040],
        errors=[f"409 b'{i}'" for i in range(7)],
        elapsed=2.0,
        load=(1.0, 0.5, 0.25),
    )
    lines = phase_lines(result)
    assert lines[0] == (
        "check-in: 4 requests in 2.00 s = 2 req/s; latency p50 25.0 ms, p95 40.0 ms, p99 40.0 ms, max 40.0 ms; "
        "errors 7; load average 1.00 / 0.50 / 0.25"
    )
    assert lines[1:] == [f"  error: 409 b'{i}'" for i in range(5)]
    assert phase_lines(PhaseResult(label="check-out", latencies=[], errors=["OSError: refused"], elapsed=1.0)) == [
        "check-out: no answer; errors 1",
        "  error: OSError: refused",
    ]


async def _serve_and_drive(plan, interval):
    """A keep-alive HTTP/1.1 server on 127.0.0.1 that accepts even work order ids only."""
    seen = []

    async def answer(reader, writer):
        while request_line := await reader.readline():
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _sep, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            body = await reader.readexactly(length) if length else b""
            path = request_line.split()[1].decode()
            seen.append((path, body))
            order_id = int(path.split("/")[4])
            status, payload = (200, b"{}") if order_id % 2 == 0 else (409, b'{"detail": "no"}')
            writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: {len(payload)}\r\n\r\n".encode() + payload)
            await writer.drain()
        writer.close()

    port = free_port()
    server = await asyncio.start_server(answer, checkin.HOST, port)
    async with server:
        result = await drive(port, plan, "check-in", interval)
    return result, seen


@pytest.mark.parametrize("interval", [None, 0.01])
def test_drive_sends_every_visit_and_counts_the_refusals(interval):
    plan = [[("t1", 2, "C2"), ("t1", 3, "C3")], [("t2", 4, "C4")]]

    # A thread of its own: Playwright's sync API leaves an event loop running in pytest's thread.
    with ThreadPoolExecutor(1) as pool:
        (latencies, errors, elapsed), seen = pool.submit(asyncio.run, _serve_and_drive(plan, interval)).result()

    assert len(latencies) == 3
    assert errors == ['409 b\'{"detail": "no"}\'']
    assert elapsed > 0
    assert sorted(seen) == [
        (f"/api/v1/work-orders/{n}/check-in/", f'{{"code": "C{n}", "request_id": "check-in-{n}"}}'.encode())
        for n in (2, 3, 4)
    ]


def test_gunicorn_runs_the_production_settings_on_this_database(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    env = gunicorn_environment()

    assert env["DJANGO_SETTINGS_MODULE"] == "eldercare.settings.production"
    assert env["DATABASE_URL"] == f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    assert env["AXES_ENABLED"] == "false"
    # The production settings start with what the bench gives them (they refuse a missing secret).
    probe = "from django.conf import settings; print(settings.DEBUG, settings.CELERY_TASK_ALWAYS_EAGER)"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]
    cmd = gunicorn_command(port=8123, worker_class="gthread", workers=3, threads=8)
    assert cmd[1:] == ["-m", "gunicorn", "eldercare.wsgi", "-b", "127.0.0.1:8123", "-w", "3", "-k", "gthread"] + [
        "--threads",
        "8",
        "--keep-alive",
        "30",
        "--backlog",
        "256",
        "--log-level",
        "warning",
        "--preload",
    ]
