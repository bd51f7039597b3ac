"""`python -m verkstall bench_lists [--sizes 50 5000] [--runs 15] [--json]` (issue 17 item 5):
the query count and median time of every paged list at each size
(tooling/bench_list_services.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from verkstall.tooling import bench_list_services as bench_lists
from verkstall.tooling import bench_output
from verkstall.tooling.generator_services import ensure_migrated


class Command(BaseCommand):
    help = (
        "Measure the list screens (orders, inbox, clients, client search, messages, "
        "watchlists, access log) at a few sizes: queries per request and median time. "
        "Writes nothing that stays."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", type=int, nargs="+", default=list(bench_lists.SIZES))
        parser.add_argument("--runs", type=int, default=15, help="Timed requests per list.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="One JSON object per line."
        )
        parser.add_argument(
            "--database-url",
            help="Database to use (applied before settings load, see verkstall/__main__.py).",
        )

    def handle(self, *args, sizes, runs, as_json: bool = False, **options):
        ensure_migrated()
        results = bench_output.run_quietly(lambda: bench_lists.run(sizes=sizes, runs=max(runs, 1)))
        bench_output.write(self.stdout, results, as_json=as_json, table=bench_lists.table)
