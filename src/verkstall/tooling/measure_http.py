"""Order transitions of the municipality-scale benchmark through the real HTTP stack
(`python -m verkstall bench`, bench/README): gunicorn serving the WSGI app, driven by threads
with keep-alive connections on loopback (stdlib http.client), each order sent by an officer,
acknowledged and started by the provider, authenticated with API keys
(`Authorization: Token <key>`).
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.db import connection

from verkstall.core import clock
from verkstall.tooling import measure_floor
from verkstall.tooling.measure import summary
from verkstall.tooling.measure_floor import cpu_seconds as _cpu_seconds

# --- transitions over HTTP --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
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

    def __init__(self, *, workers: int, threads: int, worker_class: str, port: int = 0, log=None):
        self.port = port or free_port()
        self.workers, self.threads, self.worker_class = workers, threads, worker_class
        env = dict(os.environ)
        env.pop("VERKSTALL_DEBUG", None)  # never measure with DEBUG on
        env.setdefault("DJANGO_SETTINGS_MODULE", "verkstall.settings")
        env["VERKSTALL_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        # No request log line per request on the benchmark's terminal (docs/production.md).
        env.setdefault("VERKSTALL_REQUEST_LOG_LEVEL", "WARNING")
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

        self.proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)  # noqa: S603

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
        return [_vm_hwm_kib(pid) for pid in children(self.proc.pid)]

    def stop(self) -> None:
        stop_process(self.proc)


def stop_process(proc: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL if it has not ended within `timeout` seconds."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


STEPS = (("send", "officer", {}), ("acknowledge", "provider", {}), ("start", "provider", None))


def transition_statements(order_ids: list[int], tokens: dict) -> dict[str, int]:
    """The statements each step sends to the database, in process through Django's test
    client (issue 19: "statement count per transition in the benchmark output"): per step the
    most any of `order_ids` needed, the authentication and the access log included."""
    from django.test import Client

    from verkstall.tooling.measure import count_queries

    client = Client(HTTP_HOST="127.0.0.1")
    start_date = clock.today().isoformat()
    counts: dict[str, int] = {}
    for pk in order_ids:
        for step, who, body in STEPS:
            body = {"start_date": start_date} if body is None else body
            with count_queries() as queries:
                response = client.post(
                    f"/api/orders/{pk}/{step}/",
                    body,
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Token {tokens[who]}",
                )
            if response.status_code != 200:
                raise AssertionError(f"{step} {pk}: {response.status_code}")
            counts[step] = max(counts.get(step, 0), queries[0])
    return counts


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
    floor: bool = False,
) -> dict:
    server = Server(workers=workers, threads=threads, worker_class=worker_class)
    try:
        server.wait_ready()
        # Warm every worker (imports, URL resolver, connections) before measuring.
        drive_transitions(server.port, warmup_ids, tokens, concurrency=concurrency, duration=30)
        workers_pids = children(server.proc.pid)
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
        if floor:  # what any request costs on this server (measure_floor)

            def cpu_of():
                return (
                    sum(_cpu_seconds(p) for p in workers_pids),
                    sum(_cpu_seconds(p) for p in backends),
                )

            result["floor"] = measure_floor.measure(
                server.port, tokens["provider"], cpu_of, concurrency=concurrency,
                duration=min(duration, 10),
            )  # fmt: skip
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
