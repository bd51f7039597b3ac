"""`python -m verkstall backup --output PATH [--database-url URL]` (docs/operations-backup.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verkstall.tooling.backup_archive import BackupError
from verkstall.tooling.backup_restore import create_backup


class Command(BaseCommand):
    help = (
        "Write one archive with the database dump, every stored document and a manifest with "
        "the sha256 of each (issue 18)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="The archive to write (a .tar file).")
        parser.add_argument(
            "--database-url",
            help="Database to back up (applied before settings load, see verkstall/__main__.py).",
        )

    def handle(self, *args, output, **options):
        try:
            manifest = create_backup(output=Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        members = manifest["members"]
        database = manifest["database"]
        documents = [m for m in members if m["name"] != database["member"]]
        self.stdout.write(f"Säkerhetskopian skrevs till {Path(output).resolve()}")
        self.stdout.write(f"  skapad     {manifest['created_at']}")
        for member in members:
            if member["name"] == database["member"]:
                self.stdout.write(
                    f"  databas    {database['vendor']}, {member['size']} byte, "
                    f"sha256 {member['sha256']}"
                )
        self.stdout.write(
            f"  dokument   {len(documents)} filer, {sum(m['size'] for m in documents)} byte"
        )
        self.stdout.write(f"  migreringar {len(manifest['migrations'])} appar")
