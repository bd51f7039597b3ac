"""`python -m verkstall restore --input PATH [--database-url URL] [--force]`
(docs/operations-backup.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verkstall.tooling.backup_archive import BackupError
from verkstall.tooling.backup_restore import restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup`: every checksum is verified first; an empty "
        "database and document folder are required unless --force replaces them (issue 18)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--input", dest="archive", required=True, help="The archive written by `backup`."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database and document folder that already hold data.",
        )
        parser.add_argument(
            "--database-url",
            help="Database to restore into (applied before settings load, see __main__.py).",
        )

    def handle(self, *args, archive, force, **options):
        try:
            result = restore_backup(archive=Path(archive), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        replaced = " (det som fanns ersattes)" if result["replaced"] else ""
        self.stdout.write(
            f"Återställde databasen ({result['vendor']}) och {result['documents']} dokument "
            f"från {result['archive']}, tagen {result['created_at']}{replaced}."
        )
        if result["migrate_needed"]:
            self.stdout.write(
                "Koden har nyare migreringar än säkerhetskopian "
                f"({', '.join(result['migrate_needed'][:5])}): kör `python -m verkstall migrate`."
            )
