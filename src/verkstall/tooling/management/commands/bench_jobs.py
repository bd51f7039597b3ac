"""`python -m verkstall bench_jobs [--runs 3] [--json]` (issue 17 item 8): how long a generated
municipality's month takes to export, close and count (tooling/bench_job_services.py)."""

from __future__ import annotations

from verkstall.tooling import bench_job_services
from verkstall.tooling.management.bench_command import BenchCommand


class Command(BenchCommand):
    help = (
        "Time the payment basis' files, the month close and the on-time statistics on a "
        "generated database. Writes nothing that stays."
    )
    bench = bench_job_services

    def add_bench_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=3)

    def measure(self, *, runs: int, **options) -> list[dict]:
        return bench_job_services.run(runs=runs)
