"""`python -m verkstall bench_contract_import [--rows 5000] [--json]` (issue 17 item 8): how
long the LOV contract import's check, dry run and import take on a large file
(tooling/bench_import_services.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from verkstall.tooling import bench_import_services as bench
from verkstall.tooling import bench_output
from verkstall.tooling.generator_services import ensure_migrated


class Command(BaseCommand):
    help = (
        "Time the contract import (check, dry run, screen, import) on a generated file. "
        "Writes nothing that stays."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=5000)
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="One JSON object per line."
        )
        parser.add_argument(
            "--database-url",
            help="Database to use (applied before settings load, see verkstall/__main__.py).",
        )

    def handle(self, *args, rows: int, as_json: bool = False, **options):
        ensure_migrated()
        results = bench_output.run_quietly(lambda: bench.run(rows=rows))
        bench_output.write(self.stdout, results, as_json=as_json, table=bench.table)
