"""`python -m verkstall flag_long_absences [--date YYYY-MM-DD]`: run daily. Flags every
absence that has passed its municipality's number of consecutive days (its rule profile's
`long_absence_days`: 30 in seed 003; SPEC R7.2, R11.4); safe to run twice."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from verkstall.absences import services


class Command(BaseCommand):
    help = "Markera frånvaro som passerat kommunens gräns för lång frånvaro (R7.2)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to judge by (default today).")

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError("Ogiltigt datum; skriv ÅÅÅÅ-MM-DD.", returncode=2) from None
        flagged = services.flag_long_absences(today)
        self.stdout.write(f"{flagged} frånvaro(r) markerade som lång frånvaro.")
