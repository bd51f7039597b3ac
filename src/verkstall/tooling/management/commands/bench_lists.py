"""`python -m verkstall bench_lists [--sizes 50 5000] [--runs 15] [--json]` (issue 17 item 5):
the query count and median time of every paged list at each size
(tooling/bench_list_services.py)."""

from __future__ import annotations

import json
import logging

from django.core.management.base import BaseCommand

from verkstall.tooling import bench_list_services as bench_lists
from verkstall.tooling.generator_services import ensure_migrated


class Command(BaseCommand):
    help = (
        "Measure the list screens (orders, inbox, clients, client search, messages) at a few "
        "sizes: queries per request and median time. Writes nothing that stays."
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
        request_log = logging.getLogger("verkstall.request")  # a line per request: not here
        level = request_log.level
        request_log.setLevel(logging.WARNING)
        try:
            results = bench_lists.run(sizes=sizes, runs=max(runs, 1))
        finally:
            request_log.setLevel(level)
        if as_json:
            for row in results:
                self.stdout.write(json.dumps(row, ensure_ascii=False))
        else:
            self.stdout.write(bench_lists.table(results))
