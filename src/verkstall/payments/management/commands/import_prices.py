"""`python -m verkstall import_prices FILE --municipality CODE [--user NAME]`: import a
municipality's price list (CSV; the format is described in verkstall.payments.prices_csv).
All rows or none: any bad row is reported by line and column, in Swedish, and nothing is
written. Exit status 1 when the file was refused."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verkstall.access import selectors as users
from verkstall.core.errors import DomainError
from verkstall.payments.services import import_prices


class Command(BaseCommand):
    help = "Import prices (insats;prisenhet;pris;från;till) for the payment basis from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (semicolon or comma, UTF-8).")
        parser.add_argument("--municipality", required=True, help="Municipality code, e.g. 0980.")
        parser.add_argument(
            "--user",
            help="The LOV administrator to act as (default: the municipality's first one).",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Filen finns inte: {path}")
        try:
            actor = users.lov_admin_for_import(options["municipality"], options["user"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        try:
            report = import_prices(actor, content=path.read_bytes())
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(report.errors)} fel; inga priser importerades.", returncode=1)
        self.stdout.write(f"Importerat: {report.created} priser.")
