"""Prometheus metrics in the text exposition format, without a client library (issue 18 item 3).

Two kinds are counted as they happen, in the process that sees them: counters (order
transitions by action) and histograms (request latency by route name, method and status
class). Gauges (overdue due items, the outbox, the task queue) are not kept here: the scrape
(verkstall/monitoring.py) computes them from the database and passes them to `render`.

Several gunicorn workers each count their own requests. A scrape reaches one of them, so
process-local counters would jump between the workers' totals and look like resets. With
`configure(directory)` (VERKSTALL_METRICS_DIR; the systemd unit gives a runtime directory,
emptied when the service stops) each process writes its totals to `<directory>/<pid>-<token>
.json` at most `FLUSH_SECONDS` after a change, and a scrape adds up every file in the
directory, so any worker answers with the totals of all of them, those that exited included
(a counter never goes down while the service runs). Without a directory the totals are the
answering process's own: right for one process (runserver, tests, one worker).

Labels are the caller's: the route's name, never its path, and no personal data, no client
id, no user name (tests/test_metrics.py checks the scrape). Pure Python, no Django import.
"""

from __future__ import annotations

import json
import logging
import math
import os
import secrets
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: Seconds: from a few milliseconds (a cached read) to a slow PDF or export.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: How long after a change a process writes its totals to the shared directory.
FLUSH_SECONDS = 1.0

_lock = threading.RLock()
_write_lock = threading.Lock()  # one write of this process's file at a time, newest last


class Counter:
    """A total that only grows, per combination of label values."""

    kind = "counter"

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = ()):
        self.name, self.help, self.labelnames = name, help_text, tuple(labelnames)
        self.values: dict[tuple[str, ...], float] = {}

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        key = _key(self, labels)
        with _lock:
            self.values[key] = self.values.get(key, 0.0) + amount
        _changed()

    def value(self, *labels: str) -> float:
        """This process's total for the labels (for tests)."""
        return self.values.get(_key(self, labels), 0.0)

    def state(self) -> list:
        return [[list(k), v] for k, v in self.values.items()]

    def merge(self, into: dict, rows: list) -> None:
        for labels, value in rows:
            key = tuple(labels)
            into[key] = into.get(key, 0.0) + value

    def lines(self, values: dict) -> Iterable[str]:
        for key, value in sorted(values.items()):
            yield f"{self.name}{_labels(self.labelnames, key)} {_number(value)}"


class Histogram:
    """Observations counted into buckets (each bucket holds the observations up to its bound
    and above the previous one; the output makes them cumulative), with their sum."""

    kind = "histogram"

    def __init__(
        self,
        name: str,
        help_text: str,
        labelnames: Sequence[str] = (),
        buckets: Sequence[float] = LATENCY_BUCKETS,
    ):
        self.name, self.help, self.labelnames = name, help_text, tuple(labelnames)
        self.buckets = tuple(sorted(buckets))
        # labels -> [count per bucket..., count above the last bound, sum]
        self.values: dict[tuple[str, ...], list[float]] = {}

    def observe(self, value: float, *labels: str) -> None:
        key = _key(self, labels)
        index = next((i for i, bound in enumerate(self.buckets) if value <= bound), -1)
        with _lock:
            row = self.values.setdefault(key, [0.0] * (len(self.buckets) + 2))
            row[index if index >= 0 else len(self.buckets)] += 1
            row[-1] += value
        _changed()

    def count(self, *labels: str) -> float:
        """This process's number of observations for the labels (for tests)."""
        row = self.values.get(_key(self, labels))
        return sum(row[:-1]) if row else 0.0

    def state(self) -> list:
        return [[list(k), list(v)] for k, v in self.values.items()]

    def merge(self, into: dict, rows: list) -> None:
        for labels, row in rows:
            key = tuple(labels)
            if len(row) != len(self.buckets) + 2:
                continue  # written by a process with other buckets (an upgrade): skipped
            have = into.setdefault(key, [0.0] * len(row))
            into[key] = [a + b for a, b in zip(have, row, strict=True)]

    def lines(self, values: dict) -> Iterable[str]:
        for key, row in sorted(values.items()):
            running = 0.0
            for bound, count in zip((*self.buckets, math.inf), row[:-1], strict=True):
                running += count
                le = _labels((*self.labelnames, "le"), (*key, _number(bound)))
                yield f"{self.name}_bucket{le} {_number(running)}"
            yield f"{self.name}_sum{_labels(self.labelnames, key)} {_number(row[-1])}"
            yield f"{self.name}_count{_labels(self.labelnames, key)} {_number(running)}"


REQUEST_LATENCY = Histogram(
    "verkstall_http_request_duration_seconds",
    "Time from the request reaching the application to its response, by URL name, method "
    "and status class.",
    ("route", "method", "status"),
)
TRANSITIONS = Counter(
    "verkstall_order_transitions_total",
    "Order transitions committed, by action (send, acknowledge, start, end, cancel).",
    ("action",),
)
#: The families counted in the process, in the order of the output.
FAMILIES: tuple[Counter | Histogram, ...] = (REQUEST_LATENCY, TRANSITIONS)


