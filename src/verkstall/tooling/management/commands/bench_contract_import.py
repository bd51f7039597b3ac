"""`python -m verkstall bench_contract_import [--rows 5000] [--json]` (issue 17 item 8): how
long the LOV contract import's check, dry run and import take on a large file
(tooling/bench_import_services.py)."""

from __future__ import annotations

from verkstall.tooling import bench_import_services
from verkstall.tooling.management.bench_command import BenchCommand


class Command(BenchCommand):
    help = (
        "Time the contract import (check, dry run, screen, import) on a generated file. "
        "Writes nothing that stays."
    )
    bench = bench_import_services

    def add_bench_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=5000)

    def measure(self, *, rows: int, **options) -> list[dict]:
        return bench_import_services.run(rows=rows)
