"""`python -m verkstall generate --clients N [--seed S] [--profile P] [--through-services]`
(bench/README.md)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from verkstall.tooling import generator_services as generator


class Command(BaseCommand):
    help = (
        "Fill the configured database with a generated municipality: N clients with five "
        "years of decisions, orders, plans, follow-ups, absences and due items."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, required=True, help="Number of clients.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--profile",
            default=generator.DEFAULT_PROFILE,
            help="The municipality's rule profile (default %(default)s).",
        )
        parser.add_argument(
            "--code", default=generator.DEFAULT_CODE, help="Municipality code (default 9990)."
        )
        parser.add_argument(
            "--through-services",
            action="store_true",
            help="Make every planned call through the services (slow; the bulk path's reference).",
        )
        parser.add_argument(
            "--database-url",
            help="Database to fill (applied before settings load, see verkstall/__main__.py).",
        )

    def handle(self, *args, clients, seed, profile, code, through_services, **options):
        if clients < 1:
            raise CommandError("--clients must be at least 1.")
        started = time.monotonic()
        if generator.ensure_migrated():
            self.stderr.write("Databasen migrerades.")
        try:
            counts = generator.generate(
                clients,
                seed=seed,
                profile=profile,
                code=code,
                progress=generator.progress_bar(self.stderr._out),
                through_services=through_services,
            )
        except generator.GeneratedDataExists as exc:
            raise CommandError(f"{exc} Använd en tom databas.") from None
        generator.analyze()  # planner statistics for the benchmark that follows
        elapsed = time.monotonic() - started
        self.stdout.write(f"Genererat {clients} klienter på {elapsed:.1f} s:")
        for label, count in sorted(counts.items()):
            self.stdout.write(f"  {label:32} {count:>10}")
