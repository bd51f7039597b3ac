"""Run the isolation proof at full size (issue item 6a; CI runs it smaller in
tests/test_isolation_property.py, with the same code: verkstall.tooling.isolation_checker).

    python -m verkstall prove_isolation --reads 10000

Works in a temporary test database (Django's test database for the configured one, e.g.
`test_<name>` on PostgreSQL, in memory on SQLite), never in the configured database itself,
and prints the figures: operations by kind, crossings found, time. Exits non-zero if any
operation crossed a boundary or the server failed. Needs hypothesis (a test dependency).
"""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import (
    override_settings,
    setup_test_environment,
    teardown_test_environment,
)

from verkstall.tooling.isolation_checker import prove
from verkstall.tooling.isolation_stats import DEFAULT_OPS_PER_EXAMPLE


class Command(BaseCommand):
    help = "Prove that no API read, list, search or transition crosses an organisation."

    def add_arguments(self, parser):
        parser.add_argument("--reads", type=int, default=10000, help="Operations in all.")
        parser.add_argument(
            "--per-world",
            type=int,
            default=DEFAULT_OPS_PER_EXAMPLE,
            help="Operations in each generated world (worlds = reads / per-world).",
        )
        parser.add_argument("--seed", type=int, default=20261126, help="Hypothesis seed.")
        parser.add_argument(
            "--keepdb", action="store_true", help="Reuse the test database if it exists."
        )

    def handle(self, *args, reads, per_world, seed, keepdb, **options):
        # Thousands of refused requests are the point; django.request would warn of each.
        logging.getLogger("django.request").setLevel(logging.ERROR)
        setup_test_environment()  # locmem e-mail: nothing generated leaves the machine
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keepdb)
        self.stdout.write(f"test database: {connection.settings_dict['NAME']}")
        try:
            with override_settings(
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
            ):
                stats = prove(reads, ops_per_example=per_world, seed=seed)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=keepdb)
            teardown_test_environment()
        self.stdout.write(stats.report())
        self.stdout.write("operations by endpoint:")
        for endpoint, n in sorted(stats.endpoints.items()):
            self.stdout.write(f"  {endpoint}: {n}")
        if stats.crossings or stats.errors or stats.canary_hits:
            raise CommandError(
                f"{len(stats.crossings)} crossings, {len(stats.errors)} server errors, "
                f"{len(stats.canary_hits)} canary hits"
            )
