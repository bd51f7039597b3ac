"""`python -m verkstall export_profile SLUG [--output FILE]`: a rule profile as a JSON file
(schema `verkstall-rule-profile/2`, docs/rule-profiles.md; SPEC R11.5).

Writes to stdout, or to FILE. Every error names its problem on stderr and exits with code 2,
never with a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from verkstall.core.errors import DomainError
from verkstall.deadlines.profile_io import export_profile, profile_for

USAGE_ERROR = 2


class Command(BaseCommand):
    help = "Exportera en regelprofil som JSON (formatet verkstall-rule-profile/2)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="regelprofilens kod, t.ex. gotland")
        parser.add_argument("--output", "-o", metavar="FILE", help="skriv till filen FILE")

    def handle(self, *args, **options):
        try:
            document = export_profile(profile_for(options["slug"]))
        except DomainError as exc:
            raise CommandError(exc.message, returncode=USAGE_ERROR) from None
        except DatabaseError as exc:
            raise CommandError(
                f"Kunde inte läsa regelprofilerna ur databasen ({exc.__class__.__name__}); "
                "har `python -m verkstall migrate` körts?",
                returncode=USAGE_ERROR,
            ) from None
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if not options["output"]:
            self.stdout.write(text, ending="")
            return
        try:
            Path(options["output"]).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                f"Kunde inte skriva {options['output']}: {exc.strerror or exc}.",
                returncode=USAGE_ERROR,
            ) from None
        self.stderr.write(f"Regelprofilen {options['slug']} skrevs till {options['output']}.")
