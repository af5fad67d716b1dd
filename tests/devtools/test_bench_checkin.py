"""The check-in benchmark's pieces at a tiny size: no gunicorn and no timing asserted (the command
itself is run by hand on PostgreSQL, see the README's Benchmarks)."""

import asyncio
import io
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from knox.crypto import hash_token
from knox.models import AuthToken

from devtools.bench import checkin
from devtools.bench.checkin import (
    AT_THE_DOOR,
    FILLED,
    HOME,
    BenchError,
    PhaseResult,
    Visit,
    analyze_filled_tables,
    backdate_check_ins,
    book_for_now,
    drive,
    free_port,
    gunicorn_command,
    gunicorn_environment,
    outcome,
    outcome_line,
    percentile,
    phase_lines,
    plan_visits,
    request_body,
    window_line,
)
from providers.models import ElderCard, HomeLocation, WorkOrder
from providers.selectors import elder_from_code
from providers.services import visit_check_in, visit_check_out
from providers.services.presence import card_confirmation_codes
from providers.tokens import looks_like_token
from vouchers.models import LedgerTransaction


def test_plan_visits_spreads_one_caregiver_per_visit_over_the_clients(tree):
    transactions_before = LedgerTransaction.objects.count()

    plan = plan_visits(clients=2, requests=3)

    assert [len(visits) for visits in plan] == [2, 1]
    visits = [visit for client in plan for visit in client]
    orders = WorkOrder.objects.in_bulk([visit.order_id for visit in visits])
    assert len(orders) == 3
    for token, order_id, card, elder_code in visits:
        order = orders[order_id]
        assert order.status == WorkOrder.Status.ASSIGNED
        assert AuthToken.objects.get(digest=hash_token(token)).user_id == order.caregiver.user_id
        # The card as scanned (its signed token, not the typed short code), and its first code.
        assert looks_like_token(card)
        assert elder_from_code(card).pk == order.elder_id
        assert elder_code == card_confirmation_codes(ElderCard.objects.get(elder_id=order.elder_id))[0]
        home = HomeLocation.objects.get(elder_id=order.elder_id)
        assert (home.lat, home.lng) == HOME
    assert len({order.caregiver_id for order in orders.values()}) == 3
    # A month's subsidy credited to each elder, so that the check-outs can be paid.
    assert LedgerTransaction.objects.count() - transactions_before == 3


def test_the_planned_visits_pass_the_verification_and_are_paid(tree):
    """What the bench sends, through the services: checked in by the scanned card inside the window
    and the geofence, checked out with the elder's one-time code, completed and redeemed."""
    plan = plan_visits(clients=1, requests=2)
    assert "verification on: scanned card, phone 50 m from the home (geofence 300 m)" in window_line(plan)
    visits = plan[0]

    book_for_now(plan)
    for visit in visits:
        body = request_body(visit, "check-in")
        order = WorkOrder.objects.get(pk=visit.order_id)
        visit_check_in(
            order=order,
            code=body["code"],
            by=order.caregiver.user,
            request_id=body["request_id"],
            lat=Decimal(body["lat"]),
            lng=Decimal(body["lng"]),
        )
    came_in = outcome(plan)
    assert outcome_line(came_in, "check-in") == (
        "  check-in visits: 2 of 2 checked in, 2 by scanned card, 0 not checked in; exceptions opened: none"
    )

    backdate_check_ins(plan)
    for visit in visits:
        body = request_body(visit, "check-out")
        order = WorkOrder.objects.get(pk=visit.order_id)
        visit_check_out(
            order=order,
            code=body["code"],
            by=order.caregiver.user,
            request_id=body["request_id"],
            lat=Decimal(body["lat"]),
            lng=Decimal(body["lng"]),
            elder_code=body["elder_code"],
        )
    came_out = outcome(plan)
    assert came_out.verified
    assert outcome_line(came_out, "check-out") == (
        "  check-out visits: 2 of 2 completed (2 redeemed), 0 held, 0 refused (still in progress); "
        "exceptions opened: none"
    )
    assert WorkOrder.objects.get(pk=visits[0].order_id).check_in_distance_m == 50


def test_a_check_out_without_the_elders_code_is_not_verified(tree):
    plan = plan_visits(clients=1, requests=1)
    (visit,) = plan[0]
    order = WorkOrder.objects.get(pk=visit.order_id)
    book_for_now(plan)
    visit_check_in(order=order, code=visit.card, by=order.caregiver.user, lat=AT_THE_DOOR[0], lng=AT_THE_DOOR[1])
    backdate_check_ins(plan)
    visit_check_out(order=order, code=visit.card, by=order.caregiver.user, accept_unpaid=True)

    came_out = outcome(plan)
    assert not came_out.verified
    assert outcome_line(came_out, "check-out") == (
        "  check-out visits: 0 of 1 completed (0 redeemed), 1 held, 0 refused (still in progress); "
        "exceptions opened: unconfirmed 1"
    )


def test_the_tables_the_bench_filled_are_analyzed_on_postgresql(db):
    line = analyze_filled_tables()
    if connection.vendor == "postgresql":
        assert line.startswith(f"analyzed the {len(FILLED)} tables the bench filled")
    else:
        assert line == ""


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
    plan = [[Visit("t1", 2, "C:2", "000002"), Visit("t1", 3, "C:3", "000003")], [Visit("t2", 4, "C:4", "000004")]]

    # A thread of its own: Playwright's sync API leaves an event loop running in pytest's thread.
    with ThreadPoolExecutor(1) as pool:
        (latencies, errors, elapsed), seen = pool.submit(asyncio.run, _serve_and_drive(plan, interval)).result()

    assert len(latencies) == 3
    assert errors == ['409 b\'{"detail": "no"}\'']
    assert elapsed > 0
    assert sorted(seen) == [
        (
            f"/api/v1/work-orders/{n}/check-in/",
            f'{{"code": "C:{n}", "request_id": "check-in-{n}", "lat": "32.430450", "lng": "119.570000"}}'.encode(),
        )
        for n in (2, 3, 4)
    ]


def test_a_check_out_sends_the_elders_one_time_code():
    visit = Visit("t1", 7, "C:7", "123456")
    assert request_body(visit, "check-out") == {
        "code": "C:7",
        "request_id": "check-out-7",
        "lat": "32.430450",
        "lng": "119.570000",
        "elder_code": "123456",
    }
    assert "elder_code" not in request_body(visit, "check-in")


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
    assert cmd[1:] == ["-m", "gunicorn", "-c", "python:eldercare.gunicorn_conf", "eldercare.wsgi"] + [
        "-b",
        "127.0.0.1:8123",
        "-w",
        "3",
        "-k",
        "gthread",
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