def count_transition(action: str) -> None:
    """One order transition committed (orders.services.transition, after the commit)."""
    TRANSITIONS.inc(str(action))


def observe_request(seconds: float, *, route: str, method: str, status: int) -> None:
    REQUEST_LATENCY.observe(seconds, route, method, f"{int(status) // 100}xx")


# --- sharing the totals of several processes ---------------------------------------------------

_store: dict = {"directory": None, "token": "", "pid": 0, "timer": None}


def configure(directory: str | os.PathLike | None) -> None:
    """Share totals through `directory` (created if missing), or keep them in the process."""
    with _lock:
        _store["directory"] = Path(directory) if directory else None
        if _store["directory"] is not None:
            _store["directory"].mkdir(parents=True, exist_ok=True)


def _file() -> Path | None:
    directory = _store["directory"]
    if directory is None:
        return None
    if _store["pid"] != os.getpid():  # first write, or a forked child: a file of its own
        _store["pid"], _store["token"] = os.getpid(), secrets.token_hex(4)
    return directory / f"{_store['pid']}-{_store['token']}.json"


def _changed() -> None:
    """Have the totals written within FLUSH_SECONDS, unless a write is already pending."""
    if _store["directory"] is None:
        return
    with _lock:
        if _store["timer"] is not None:
            return
        timer = threading.Timer(FLUSH_SECONDS, _timed_flush)
        timer.daemon = True
        _store["timer"] = timer
    timer.start()


def _timed_flush() -> None:
    with _lock:
        _store["timer"] = None  # a change from now on asks for the next write
    flush()


def flush() -> None:
    """Write this process's totals to its file in the shared directory (atomically)."""
    with _write_lock:
        with _lock:
            path = _file()
            if path is None:
                return
            state = {family.name: family.state() for family in FAMILIES}
        temporary = path.with_suffix(".tmp")
        try:
            temporary.write_text(json.dumps(state))
            os.replace(temporary, path)
        except OSError as exc:  # a full or removed directory must not fail a request
            logger.warning("metrics not written to %s: %s", path.parent, type(exc).__name__)


def _reset_after_fork() -> None:
    """A forked child (a gunicorn worker) counts from zero in its own file; what the parent
    counted stays in the parent's. The locks are made anew: another thread of the parent may
    have held one at the fork."""
    global _lock, _write_lock
    _lock, _write_lock = threading.RLock(), threading.Lock()
    for family in FAMILIES:
        family.values.clear()
    _store["timer"] = None
    _store["pid"] = 0


os.register_at_fork(after_in_child=_reset_after_fork)


def collect() -> dict[str, dict]:
    """name -> {labels: value or row}: this process's totals, or with a shared directory the
    sum over every process's file (this one's written first)."""
    directory = _store["directory"]
    if directory is None:
        with _lock:
            return {f.name: {k: _copy(v) for k, v in f.values.items()} for f in FAMILIES}
    flush()
    merged: dict[str, dict] = {family.name: {} for family in FAMILIES}
    for path in sorted(directory.glob("*.json")):
        try:
            state = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # removed or being replaced: the next scrape reads it
        for family in FAMILIES:
            family.merge(merged[family.name], state.get(family.name, []))
    return merged


def _copy(value):
    return list(value) if isinstance(value, list) else value


# --- the text format ---------------------------------------------------------------------------


class Gauge:
    """A value computed at scrape time: `samples` are (labels dict, value) pairs."""

    kind = "gauge"

    def __init__(self, name: str, help_text: str, samples: Iterable[tuple[dict, float]] = ()):
        self.name, self.help = name, help_text
        self.samples = list(samples)

    def lines(self) -> Iterable[str]:
        for labels, value in self.samples:
            yield f"{self.name}{_labels(tuple(labels), tuple(labels.values()))} {_number(value)}"


def render(gauges: Iterable[Gauge] = ()) -> str:
    """The exposition text: every counted family with its totals, then the gauges."""
    totals = collect()
    out: list[str] = []
    for family in FAMILIES:
        out += _header(family)
        out += family.lines(totals.get(family.name, {}))
    for gauge in gauges:
        out += _header(gauge)
        out += gauge.lines()
    return "\n".join(out) + "\n"


def _header(family) -> list[str]:
    help_text = family.help.replace("\\", "\\\\").replace("\n", "\\n")
    return [f"# HELP {family.name} {help_text}", f"# TYPE {family.name} {family.kind}"]


def _key(family, labels: tuple[str, ...]) -> tuple[str, ...]:
    if len(labels) != len(family.labelnames):
        raise ValueError(f"{family.name} takes labels {family.labelnames}, got {labels!r}")
    return tuple(str(label) for label in labels)


def _labels(names: Sequence[str], values: Sequence[str]) -> str:
    if not names:
        return ""
    pairs = ",".join(f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True))
    return "{" + pairs + "}"


def _escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))
