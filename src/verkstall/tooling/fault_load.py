"""The load of the fault runs (`python -m verkstall faults`, issue 18 items 1 and 5): lives of
orders driven through the HTTP API by client threads, as a provider's or a municipality's
system would, retrying what got no answer with the same `Idempotency-Key`.

A life is: create the order from its decision (officer), send it (officer), acknowledge and
start it (provider). Each request is tried until it gets an answer or the run's time is up:
a dropped connection (the server was killed) or a 503 (the database was restarting) is tried
again after a short wait, with the same key, so a write that happened is answered from its
first answer and never made twice. Every attempt is counted by what came back.
"""

from __future__ import annotations

import http.client
import json
import queue
import threading
import time
from dataclasses import dataclass, field

from verkstall.core import clock

#: The steps of a life: (name, who, path, body); the order's id fills the path.
STEPS = (
    ("create", "officer", "/api/orders/", None),
    ("send", "officer", "/api/orders/{order}/send/", {}),
    ("acknowledge", "provider", "/api/orders/{order}/acknowledge/", {}),
    ("start", "provider", "/api/orders/{order}/start/", "start"),
)
RETRY_PAUSE = 0.2


@dataclass
class Life:
    decision: int
    provider: int
    key: str
    order: int | None = None
    answered: dict[str, int] = field(default_factory=dict)  # step -> the final status


@dataclass
class Tally:
    """What came back, per attempt. `no_answer`: the connection failed (a killed server)."""

    sent: int = 0
    succeeded: int = 0
    failed_cleanly: int = 0
    server_errors: int = 0
    no_answer: int = 0
    replayed: int = 0
    unclear: list[str] = field(default_factory=list)  # a 4xx/503 without a message

    def add(self, other: Tally) -> None:
        for name in ("sent", "succeeded", "failed_cleanly", "server_errors", "no_answer"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.replayed += other.replayed
        self.unclear.extend(other.unclear)

    def as_dict(self) -> dict:
        return {
            "sent": self.sent,
            "succeeded": self.succeeded,
            "failed_cleanly": self.failed_cleanly,
            "server_errors": self.server_errors,
            "no_answer": self.no_answer,
            "replayed": self.replayed,
            "unclear": self.unclear[:3],
        }


def _clear_message(body: bytes) -> bool:
    """A refusal names what is wrong: a JSON object with at least one message in it."""
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and any(bool(v) for v in data.values())


def _attempt(conn, method, path, headers, payload) -> tuple[int, bytes, dict]:
    conn.request(method, path, payload, headers)
    response = conn.getresponse()
    return response.status, response.read(), dict(response.getheaders())


class Driver:
    """Client threads over `ports` (one or more application servers, taken in turn)."""

    def __init__(self, ports: list[int], tokens: dict[str, str], *, deadline: float):
        self.ports = ports
        self.tokens = tokens
        self.deadline = deadline
        self.tally = Tally()
        self.lock = threading.Lock()
        self.start_date = clock.today().isoformat()

    def request(
        self, conn_box: list, tally: Tally, who: str, path: str, body: dict, key: str, **extra
    ):
        """POST until an answer that is not a 503, or the deadline. Returns (status, body).
        `extra`: more headers (If-Match)."""
        payload = json.dumps(body).encode()
        headers = {
            "Authorization": f"Token {self.tokens[who]}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Host": "127.0.0.1",
            "Idempotency-Key": key,
            **{name.replace("_", "-"): value for name, value in extra.items()},
        }
        while time.monotonic() < self.deadline:
            tally.sent += 1
            try:
                status, text, answer_headers = _attempt(conn_box[0], "POST", path, headers, payload)
            except (OSError, http.client.HTTPException):
                tally.no_answer += 1
                conn_box[0].close()
                conn_box[0] = self.connect(conn_box[1] + 1)
                conn_box[1] += 1
                time.sleep(RETRY_PAUSE)
                continue
            if answer_headers.get("Idempotent-Replayed") == "true":
                tally.replayed += 1
            if status >= 500 and status != 503:
                tally.server_errors += 1
                return status, text
            if status >= 400:
                tally.failed_cleanly += 1
                if not _clear_message(text):
                    tally.unclear.append(f"{status} {path}: {text[:120]!r}")
                if status == 503:
                    time.sleep(RETRY_PAUSE)
                    continue
                return status, text
            tally.succeeded += 1
            return status, text
        return 0, b""

    def connect(self, turn: int):
        port = self.ports[turn % len(self.ports)]
        return http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def live(self, life: Life, conn_box: list, tally: Tally, steps=STEPS) -> None:
        for step, who, path, body in steps:
            if step == "create":
                body = {"decision": life.decision, "provider": life.provider}
            elif body == "start":
                body = {"start_date": self.start_date}
            status, text = self.request(
                conn_box, tally, who, path.format(order=life.order), body, f"{life.key}-{step}"
            )
            life.answered[step] = status
            if status not in (200, 201):
                return
            if step == "create":
                life.order = json.loads(text)["id"]

    def run(self, lives: list[Life], *, concurrency: int, steps=STEPS) -> Tally:
        """Drive the lives (their first `steps`) from `concurrency` threads until they are
        done or the deadline."""
        todo: queue.SimpleQueue = queue.SimpleQueue()
        for life in lives:
            todo.put(life)

        def worker(number: int):
            mine = Tally()
            box = [self.connect(number), number]
            while time.monotonic() < self.deadline:
                try:
                    life = todo.get_nowait()
                except queue.Empty:
                    break
                self.live(life, box, mine, steps)
            box[0].close()
            with self.lock:
                self.tally.add(mine)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return self.tally


def read_etag(port: int, token: str, path: str) -> str | None:
    """The ETag of a GET (the version a client read)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Token {token}", "Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        return response.getheader("ETag")
    finally:
        conn.close()
