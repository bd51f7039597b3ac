"""The soak (`python -m verkstall soak`, issue 18 item 6): simulated officers and providers
through the API for minutes on end, against gunicorn as production runs it, sampling each
worker's resident memory as it goes.

Each client thread, over and over: one step of an order's life (create, send, acknowledge,
start, as the fault runs' load does, with an Idempotency-Key) while decisions last, then reads
as a day at the desk makes them (the order list, an order, the due items, the inbox), and now
and then a message on an order. Every answer is counted by its class; a 5xx is a server error.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from verkstall.tooling.fault_load import Driver, Life, Tally
from verkstall.tooling.measure import summary

READS = (
    ("officer", "/api/orders/?page_size=25"),
    ("officer", "/api/due-items/?page_size=50"),
    ("provider", "/api/orders/?page_size=25"),
    ("provider", "/api/due-items/?page_size=50"),
    ("provider", "/api/messages/?page_size=25"),
)


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


@dataclass
class Soak:
    port: int
    tokens: dict
    lives: list[Life]
    seconds: float
    reads: Tally = field(default_factory=Tally)
    latencies: list[float] = field(default_factory=list)
    messages: int = 0

    def _get(self, conn, who: str, path: str, tally: Tally) -> None:
        tally.sent += 1
        t0 = time.perf_counter()
        try:
            headers = {
                "Authorization": f"Token {self.tokens[who]}",
                "Accept": "application/json",
                "Host": "127.0.0.1",
            }
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            tally.no_answer += 1
            return
        self.latencies.append(time.perf_counter() - t0)
        if response.status >= 500:
            tally.server_errors += 1
        elif response.status >= 400:
            tally.failed_cleanly += 1
        else:
            tally.succeeded += 1

    def run(self, *, concurrency: int, samples: list, worker_pids) -> dict:
        deadline = time.monotonic() + self.seconds
        driver = Driver([self.port], self.tokens, deadline=deadline)
        todo = list(self.lives)
        lock = threading.Lock()
        read_tallies = []

        def client(number: int):
            rng = random.Random(number)
            box = [driver.connect(0), 0]
            reads = Tally()
            while time.monotonic() < deadline:
                with lock:
                    life = todo.pop() if todo else None
                if life is not None:
                    driver.live(life, box, driver_tally := Tally())
                    with lock:
                        driver.tally.add(driver_tally)
                    if life.order and rng.random() < 0.2:
                        status, _ = driver.request(
                            box, reads, "provider", "/api/messages/",
                            {"order": life.order, "subject": "Fråga",
                             "body": "Kan vi ändra tiden för insatsen?"},
                            f"{life.key}-message",
                        )  # fmt: skip
                        with lock:
                            self.messages += status == 201
                for _ in range(4):
                    who, path = rng.choice(READS)
                    self._get(box[0], who, path, reads)
            box[0].close()
            with lock:
                read_tallies.append(reads)

        def sampler():
            started = time.monotonic()
            while time.monotonic() < deadline:
                pids = worker_pids()
                samples.append((round(time.monotonic() - started, 1), [rss_mib(p) for p in pids]))
                time.sleep(15)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
        threads.append(threading.Thread(target=sampler, daemon=True))
        for t in threads:
            t.start()
        for t in threads[:-1]:
            t.join()
        for tally in read_tallies:
            self.reads.add(tally)
        return {
            "writes": driver.tally.as_dict(),
            "reads": self.reads.as_dict(),
            "read_latency": summary(self.latencies) if self.latencies else {},
            "lives_completed": sum(1 for life in self.lives if life.answered.get("start") == 200),
            "messages": self.messages,
        }


def memory_trend(samples: list) -> dict:
    """Per worker: resident memory after the first minute, at the end, and the growth over
    the second half of the run (a leak shows as steady growth there)."""
    if not samples:
        return {}
    settled = [s for s in samples if s[0] >= 60] or samples
    half = [s for s in samples if s[0] >= samples[-1][0] / 2] or samples
    width = min(len(s[1]) for s in samples)
    return {
        "workers": width,
        "after_first_minute_mib": settled[0][1][:width],
        "at_end_mib": samples[-1][1][:width],
        "second_half_growth_mib": [round(half[-1][1][i] - half[0][1][i], 1) for i in range(width)],
        "samples": len(samples),
    }
