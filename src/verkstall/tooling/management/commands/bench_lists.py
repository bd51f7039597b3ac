"""`python -m verkstall bench_lists [--sizes 50 5000] [--runs 15] [--json]` (issue 17 item 5):
the query count and median time of every paged list at each size
(tooling/bench_list_services.py)."""

from __future__ import annotations

from verkstall.tooling import bench_list_services
from verkstall.tooling.management.bench_command import BenchCommand


class Command(BenchCommand):
    help = (
        "Measure the list screens (orders, inbox, clients, client search, messages, "
        "watchlists, access log) at a few sizes: queries per request and median time. "
        "Writes nothing that stays."
    )
    bench = bench_list_services

    def add_bench_arguments(self, parser):
        parser.add_argument("--sizes", type=int, nargs="+", default=list(bench_list_services.SIZES))
        parser.add_argument("--runs", type=int, default=15, help="Timed requests per list.")

    def measure(self, *, sizes, runs, **options) -> list[dict]:
        return bench_list_services.run(sizes=sizes, runs=max(runs, 1))
