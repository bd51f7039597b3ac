"""The small benchmark commands' shared shape (bench_lists, bench_contract_import, bench_jobs):
their own arguments, then `--json` and `--database-url`; the database migrated, the request log
kept quiet while they measure, and the results written as a table or as JSON lines."""

from __future__ import annotations

from types import ModuleType

from django.core.management.base import BaseCommand

from verkstall.tooling import bench_output
from verkstall.tooling.generator_services import ensure_migrated


class BenchCommand(BaseCommand):
    #: The benchmark's module: its `table(results)` prints the results for people.
    bench: ModuleType

    def add_bench_arguments(self, parser) -> None:
        """The command's own arguments."""

    def measure(self, **options) -> list[dict]:
        raise NotImplementedError

    def add_arguments(self, parser):
        self.add_bench_arguments(parser)
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="One JSON object per line."
        )
        parser.add_argument(
            "--database-url",
            help="Database to use (applied before settings load, see verkstall/__main__.py).",
        )

    def handle(self, *args, as_json: bool = False, **options):
        ensure_migrated()
        results = bench_output.run_quietly(lambda: self.measure(**options))
        bench_output.write(self.stdout, results, as_json=as_json, table=self.bench.table)
