"""`python -m verkstall fingerprint [--database-url URL]`: the data's fingerprint as one JSON
line (row counts, sequences, order-event and access-log hashes, document hashes), to compare
an installation before a backup and after its restore (docs/operations-backup.md)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from verkstall.tooling.fingerprint import fingerprint


class Command(BaseCommand):
    help = "Print the fingerprint of the database and stored documents as one JSON line."

    def add_arguments(self, parser):
        parser.add_argument(
            "--database-url",
            help="Database to read (applied before settings load, see verkstall/__main__.py).",
        )

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(fingerprint(), sort_keys=True, ensure_ascii=False))
