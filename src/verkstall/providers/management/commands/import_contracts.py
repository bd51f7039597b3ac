"""`python -m verkstall import_contracts FILE --municipality CODE [--dry-run] [--user NAME]`:
import a municipality's LOV contract spreadsheet (CSV or XLSX; the format is described in
verkstall.providers.importing). All rows or none: any bad row is reported by line and nothing
is written. Exit status 1 when the file was refused."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verkstall.access import selectors as users
from verkstall.core.errors import DomainError
from verkstall.providers.import_services import import_contracts


class Command(BaseCommand):
    help = "Import LOV contract lines (utförare;insats;område;från;...) from a CSV or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (comma or semicolon, UTF-8) or .xlsx file.")
        parser.add_argument("--municipality", required=True, help="Municipality code, e.g. 0980.")
        parser.add_argument(
            "--user",
            help="The LOV administrator to act as (default: the municipality's first one).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; save nothing."
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
            report = import_contracts(
                actor,
                filename=path.name,
                content=path.read_bytes(),
                dry_run=options["dry_run"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(report.errors)} fel; ingenting importerades.", returncode=1)
        verb = "Skulle ge" if report.dry_run else "Importerat"
        self.stdout.write(
            f"{verb}: {report.created} nya, {report.updated} ändrade, "
            f"{report.unchanged} oförändrade avtalsrader ({report.rows} rader i filen)."
        )
