"""Measurements of the municipality-scale benchmark (`python -m verkstall bench`, bench/README).

* Watchlists through the real selector and serializer (`deadlines.selectors.watchlist`, then
  `deadlines.api.DueItemSerializer`, exactly what `GET /api/due-items/` returns), against the
  fastest hand-written SQL for the same answer: the same rows, in the same order, with the
  same columns. Both are timed end to end in this process (query, fetch, Python objects).
* Query counts of each watchlist and of each list page (HTML and API).
* Order transitions through the real HTTP stack: gunicorn serving the WSGI app, driven by
  threads with keep-alive connections on loopback (stdlib http.client), each order sent by
  an officer, acknowledged and started by the provider, authenticated with API keys
  (`Authorization: Token <key>`).
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.db import connection
from django.test import Client
from django.utils import timezone

from verkstall.core import clock
from verkstall.deadlines import selectors
from verkstall.deadlines.api import _moment, watchlist_row
from verkstall.deadlines.calendar import STOCKHOLM

# --- statistics -------------------------------------------------------------------------------


def summary(samples: list[float]) -> dict:
    """Median, p95 and max of samples in seconds, as milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "runs": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(p95 * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


def _timed(fn, runs: int, warmup: int = 5) -> tuple[list[float], object]:
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
    return samples, result


# --- watchlists -----------------------------------------------------------------------------

_SCOPE_SQL = {
    "mine": "d.responsible_user_id = %s",
    "unit": "d.responsible_unit_id = %s AND d.responsible = 'officer'",
    "provider": "d.responsible_provider_id = %s",
    "provider_unit": "d.responsible_provider_unit_id = %s AND d.responsible_provider_id = %s",
}

# Every column the API's watchlist rows carry, in one statement with the partial indexes; the
# client by primary key per row (LATERAL ... OFFSET 0): the fastest shape found, twice as fast
# as a plain join at 30 000 clients, where the planner hashes the whole client table.
_WATCHLIST_SQL = """
SELECT d.id, r.code, r.name, d.status,
       CASE WHEN d.due_at IS NULL THEN 'asap'
            WHEN d.due_at < %s THEN 'overdue'
            WHEN d.due_at <= %s THEN 'today'
            ELSE 'week' END AS bucket,
       d.due_at, d.due_date, d.person_id, p.first_name, p.last_name,
       d.order_id, d.decision_id, st.name, st.code, d.responsible,
       d.responsible_user_id, u.first_name, u.last_name, u.username,
       d.responsible_unit_id, d.responsible_provider_id, d.responsible_provider_unit_id,
       d.met_at, d.explanation ->> 'text'
FROM deadlines_dueitem d
JOIN deadlines_rule r ON r.id = d.rule_id
{lateral_person}LEFT JOIN decisions_servicetype st ON st.id = d.service_type_id
LEFT JOIN access_user u ON u.id = d.responsible_user_id
WHERE {scope} AND d.municipality_id = %s AND d.status = 'open'
  AND (d.due_at IS NULL OR d.due_at <= %s)
ORDER BY d.due_at ASC NULLS FIRST, d.id
"""


_LATERAL_PERSON = """CROSS JOIN LATERAL (SELECT p.first_name, p.last_name FROM people_person p
                   WHERE p.id = d.person_id OFFSET 0) p
"""
_WATCHLIST_SQL = _WATCHLIST_SQL.replace("{lateral_person}", _LATERAL_PERSON)


def _scope_params(user, scope: str) -> list:
    if scope == "mine":
        return [user.pk]
    if scope == "unit":
        return [user.unit_id]
    if scope == "provider":
        return [user.provider_id]
    return [user.provider_unit_id, user.provider_id]


def raw_watchlist(user, scope: str):
    """The same watchlist from hand-written SQL: rows as tuples, counts per bucket."""
    now = clock.now()
    today = now.astimezone(STOCKHOLM).date()
    end_of_today = selectors._end_of(today)
    horizon = selectors._end_of(today + timedelta(days=selectors.HORIZON_DAYS))
    sql = _WATCHLIST_SQL.format(scope=_SCOPE_SQL[scope])
    if connection.vendor != "postgresql":  # no LATERAL in SQLite: the plain join
        sql = sql.replace(_LATERAL_PERSON, "JOIN people_person p ON p.id = d.person_id\n")
    params = [now, end_of_today, *_scope_params(user, scope), user.municipality_id, horizon]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts = dict.fromkeys(selectors.BUCKETS, 0)
    for row in rows:
        counts[row[4]] += 1
    return {"counts": counts, "rows": rows}


def api_watchlist(user, scope: str) -> dict:
    """What `GET /api/due-items/?scope=` answers, through its selector and serializer
    (deadlines.api.DueItemViewSet.list)."""
    tz = timezone.get_current_timezone()
    wl = selectors.watchlist_rows(user, scope)
    return {
        "scope": wl.scope,
        "today": wl.today.isoformat(),
        "horizon": _moment(wl.horizon),
        "counts": wl.counts,
        "results": [watchlist_row(row, tz) for row in wl.items],
    }


def html_watchlist_selector(user, scope: str) -> list:
    """The screen's selector (model instances, for the template), as the HTML page reads it."""
    wl = selectors.watchlist(user, scope)
    return [
        (i.person.full_name, i.rule.name, i.service_type and i.service_type.name,
         i.responsible_user and i.responsible_user.get_full_name(), i.bucket)
        for i in wl.items
    ]  # fmt: skip


def measure_watchlist(name: str, user, scope: str, runs: int) -> dict:
    with count_queries() as queries:
        api_watchlist(user, scope)
    # Interleaved, so that a burst of load elsewhere on the machine hits both alike.
    api_samples, sql_samples = [], []
    for _ in range(5):
        api, raw = api_watchlist(user, scope), raw_watchlist(user, scope)
    for _ in range(runs):
        t0 = time.perf_counter()
        api = api_watchlist(user, scope)
        t1 = time.perf_counter()
        raw = raw_watchlist(user, scope)
        sql_samples.append(time.perf_counter() - t1)
        api_samples.append(t1 - t0)
    same = [r["id"] for r in api["results"]] == [row[0] for row in raw["rows"]] and api[
        "counts"
    ] == raw["counts"]
    html_samples, _ = _timed(lambda: html_watchlist_selector(user, scope), max(10, runs // 3))
    api_s, sql_s = summary(api_samples), summary(sql_samples)
    return {
        "name": name,
        "scope": scope,
        "rows": len(api["results"]),
        "counts": api["counts"],
        "queries": queries[0],
        "same_answer": same,
        "app": api_s,
        "sql": sql_s,
        "screen_selector": summary(html_samples),
        "ratio_median": round(api_s["median_ms"] / max(sql_s["median_ms"], 1e-6), 2),
        "ratio_p95": round(api_s["p95_ms"] / max(sql_s["p95_ms"], 1e-6), 2),
    }


# --- list pages -------------------------------------------------------------------------------

PAGES = {
    "officer": [
        ("html watchlist (mine)", "/watchlist/"),
        ("html watchlist (unit)", "/watchlist/?scope=unit"),
        ("html orders", "/orders/"),
        ("html clients", "/clients/"),
        ("html messages", "/messages/"),
        ("api orders", "/api/orders/"),
        ("api persons", "/api/persons/"),
        ("api decisions", "/api/decisions/"),
        ("api due-items (mine)", "/api/due-items/?scope=mine"),
        ("api due-items (unit)", "/api/due-items/?scope=unit"),
    ],
    "provider": [
        ("html watchlist (provider)", "/watchlist/?scope=provider"),
        ("html inbox", "/inbox/"),
        ("html orders", "/orders/"),
        ("api orders", "/api/orders/"),
        ("api due-items (provider)", "/api/due-items/?scope=provider"),
    ],
}


@contextmanager
def count_queries():
    """Count the statements this thread sends (robust across the request's connection
    handling, unlike the debug cursor)."""
    counter = [0]

    def wrapper(execute, sql, params, many, context):
        counter[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield counter


def measure_pages(users: dict, runs: int = 5) -> list[dict]:
    """Query count, status and median time of each list page for the user it is meant for."""
    results = []
    for who, pages in PAGES.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(users[who])
        for name, url in pages:
            with count_queries() as queries:
                response = client.get(url)
            samples, _ = _timed(lambda c=client, u=url: c.get(u), runs, warmup=0)
            results.append(
                {
                    "page": f"{who}: {name}",
                    "url": url,
                    "status": response.status_code,
                    "queries": queries[0],
                    "median_ms": summary(samples)["median_ms"],
                }
            )
    return results


# --- transitions over HTTP --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _vm_hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def _database_backends(name: str) -> list[int]:
    """PostgreSQL backends serving database `name` on this machine (their process title)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres:") and f" {name} " in title:
            pids.append(int(entry.name))
    return pids


def load_average() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


class Server:
    """gunicorn serving verkstall.wsgi on loopback, as the README recommends running it."""

    def __init__(self, *, workers: int, threads: int, worker_class: str):
        self.port = _free_port()
        self.workers, self.threads, self.worker_class = workers, threads, worker_class
        env = dict(os.environ)
        env.pop("VERKSTALL_DEBUG", None)  # never measure with DEBUG on
        env.setdefault("DJANGO_SETTINGS_MODULE", "verkstall.settings")
        env["VERKSTALL_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "verkstall.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ]
        self.proc = subprocess.Popen(cmd, env=env)  # noqa: S603 - our own fixed command

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/login/")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer")

    def worker_peak_kib(self) -> list[int]:
        return [_vm_hwm_kib(pid) for pid in _children(self.proc.pid)]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


STEPS = (("send", "officer", {}), ("acknowledge", "provider", {}), ("start", "provider", None))


def _post(conn, path: str, token: str, body: dict) -> tuple[int, bytes]:
    payload = json.dumps(body).encode()
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Host": "127.0.0.1",
    }
    for attempt in (1, 2):
        try:
            conn.request("POST", path, payload, headers)
            response = conn.getresponse()
            return response.status, response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def drive_transitions(
    port: int, order_ids: list[int], tokens: dict, *, concurrency: int, duration: float
) -> dict:
    """Send, acknowledge and start orders from `concurrency` threads for up to `duration`
    seconds (or until the orders run out). Each thread keeps one connection alive."""
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for pk in order_ids:
        todo.put(pk)
    latencies: dict[str, list[float]] = {step: [] for step, _, _ in STEPS}
    errors: list[str] = []
    lock = threading.Lock()
    start_date = clock.today().isoformat()
    stop_at = time.monotonic() + duration
    finished_at: list[float] = []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = {step: [] for step, _, _ in STEPS}
        while time.monotonic() < stop_at:
            try:
                pk = todo.get_nowait()
            except queue.Empty:
                break
            for step, who, body in STEPS:
                body = {"start_date": start_date} if body is None else body
                t0 = time.perf_counter()
                status, text = _post(conn, f"/api/orders/{pk}/{step}/", tokens[who], body)
                mine[step].append(time.perf_counter() - t0)
                if status != 200:
                    with lock:
                        errors.append(f"{step} {pk}: {status} {text[:200]!r}")
                    break
        conn.close()
        with lock:
            for step, values in mine.items():
                latencies[step].extend(values)
            finished_at.append(time.perf_counter())

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = max(finished_at) - began
    every = [v for values in latencies.values() for v in values]
    ok = len(every) - len(errors)
    return {
        "concurrency": concurrency,
        "transitions": ok,
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": round(elapsed, 2),
        "per_second": round(ok / elapsed, 1) if elapsed else 0,
        "latency": summary(every) if every else {},
        "by_step": {step: summary(v) for step, v in latencies.items() if v},
    }


def measure_transitions(
    order_ids: list[int],
    tokens: dict,
    *,
    workers: int,
    threads: int,
    worker_class: str,
    concurrency: int,
    duration: float,
    warmup_ids: list[int],
    probe_ids: list[int] = (),
) -> dict:
    server = Server(workers=workers, threads=threads, worker_class=worker_class)
    try:
        server.wait_ready()
        # Warm every worker (imports, URL resolver, connections) before measuring.
        drive_transitions(server.port, warmup_ids, tokens, concurrency=concurrency, duration=30)
        workers_pids = _children(server.proc.pid)
        backends = _database_backends(connection.settings_dict["NAME"])
        cpu_before = [sum(_cpu_seconds(p) for p in workers_pids)]
        cpu_before.append(sum(_cpu_seconds(p) for p in backends))
        load_before = load_average()
        result = drive_transitions(
            server.port, order_ids, tokens, concurrency=concurrency, duration=duration
        )
        app_cpu = sum(_cpu_seconds(p) for p in workers_pids) - cpu_before[0]
        db_cpu = sum(_cpu_seconds(p) for p in backends) - cpu_before[1]
        n = max(1, result["transitions"])
        result["app_cpu_ms_per_transition"] = round(app_cpu * 1000 / n, 2)
        result["db_cpu_ms_per_transition"] = round(db_cpu * 1000 / n, 2)
        result["load_average_before"] = load_before
        result["load_average_after"] = load_average()
        if probe_ids:  # one request at a time: the service time without queueing
            probe = drive_transitions(server.port, list(probe_ids), tokens, concurrency=1,
                                      duration=15)  # fmt: skip
            result["unloaded"] = {k: probe[k] for k in ("transitions", "per_second", "latency")}
        peaks = server.worker_peak_kib()
    finally:
        server.stop()
    result.update(
        {
            "workers": workers,
            "threads": threads,
            "worker_class": worker_class,
            "worker_peak_rss_mib": round(max(peaks) / 1024, 1) if peaks else None,
            "worker_peaks_mib": [round(p / 1024, 1) for p in peaks],
        }
    )
    return result
