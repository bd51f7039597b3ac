"""Growth table of RESULTS.md from the benchmark's JSON lines: python3 bench/table.py FILE..."""

from __future__ import annotations

import json
import sys

LISTS = ["officer", "officer's unit", "large provider", "provider unit"]


def _pair(a, b) -> str:
    return f"{a} / {b}"


def main(paths: list[str]) -> None:
    runs = []
    for path in paths:
        with open(path) as f:
            runs.append(json.load(f))
    runs.sort(key=lambda r: r["clients"])
    print("| figure | " + " | ".join(f"N = {r['clients']}" for r in runs) + " |")
    print("|---|" + "---:|" * len(runs))

    def row(label, get):
        cells = []
        for r in runs:
            try:
                cells.append(str(get(r)))
            except (KeyError, IndexError, TypeError):
                cells.append("–")
        print(f"| {label} | " + " | ".join(cells) + " |")

    row("generate (s)", lambda r: r["generate_seconds"])
    for key in ("orders", "order_events", "due_items", "open_due_items"):
        row(key.replace("_", " "), lambda r, k=key: r["rows"][k])
    for i, name in enumerate(LISTS):

        def w(r, i=i):
            return r["watchlists"][i]

        row(f"{name}: rows", lambda r, w=w: w(r)["rows"])
        row(f"{name}: app median / p95 ms",
            lambda r, w=w: _pair(w(r)["app"]["median_ms"], w(r)["app"]["p95_ms"]))  # fmt: skip
        row(f"{name}: SQL median / p95 ms",
            lambda r, w=w: _pair(w(r)["sql"]["median_ms"], w(r)["sql"]["p95_ms"]))  # fmt: skip
        row(f"{name}: ratio p95 / median",
            lambda r, w=w: _pair(w(r)["ratio_p95"], w(r)["ratio_median"]))  # fmt: skip
        row(f"{name}: queries", lambda r, w=w: w(r)["queries"])

    def t(r):
        return r["transitions"]

    row("transitions / s", lambda r: t(r)["per_second"])
    row("transition median / p95 ms",
        lambda r: _pair(t(r)["latency"]["median_ms"], t(r)["latency"]["p95_ms"]))  # fmt: skip
    row("one at a time: median / p95 ms",
        lambda r: _pair(t(r)["unloaded"]["latency"]["median_ms"],
                        t(r)["unloaded"]["latency"]["p95_ms"]))  # fmt: skip
    row("CPU per transition: app / PostgreSQL ms",
        lambda r: _pair(t(r)["app_cpu_ms_per_transition"],
                        t(r)["db_cpu_ms_per_transition"]))  # fmt: skip
    row("worker peak memory (VmHWM, MiB)", lambda r: t(r)["worker_peak_rss_mib"])
    row("load average before / after the load",
        lambda r: _pair(t(r)["load_average_before"][0], t(r)["load_average_after"][0]))  # fmt: skip
    for j, page in enumerate(runs[0]["pages"]):
        row(f"queries: {page['page']}", lambda r, j=j: r["pages"][j]["queries"])


if __name__ == "__main__":
    main(sys.argv[1:])
