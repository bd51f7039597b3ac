"""The long work of a municipality's month at its size (issue 17 item 8):
`python -m verkstall bench_jobs [--runs 3]` on a generated database (`python -m verkstall
generate --clients 30000`).

For last month's payment basis of the whole municipality: computing it, naming its lines,
writing the finance system's XLSX and CSV, and the month close (stored in a transaction that
is rolled back); for the on-time statistics of the LOV administrator: the COUNT that chooses
the background job and the report in the request, over 6, 12 and 24 months. Then the screens'
requests for such a month and report: the basis page (it offers the job's buttons), the POST
that starts the file's job, and the report's page (its button). The median of `runs` of each,
in milliseconds, with the size it worked on.

Everything runs in one transaction that is rolled back: the database is left as it was.
Printed for people, never asserted on time (ARCHITECTURE: benchmarks print, tests count
queries).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from django.db import transaction
from django.test import Client, override_settings

from verkstall.access.models import Municipality
from verkstall.access.roles import Role
from verkstall.core import clock
from verkstall.ontime import figures
from verkstall.ontime import selectors as ontime
from verkstall.payments import basis_selectors, exports, job_kinds, services
from verkstall.payments.basis_types import Period
from verkstall.payments.selectors import BasisScope
from verkstall.tooling import testing as build
from verkstall.tooling.generator_world import DEFAULT_CODE


class _Rollback(Exception):
    pass


def _median_ms(work: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1), result


def run(*, runs: int = 3) -> list[dict]:
    results: list[dict] = []
    try:
        with transaction.atomic():
            _measure(results, runs)
            raise _Rollback
    except _Rollback:
        pass
    return results


def _measure(results: list[dict], runs: int) -> None:
    muni = Municipality.objects.get(code=DEFAULT_CODE)
    lov = build.user(Role.LOV_ADMIN, muni, username="bench-jobs-lov")
    period = Period.of(clock.today()).previous()
    scope = BasisScope(muni.pk, None)

    def add(what: str, ms: float, size: int, unit: str) -> None:
        results.append({"what": what, "median_ms": ms, "size": size, "unit": unit})

    ms, basis = _median_ms(lambda: basis_selectors.compute_basis(scope, period), runs)
    lines = len(basis.lines)
    add(f"payment basis {period}: compute", ms, lines, "lines")
    ms, rows = _median_ms(lambda: basis_selectors.compute_basis(scope, period).rows, runs)
    add("payment basis: compute and name", ms, lines, "lines")
    ms, _ = _median_ms(lambda: exports.xlsx_bytes(period, rows), runs)
    add("payment basis: write XLSX", ms, lines, "lines")
    ms, _ = _median_ms(lambda: exports.csv_bytes(period, rows), runs)
    add("payment basis: write CSV", ms, lines, "lines")

    def close():
        with transaction.atomic():
            made = services.close_month(lov, period=period, reason="Mätning")
            transaction.set_rollback(True)
        return made

    ms, _ = _median_ms(close, runs)
    add("month close (rolled back)", ms, lines, "lines")

    last = figures.month_of(clock.today())
    for months in (6, 12, 24):
        filters = ontime.Filters(first=figures.add_months(last, -(months - 1)), last=last)
        ms, items = _median_ms(lambda f=filters: ontime.item_count(lov, f), runs)
        add(f"on-time {months} months: COUNT that chooses", ms, items, "due items")
        ms, _ = _median_ms(lambda f=filters: ontime.statistics(lov, f), runs)
        add(f"on-time {months} months: report in one query", ms, items, "due items")
        ms, _ = _median_ms(
            lambda f=filters: ontime.statistics(lov, f, progress=lambda *a: None), runs
        )
        add(f"on-time {months} months: month by month (the job)", ms, items, "due items")

    with override_settings(ALLOWED_HOSTS=["testserver"]):
        _requests(add, lov, period, lines, last, runs)


def _requests(add, lov, period, lines: int, last, runs: int) -> None:
    """The screens as they answer a large month and a large report: the basis page with its
    buttons, the button's POST that starts the job, the report page with its button."""
    client = Client()
    client.force_login(lov)
    threshold = job_kinds.background_lines()
    page = f"/payments/basis/?period={period}"
    ms, response = _median_ms(lambda: client.get(page), runs)
    add(
        f"GET basis page -> {response.status_code} (job above {threshold} lines)",
        ms,
        lines,
        "lines",
    )
    start = {"period": str(period), "format": "xlsx"}
    ms, response = _median_ms(lambda: client.post("/payments/basis/export-job/", start), runs)
    add(f"POST export-job -> {response.status_code} (the job's page)", ms, lines, "lines")
    first = figures.add_months(last, -23)
    report = f"/statistics/on-time/?first={first:%Y-%m}&last={last:%Y-%m}"
    ms, response = _median_ms(lambda: client.get(report), runs)
    add(f"GET on-time 24 months -> {response.status_code} (the button)", ms, 0, "")


def table(results: list[dict]) -> str:
    out = [f"{'what':<62} {'median ms':>10} {'size':>9}"]
    for row in results:
        out.append(f"{row['what']:<62} {row['median_ms']:>10.1f} {row['size']:>9} {row['unit']}")
    return "\n".join(out) + "\n"
