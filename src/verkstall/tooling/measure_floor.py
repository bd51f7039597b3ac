"""The floor under a transition (issue 19: "where that cannot be reached on two cores with
Django, the measured figure, the profile that shows the floor, and what would move it (a
figure, not a guess)").

Measured on the benchmark's own gunicorn server, right after its transitions, on the same
machine and database:

- `health`: `GET /healthz` at the same concurrency: the whole middleware stack and gunicorn,
  no authentication and no database. What any request costs this Django before it does
  anything.
- `api_read`: `GET /api/service-types/` with the same API key: token authentication, the
  access declarations, DRF and one small catalogue read (no client data, so no access-log
  row). The least an authenticated API request costs.
- `statement`: `SELECT 1` over one plain psycopg connection, the PostgreSQL backend's CPU per
  statement round trip: the fixed cost of a statement before it does any work.

From those and the transitions' own CPU (`ceilings`): the transitions per second the cores
would give if the application cost nothing (the database's CPU alone), if it cost no more
than the authenticated floor, and the share of the database's CPU that is the fixed cost of
the statements a transition sends.
"""

from __future__ import annotations

import http.client
import os
import threading
import time
from pathlib import Path

import psycopg
from django.db import connection

from verkstall.tooling.measure import summary

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of process `pid` so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def _get(port: int, path: str, token: str | None, *, concurrency: int, duration: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration
    headers = {"Host": "127.0.0.1", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (http.client.HTTPException, OSError) as exc:
                conn.close()
                with lock:
                    errors.append(repr(exc))
                continue
            mine.append(time.perf_counter() - t0)
            if response.status != 200:
                with lock:
                    errors.append(f"{path}: {response.status}")
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "per_second": round(len(latencies) / elapsed, 1) if elapsed else 0,
        "latency": summary(latencies) if latencies else {},
    }


def _with_cpu(cpu_of, run) -> dict:
    """`run()`'s figures with the application's and the database's CPU per request."""
    before = cpu_of()
    result = run()
    app, db = (after - was for after, was in zip(cpu_of(), before, strict=True))
    n = max(1, result["requests"])
    result["app_cpu_ms_per_request"] = round(app * 1000 / n, 3)
    result["db_cpu_ms_per_request"] = round(db * 1000 / n, 3)
    return result


def statement_cost(runs: int = 20000) -> dict:
    """`SELECT 1` round trips over one plain connection to the benchmark's database: the
    backend's CPU and the client's wall time per statement."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as conn:
        backend = conn.info.backend_pid
        for _ in range(200):
            conn.execute("SELECT 1")
        cpu0, t0 = cpu_seconds(backend), time.perf_counter()
        for _ in range(runs):
            conn.execute("SELECT 1")
        wall, cpu = time.perf_counter() - t0, cpu_seconds(backend) - cpu0
    return {
        "runs": runs,
        "db_cpu_ms_per_statement": round(cpu * 1000 / runs, 4),
        "wall_ms_per_statement": round(wall * 1000 / runs, 4),
    }


def measure(port: int, token: str, cpu_of, *, concurrency: int, duration: float) -> dict:
    """The floor figures on a running server (`cpu_of()`: application and database CPU
    seconds so far)."""
    return {
        "health": _with_cpu(
            cpu_of,
            lambda: _get(port, "/healthz", None, concurrency=concurrency, duration=duration),
        ),
        "api_read": _with_cpu(
            cpu_of,
            lambda: _get(
                port, "/api/service-types/", token, concurrency=concurrency, duration=duration
            ),
        ),
        "statement": statement_cost() if connection.vendor == "postgresql" else None,
    }


def ceilings(transitions: dict, floor: dict, statements: dict) -> dict:
    """What the cores could give, from the measured CPU per transition and the floor."""
    cores = os.cpu_count() or 1
    app = transitions["app_cpu_ms_per_transition"]
    db = transitions["db_cpu_ms_per_transition"]
    api = floor["api_read"]
    api_floor = api["app_cpu_ms_per_request"] + api["db_cpu_ms_per_request"]
    per_statement = (floor["statement"] or {}).get("db_cpu_ms_per_statement", 0)
    mean_statements = sum(statements.values()) / len(statements) if statements else 0
    fixed = mean_statements * per_statement

    def rate(ms: float) -> float:
        return round(cores * 1000 / ms, 1) if ms > 0 else 0

    return {
        "cores": cores,
        "cpu_ms_per_transition": round(app + db, 2),
        "cpu_bound_per_second": rate(app + db),
        "if_the_app_cost_nothing_per_second": rate(db),
        "if_the_app_cost_the_api_floor_per_second": rate(db + api_floor),
        "statements_per_transition_mean": round(mean_statements, 1),
        "statements_fixed_db_cpu_ms": round(fixed, 2),
        "statements_fixed_share_of_db_cpu": round(fixed / db, 2) if db else None,
        "cpu_ms_per_transition_for_300_per_second": round(cores * 1000 / 300, 2),
    }
