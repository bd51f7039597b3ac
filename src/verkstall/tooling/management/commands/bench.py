"""`python -m verkstall bench [--clients N] [--database-url URL]` (bench/README.md).

Measures, on one prepared database, in one run: the four watchlists against hand-written SQL,
the query count of each watchlist and list page, and order transitions through gunicorn.
Prints a table, then, as its last line, one JSON object with every figure.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import platform
import time
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from verkstall.core import clock
from verkstall.payments.basis_types import Period
from verkstall.tooling import (
    bench_ontime_selectors,
    bench_payment_selectors,
    bench_payment_services,
    bench_selectors,
    measure,
    measure_floor,
    measure_http,
)
from verkstall.tooling import generator_services as generator

# gunicorn on a 2-core machine (README "Running in production"): the figures behind this
# choice are in bench/RESULTS.md.
DEFAULT_WORKERS = 2 * (os.cpu_count() or 1) + 1
TARGETS = {"watchlist_ratio_p95": 1.5, "watchlist_p95_ms": 50.0, "per_second": 300, "p95_ms": 50.0}


class Command(BaseCommand):
    help = "Municipality-scale benchmark: watchlists vs raw SQL, query counts, transitions."

    def add_arguments(self, parser):
        parser.add_argument(
            "--clients",
            type=int,
            help="Size to measure; generated first if the database holds no generated data.",
        )
        parser.add_argument(
            "--database-url",
            help="Database to use (applied before settings load, see verkstall/__main__.py).",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--profile", default=generator.DEFAULT_PROFILE)
        parser.add_argument("--runs", type=int, default=60, help="Runs per watchlist (>= 50).")
        parser.add_argument("--duration", type=float, default=20, help="Seconds of load.")
        parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--worker-class", default="sync")
        parser.add_argument("--concurrency", type=int, default=0, help="Client threads.")
        parser.add_argument("--skip-http", action="store_true", help="No gunicorn part.")

    def handle(self, *args, **opt):
        started = time.monotonic()
        report: dict = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": _machine(),
        }
        if generator.ensure_migrated():
            self.stderr.write("Databasen migrerades.")
        size = generator.generated_size()
        wanted = opt["clients"]
        if size == 0:
            if not wanted:
                raise CommandError("Databasen är tom: ange --clients N så genereras data först.")
            self.stderr.write(f"Genererar {wanted} klienter ...")
            t0 = time.monotonic()
            generator.generate(
                wanted,
                seed=opt["seed"],
                profile=opt["profile"],
                progress=generator.progress_bar(self.stderr._out),
            )
            generator.analyze()
            report["generate_seconds"] = round(time.monotonic() - t0, 1)
            size = wanted
        elif wanted and wanted != size:
            raise CommandError(
                f"Databasen har {size} genererade klienter, inte {wanted}: använd en tom databas."
            )
        else:
            # Earlier runs left their orders behind: fresh statistics, as autovacuum would
            # give a production database, so that every run is planned alike.
            generator.analyze()
        subjects = bench_selectors.subjects()
        report["clients"] = size
        report["rule_profile"] = subjects["municipality"].rule_profile
        report["rows"] = bench_selectors.table_counts(subjects["municipality"])

        runs = max(50, opt["runs"])
        # What the setup made (the generated municipality's subjects, Django's caches) is kept
        # out of the collector's scans, as in a server whose workers start warm: without it a
        # full collection in the middle of one run of a 6 000-row list scanned the benchmark's
        # own objects too and doubled that run (p95 114 ms against a 54 ms median at 30 000).
        gc.collect()
        gc.freeze()
        report["watchlists"] = [
            measure.measure_watchlist("officer", subjects["officer"], "mine", runs),
            measure.measure_watchlist("officer's unit", subjects["officer"], "unit", runs),
            measure.measure_watchlist(
                "large provider", subjects["provider_user"], "provider", runs
            ),
            measure.measure_watchlist(
                "provider unit", subjects["provider_unit_user"], "provider_unit", runs
            ),
        ]
        report["pages"] = measure.measure_pages(
            {"officer": subjects["officer"], "provider": subjects["provider_user"]}
        )
        # The payment basis of last month for the whole municipality (R9.4, issue 15).
        month = Period.of(clock.today()).previous()
        bench_payment_services.ensure_prices(subjects["municipality"], month)
        basis = bench_payment_selectors.measure_basis(subjects["municipality"], month)
        report["payment_basis"] = basis
        report["payment_basis_ratio_median"] = basis["ratio_median"]
        # The on-time statistics page for the whole municipality, last 12 months (R9.4).
        ontime = bench_ontime_selectors.measure_ontime(subjects["municipality"])
        report["ontime_statistics"] = ontime
        report["ontime_ratio_median"] = ontime["ratio_median"]
        if not opt["skip_http"]:
            report["transitions"] = self._transitions(subjects, opt)
        report["targets"] = _judge(report)
        report["bench_seconds"] = round(time.monotonic() - started, 1)
        self._table(report)
        self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))

    def _transitions(self, subjects, opt) -> dict:
        officer = subjects["officer"]
        provider = subjects["transition_provider"]
        tokens = {
            "officer": generator.api_token(officer),
            "provider": generator.api_token(subjects["transition_provider_user"]),
        }
        # Enough drafts for 150 orders (450 transitions) a second, and some to warm up.
        count = int(opt["duration"] * 150)
        warmup = generator.make_draft_orders(100, officer=officer, provider=provider, seed=2)
        orders = generator.make_draft_orders(count, officer=officer, provider=provider, seed=3)
        probe = generator.make_draft_orders(60, officer=officer, provider=provider, seed=4)
        counted = generator.make_draft_orders(3, officer=officer, provider=provider, seed=5)
        statements = measure_http.transition_statements(counted, tokens)
        workers = opt["workers"]
        concurrency = opt["concurrency"] or workers * max(1, opt["threads"]) * 2
        connection.close()  # the server's workers get the database to themselves
        result = measure_http.measure_transitions(
            orders,
            tokens,
            workers=workers,
            threads=opt["threads"],
            worker_class=opt["worker_class"],
            concurrency=concurrency,
            duration=opt["duration"],
            warmup_ids=warmup,
            probe_ids=probe,
            floor=True,
        )
        result["orders_after"] = bench_selectors.order_states(orders)
        result["statements_per_transition"] = statements
        result["ceilings"] = measure_floor.ceilings(result, result["floor"], statements)
        return result

    def _table(self, r: dict) -> None:
        w = self.stdout.write
        w(f"\nVerkställ benchmark {r['date']}  {r['machine']['cpus']} kärnor  {r['clients']} "
          f"klienter  profil {r['rule_profile']}  {r['machine']['database']}")  # fmt: skip
        w("Rader: " + ", ".join(f"{k} {v}" for k, v in r["rows"].items()))
        if "generate_seconds" in r:
            w(f"Generering: {r['generate_seconds']} s")
        w("\nBevakningslista        rader frågor  app median/p95 ms   SQL median/p95 ms"
          "  kvot p95  samma")  # fmt: skip
        for x in r["watchlists"]:
            w(
                f"{x['name']:<22}{x['rows']:>6}{x['queries']:>7}  "
                f"{x['app']['median_ms']:>7.2f} / {x['app']['p95_ms']:<7.2f}   "
                f"{x['sql']['median_ms']:>7.2f} / {x['sql']['p95_ms']:<7.2f}  "
                f"{x['ratio_p95']:>7.2f}  {'ja' if x['same_answer'] else 'NEJ'}"
            )
        b = r["payment_basis"]
        w(
            f"\nErsättningsunderlag {b['period']}: {b['lines']} rader, {b['queries']} frågor, "
            f"app median/p95 {b['app']['median_ms']:.1f} / {b['app']['p95_ms']:.1f} ms, "
            f"SQL {b['sql']['median_ms']:.1f} / {b['sql']['p95_ms']:.1f} ms, kvot "
            f"{b['ratio_median']:.2f}, samma svar: {'ja' if b['same_answer'] else 'NEJ'}"
        )
        o = r["ontime_statistics"]
        w(
            f"Frister i tid {o['months']}: {o['rows']} rader, {o['items']} bevakningar, "
            f"{o['queries']} frågor, app median/p95 {o['app']['median_ms']:.1f} / "
            f"{o['app']['p95_ms']:.1f} ms, SQL {o['sql']['median_ms']:.1f} / "
            f"{o['sql']['p95_ms']:.1f} ms, kvot {o['ratio_median']:.2f}, samma svar: "
            f"{'ja' if o['same_answer'] else 'NEJ'}"
        )
        w("\nSida                                      status frågor  median ms")
        for p in r["pages"]:
            w(f"{p['page']:<42}{p['status']:>6}{p['queries']:>7}  {p['median_ms']:>9.1f}")
        t = r.get("transitions")
        if t:
            w(
                f"\nÖvergångar via gunicorn ({t['workers']} x {t['worker_class']}, "
                f"{t['threads']} trådar, {t['concurrency']} klienttrådar): "
                f"{t['per_second']}/s, p95 {t['latency'].get('p95_ms')} ms, "
                f"p99 {t['latency'].get('p99_ms')} ms, "
                f"median {t['latency'].get('median_ms')} ms, {t['transitions']} st på "
                f"{t['seconds']} s, fel {t['errors']}, toppminne per arbetare "
                f"{t['worker_peak_rss_mib']} MiB"
            )
            w(
                f"  CPU per övergång: app {t['app_cpu_ms_per_transition']} ms, "
                f"PostgreSQL {t['db_cpu_ms_per_transition']} ms; belastning före/efter "
                f"{t['load_average_before']} / {t['load_average_after']}"
            )
            if t.get("unloaded"):
                u = t["unloaded"]["latency"]
                w(f"  en i taget (utan kö): median {u.get('median_ms')} ms, "
                  f"p95 {u.get('p95_ms')} ms, p99 {u.get('p99_ms')} ms")  # fmt: skip
            statements = t.get("statements_per_transition", {})
            for step, s in t["by_step"].items():
                w(f"  {step:<12} median {s['median_ms']} ms  p95 {s['p95_ms']} ms  "
                  f"{statements.get(step, '?')} SQL-satser")  # fmt: skip
            if t.get("floor"):
                self._floor(t)
        w("\nMål: " + ", ".join(f"{k}: {'uppfyllt' if v else 'EJ uppfyllt'}"
                                for k, v in r["targets"].items()))  # fmt: skip
        w(f"Tid för hela körningen: {r['bench_seconds']} s\n")

    def _floor(self, t: dict) -> None:
        w, f, c = self.stdout.write, t["floor"], t["ceilings"]
        for name, label in (("health", "GET /healthz"), ("api_read", "GET /api/service-types/")):
            x = f[name]
            w(f"  golv {label:<26} {x['per_second']}/s, median {x['latency'].get('median_ms')} "
              f"ms, CPU app {x['app_cpu_ms_per_request']} ms + PostgreSQL "
              f"{x['db_cpu_ms_per_request']} ms per anrop")  # fmt: skip
        if f.get("statement"):
            w(f"  golv SELECT 1: PostgreSQL-CPU {f['statement']['db_cpu_ms_per_statement']} ms "
              f"per sats")  # fmt: skip
        w(f"  tak på {c['cores']} kärnor: {c['cpu_bound_per_second']}/s av CPU per övergång "
          f"({c['cpu_ms_per_transition']} ms; 300/s kräver högst "
          f"{c['cpu_ms_per_transition_for_300_per_second']} ms)")  # fmt: skip
        w(f"  om appen inte kostade något: {c['if_the_app_cost_nothing_per_second']}/s; "
          f"som golvet: {c['if_the_app_cost_the_api_floor_per_second']}/s")  # fmt: skip
        w(f"  satsernas fasta kostnad: {c['statements_fixed_db_cpu_ms']} ms av PostgreSQL-CPU "
          f"per övergång ({c['statements_per_transition_mean']} satser)")  # fmt: skip


def _machine() -> dict:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            database = connection.vendor
    model = ""
    try:
        for line in open("/proc/cpuinfo").read().splitlines():  # noqa: SIM115
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    with contextlib.suppress(OSError):
        mem = open("/proc/meminfo").readline().split(":")[1].strip()  # noqa: SIM115
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "memory": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": database,
    }


def _judge(r: dict) -> dict:
    out = {}
    for x in r["watchlists"]:
        out[f"{x['name']} p95 <= 1.5 x SQL"] = x["ratio_p95"] <= TARGETS["watchlist_ratio_p95"]
        out[f"{x['name']} p95 < 50 ms"] = x["app"]["p95_ms"] < TARGETS["watchlist_p95_ms"]
    basis = r["payment_basis"]
    out["payment basis same as SQL"] = basis["same_answer"]
    out["payment basis median <= 2 x SQL"] = basis["ratio_median"] <= 2
    ontime = r["ontime_statistics"]
    out["on-time statistics same as SQL"] = ontime["same_answer"]
    out["on-time statistics median <= 2 x SQL"] = ontime["ratio_median"] <= 2
    t = r.get("transitions")
    if t:
        out["transitions >= 300/s"] = t["per_second"] >= TARGETS["per_second"]
        out["transitions p95 < 50 ms"] = t["latency"].get("p95_ms", 1e9) < TARGETS["p95_ms"]
    return out
